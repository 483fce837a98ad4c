import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

// The layer table ESLint enforces (layers.js at the project's root).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LAYERS, SEALED, SLACK_IMPORTERS } = require('../../layers') as {
  LAYERS: string[][];
  SEALED: { folder: string; importers: string[] };
  SLACK_IMPORTERS: string[];
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require('../../eslint.config.js') as ESLint.Options['overrideConfig'];

const root = path.resolve(__dirname, '../..');
// The project's own configuration, handed over as it is (ESLint's loader would import() it,
// which Jest's module system does not allow).
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: config });
const rank = new Map(LAYERS.flatMap((units, index) => units.map((unit) => [unit, index] as const)));
const units = [...rank.keys()];
const bare = (unit: string) => unit.replace(/\.ts$/, '');

/** A file of `unit` at the given depth below src/, as ESLint would see it. */
function fileIn(unit: string, depth = 1): string {
  if (unit.endsWith('.ts')) return path.join(root, 'src', unit);
  return path.join(root, 'src', unit, ...Array.from({ length: depth - 1 }, () => 'inner'), 'probe.ts');
}

/** How a file of `from` at `depth` imports `to` (a folder's module, or a top-level file). */
function specifier(from: string, to: string, depth = 1): string {
  const up = from.endsWith('.ts') ? './' : '../'.repeat(depth);
  return to.endsWith('.ts') ? `${up}${bare(to)}` : `${up}${to}/probe`;
}

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('every folder and top-level file of src/ has a layer', () => {
  const entries = fs
    .readdirSync(path.join(root, 'src'), { withFileTypes: true })
    .map((entry) => entry.name)
    .filter((name) => !name.startsWith('.'));
  const missing = entries.filter((name) => !rank.has(name) && name !== SEALED.folder);
  expect(missing).toEqual([]);
});

test('an import that runs back up a layer fails the lint, at every layer and depth', async () => {
  const allowedUpwards: string[] = [];
  const missed: string[] = [];
  for (const from of units) {
    if (from === 'domain') continue; // checked by its own test below
    for (const to of units) {
      const upwards = (rank.get(to) ?? 0) > (rank.get(from) ?? 0);
      const slackBarred = to === 'slack' && !SLACK_IMPORTERS.includes(from);
      if (to === from) continue;
      for (const depth of from.endsWith('.ts') ? [1] : [1, 2]) {
        const source = `import { probe } from '${specifier(from, to, depth)}';\nexport const used = probe;\n`;
        const messages = await restrictedImports(fileIn(from, depth), source);
        if ((upwards || slackBarred) && messages.length === 0) missed.push(`${from} (depth ${depth}) → ${to}`);
        if (!upwards && !slackBarred && messages.length > 0) allowedUpwards.push(`${from} → ${to}: ${messages[0]}`);
      }
    }
  }
  expect(missed).toEqual([]);
  // And the imports that go down the layers stay allowed.
  expect(allowedUpwards).toEqual([]);
}, 120_000);

test('a relative import is judged by where it leads, not by its last name', async () => {
  // From src/slack/commands, '../deploy' is src/slack/deploy (Slack's own), not src/deploy.
  expect(
    await restrictedImports(fileIn('slack', 2), "import { x } from '../deploy/blocks';\nexport const y = x;\n"),
  ).toEqual([]);
  // From src/store, '../alerts' is src/alerts: above the store.
  const fromStore = await restrictedImports(
    fileIn('store'),
    "import { x } from '../alerts/run';\nexport const y = x;\n",
  );
  expect(fromStore).toEqual([expect.stringContaining('src/alerts is a layer above src/store')]);
  // Its own './alerts' is the store's module.
  expect(await restrictedImports(fileIn('store'), "import { x } from './alerts';\nexport const y = x;\n")).toEqual([]);
});

test('the store and the logger take plain options: importing Config from below it fails', async () => {
  const source = "import type { Config } from '../config';\nexport type C = Config;\n";
  expect(await restrictedImports(fileIn('store'), source)).toEqual([
    expect.stringContaining('src/config is a layer above'),
  ]);
  expect(await restrictedImports(fileIn('ops'), source)).toEqual([
    expect.stringContaining('src/config is a layer above'),
  ]);
});

test('the simulator is sealed: it imports nothing of the bot, and only its starters import it', async () => {
  expect(
    await restrictedImports(fileIn(SEALED.folder), "import { x } from '../domain/expiry';\nexport const y = x;\n"),
  ).toEqual([expect.stringContaining('sealed')]);
  const start = "import { startSandbox } from '../sandbox';\nexport const s = startSandbox;\n";
  expect(await restrictedImports(path.join(root, 'src/cli/program.ts'), start)).toEqual([
    expect.stringContaining('sealed'),
  ]);
  for (const importer of SEALED.importers)
    expect(await restrictedImports(path.join(root, importer), start)).toEqual([]);
});

test('the CLI reaches Slack only through the wiring', async () => {
  const source = "import { x } from '../slack/app';\nexport const y = x;\n";
  expect(await restrictedImports(fileIn('cli'), source)).toEqual([
    expect.stringContaining('Only the wiring builds the Slack app'),
  ]);
  expect(await restrictedImports(fileIn('wiring'), source)).toEqual([]);
});

test('the domain stays pure: no import of another layer, no I/O', async () => {
  expect(
    await restrictedImports(fileIn('domain'), "import { x } from '../store/types';\nexport const y = x;\n"),
  ).toHaveLength(1);
  expect(await restrictedImports(fileIn('domain'), "import fs from 'node:fs';\nexport const y = fs;\n")).toHaveLength(
    1,
  );
  expect(await restrictedImports(fileIn('domain'), "import { x } from './expiry';\nexport const y = x;\n")).toEqual([]);
});
