/**
 * The timing-sensitive suites (rate limits judged by a simulator's one-second windows), run
 * after the main pass, one file at a time, so other suites do not steal the CPU they measure.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.timing.test.ts'],
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  testTimeout: 60000,
};
