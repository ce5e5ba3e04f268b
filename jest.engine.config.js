// `npm run test:engine`: the suite under the real Pulumi engine (test/engine/*.e2e.ts), kept out of
// `npm test` because it needs the engine built by `bash .ci/build-engine`. Transpile-only, as jest.config.js.
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/engine"],
  testMatch: ["**/*.e2e.ts"],
  transform: base.transform,
  // One stack, one command at a time: each pulumi command gets its own deadline in the harness.
  testTimeout: 180000,
};
