// Transpile-only: swc strips types; `npm run typecheck` (tsc --noEmit) is the type gate.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.tsx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  testTimeout: 30000,
  // Run the files in a worker process that is replaced once it holds more than this after a file.
  // In band (Jest's choice on a 2-core machine) one process kept every suite's modules and grew to
  // 8-13 GB over the whole suite; with the limit it stays bounded. Still one worker at a time.
  workerIdleMemoryLimit: "1536MB",
  // The default reporter, and a closing line on the shared third-party conformance fixtures:
  // found (the suites on them ran) or not found (those suites were skipped). The reporter composes
  // it; the global teardown, which runs after Jest's summary, prints it.
  reporters: ["default", "<rootDir>/test/helpers/shared-fixtures-reporter.js"],
  globalTeardown: "<rootDir>/test/helpers/shared-fixtures-teardown.js",
};
