/**
 * `npm run test:rules`: the alert rules checked by promtool, which no npm package provides, so
 * they run apart from `npm test` (.ci/run installs promtool first).
 * @type {import('jest').Config}
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.promtool.test.ts'],
  testTimeout: 30000,
};
