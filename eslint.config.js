// ESLint (flat config): the recommended JavaScript and typescript-eslint rules on src, test and bench,
// and the import boundaries of the layers (see docs/architecture.md).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Slack is an edge: only the wiring (src/services.ts) builds it; nothing below imports it.
    files: ['src/**/*.ts'],
    ignores: ['src/slack/**', 'src/services.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/slack', '**/slack/**', '@slack/bolt'],
              message: 'Only src/services.ts and src/slack/** may use the Slack app: pass what you need in instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain layer is pure: it imports nothing of the project but itself, and no I/O.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*', '../**'], message: 'src/domain imports only src/domain.' },
            {
              group: [
                'node:*',
                'fs',
                'http',
                'https',
                'net',
                'pg',
                'better-sqlite3',
                'ioredis',
                '@slack/*',
                '@alicloud/*',
              ],
              message: 'src/domain is pure: no I/O.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
