/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Timing suites run separately and serially (jest.timing.config.js); promtool's apart (jest.rules.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.timing\\.test\\.ts$', '\\.promtool\\.test\\.ts$'],
  // One line naming Redis or PostgreSQL when one is not running, instead of dozens of failures.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  // Servers on 127.0.0.1 and real SQLite files: keep workers low on two-core machines.
  maxWorkers: 2,
  testTimeout: 30000,
};
