/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Run separately and serially by jest.timing.config.js.
  testPathIgnorePatterns: ['/node_modules/', '\\.timing\\.test\\.ts$'],
  // Servers on 127.0.0.1 and real SQLite files: keep workers low on two-core machines.
  maxWorkers: 2,
  testTimeout: 30000,
};
