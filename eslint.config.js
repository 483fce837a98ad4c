// ESLint (flat config): the recommended JavaScript and typescript-eslint rules on src, test and bench,
// and the import boundaries of the layers (see docs/architecture.md).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const { LAYERS, SEALED, SLACK_IMPORTERS } = require('./layers');

/** A unit of src/: a folder, or a top-level file named with .ts. */
const isFile = (unit) => unit.endsWith('.ts');
const bare = (unit) => unit.replace(/\.ts$/, '');
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An import specifier, written from a file `depth` folders below src/, that reaches `unit`. */
function reaching(unit, depth) {
  const up = depth === 0 ? '\\./' : '(?:\\.\\./){' + depth + '}';
  return '^' + up + escapeRegex(bare(unit)) + (isFile(unit) ? '$' : '(?:/|$)');
}

/**
 * One no-restricted-imports block per folder and depth (src/x/*.ts, src/x/y/*.ts), so that a
 * relative import is matched by where it really leads: '../deploy' from src/slack/commands
 * is src/slack/deploy, from src/render it is src/deploy.
 */
function layerBoundaries() {
  const rank = new Map(LAYERS.flatMap((units, index) => units.map((unit) => [unit, index])));
  const units = [...rank.keys(), SEALED.folder];
  const blocks = [];
  for (const unit of units) {
    if (unit === 'domain') continue; // its own, stricter rule below
    const forbidden = (importer) =>
      units.filter((target) => {
        if (target === unit) return false;
        if (unit === SEALED.folder) return true;
        if (target === SEALED.folder) return !SEALED.importers.includes(importer);
        if (target === 'slack' && !SLACK_IMPORTERS.includes(unit)) return true;
        return rank.get(target) > rank.get(unit);
      });
    const depths = isFile(unit) ? [0] : [1, 2, 3];
    for (const depth of depths) {
      const files = isFile(unit) ? ['src/' + unit] : ['src/' + unit + '/' + '*/'.repeat(depth - 1) + '*.ts'];
      const patterns = (importer) => [
        ...forbidden(importer).map((target) => ({
          regex: reaching(target, depth),
          message:
            unit === SEALED.folder || target === SEALED.folder
              ? 'The simulator (src/sandbox) is sealed: it imports nothing of the bot, and only the sandbox command and the demo start it.'
              : target === 'slack' && rank.get(target) <= rank.get(unit)
                ? 'Only the wiring builds the Slack app: reach Slack through services.'
                : 'src/' +
                  bare(target) +
                  ' is a layer above src/' +
                  bare(unit) +
                  ': pass what is needed in instead (docs/architecture.md).',
        })),
        ...(SLACK_IMPORTERS.includes(unit)
          ? []
          : [
              {
                group: ['@slack/bolt'],
                message: 'Only the wiring and src/slack use the Slack app: pass what you need in instead.',
              },
            ]),
      ];
      blocks.push({ files, rules: { 'no-restricted-imports': ['error', { patterns: patterns('') }] } });
      // The sealed simulator's starters get its folder allowed, file by file.
      for (const importer of SEALED.importers.filter((path) =>
        isFile(unit) ? false : matchesDepth(path, unit, depth),
      )) {
        blocks.push({
          files: [importer],
          rules: { 'no-restricted-imports': ['error', { patterns: patterns(importer) }] },
        });
      }
    }
  }
  return blocks;
}

function matchesDepth(path, unit, depth) {
  const parts = path.split('/');
  return parts[1] === unit && parts.length === depth + 2;
}

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
  ...layerBoundaries(),
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
