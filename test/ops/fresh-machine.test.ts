import fs from 'node:fs';
import path from 'node:path';

/**
 * What a fresh clone needs to pass the README's test command is what the README lists, and CI
 * proves it: .ci/run runs that command after starting only the servers the README names, and
 * installs anything else (promtool) only afterwards, for the checks outside `npm test`.
 */
const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const CI = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

/** The command of the sh block that follows "Run the whole test suite" in the README. */
function readmeTestCommand(): string {
  const match = /Run the whole test suite[^\n]*\n+```sh\n([^\n]+)\n```/.exec(README);
  if (!match) throw new Error('README.md has no "Run the whole test suite" block');
  return match[1].trim();
}

/** The script's top-level statements (function bodies and comments left out), in order. */
function topLevelLines(): string[] {
  const lines: string[] = [];
  let depth = 0;
  for (const raw of CI.split('\n')) {
    const line = raw.trim();
    if (/^[a-z_]+\(\)\s*\{/.test(line)) depth += line.endsWith('}') ? 0 : 1;
    else if (depth > 0 && line === '}') depth -= 1;
    else if (depth === 0 && line && !line.startsWith('#')) lines.push(line);
  }
  return lines;
}

test("the README's test command is npm ci && npm test, and CI runs it first, on what the README lists", () => {
  expect(readmeTestCommand()).toBe('npm ci && npm test');
  const lines = topLevelLines();
  const run = lines.findIndex((line) => line.startsWith(readmeTestCommand()));
  expect(run).toBeGreaterThan(-1);
  // Before it only the servers the README says the tests need (Redis and PostgreSQL).
  expect(README).toMatch(/tests need Redis .* and PostgreSQL/s);
  const before = lines.slice(0, run).filter((line) => !/^(set |cd |[a-z_]+\(\) \{)/.test(line));
  expect(before).toEqual(['ensure_redis', 'ensure_postgres']);
  expect(lines.indexOf('ensure_promtool')).toBeGreaterThan(run);
  expect(lines.indexOf('npm run test:rules')).toBeGreaterThan(lines.indexOf('ensure_promtool'));
});

test('npm test needs no promtool; the promtool checks are npm run test:rules', () => {
  expect(PACKAGE.scripts.test).not.toMatch(/promtool|rules/);
  expect(PACKAGE.scripts['test:rules']).toBe('jest -c jest.rules.config.js');
  expect(fs.readFileSync(path.join(ROOT, 'jest.config.js'), 'utf8')).toContain("'\\\\.promtool\\\\.test\\\\.ts$'");
  const spawning = fs
    .readdirSync(path.join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.endsWith('.promtool.test.ts'))
    .filter((file) =>
      /spawnSync\(\s*'promtool'|spawn\(\s*'promtool'/.test(fs.readFileSync(path.join(ROOT, 'test', file), 'utf8')),
    );
  expect(spawning).toEqual([]);
});

test('engines says what the README says: Node 20 or 22, not 24', () => {
  const said = /Node\.js (\d+) or (\d+) \(not (\d+)/.exec(README);
  expect(said?.slice(1)).toEqual(['20', '22', '24']);
  // npm warns (EBADENGINE), or refuses with engine-strict, on a Node the README rules out.
  expect(PACKAGE.engines.node).toBe(`>=${said?.[1]} <${said?.[3]}`);
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: { node: string } }>;
  };
  expect(lock.packages[''].engines?.node).toBe(PACKAGE.engines.node);
});
