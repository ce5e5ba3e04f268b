// Transpile-only: swc strips types; `npm run typecheck` (tsc --noEmit) is the type gate.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.tsx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  testTimeout: 30000,
  // A fresh worker process for every test file (0 = restart after each file; still one at a time on
  // 2 cores). Run in band, or with a heap-size limit (Jest checks the JS heap only), one process kept
  // every file's memory outside the heap and grew to 13-16 GB over the suite.
  workerIdleMemoryLimit: 0,
  // The default reporter, and a closing line on the shared third-party conformance fixtures:
  // found (the suites on them ran) or not found (those suites were skipped). The reporter composes
  // it; the global teardown, which runs after Jest's summary, prints it.
  reporters: ["default", "<rootDir>/test/helpers/shared-fixtures-reporter.js"],
  globalTeardown: "<rootDir>/test/helpers/shared-fixtures-teardown.js",
};
