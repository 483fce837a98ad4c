import fs from 'node:fs';
import path from 'node:path';
import { dockerignore, ROOT } from '../helpers/dockerfile';

/**
 * `docker build .` sends the folder minus what .dockerignore excludes; a COPY of an excluded
 * or missing path fails the build ("file not found in build context or excluded by
 * .dockerignore"). This checks every COPY/ADD source of every stage against the context as
 * Docker would see it, with a library that follows Docker's pattern rules.
 */

const excluded = dockerignore();

interface Copy {
  stage: number;
  line: number;
  sources: string[];
}

/** COPY/ADD instructions that read the build context (not `--from=` another stage). */
function contextCopies(dockerfile: string): Copy[] {
  const copies: Copy[] = [];
  let stage = -1;
  // Joins continuation lines first, so an instruction is one line.
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, index) => {
    const text = raw.trim();
    if (/^FROM\s/i.test(text)) stage += 1;
    const match = /^(COPY|ADD)\s+(.*)$/i.exec(text);
    if (!match) return;
    const rest = match[2].trim();
    const args = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/).filter((arg) => arg !== '');
    const flags = args.filter((arg) => arg.startsWith('--'));
    if (flags.some((flag) => flag.startsWith('--from='))) return;
    const paths = args.filter((arg) => !arg.startsWith('--'));
    copies.push({ stage, line: index + 1, sources: paths.slice(0, -1) });
  });
  return copies;
}

/** Every file under `dir` (relative to the root), recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(relative) : [relative];
  });
}

const copies = contextCopies(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));

test('the Dockerfile copies from the build context in more than one place', () => {
  expect(copies.length).toBeGreaterThan(2);
  expect(copies.flatMap((c) => c.sources)).toEqual(expect.arrayContaining(['package.json', 'src']));
});

test.each(copies.flatMap((copy) => copy.sources.map((source) => ({ ...copy, source }))))(
  'Dockerfile line $line: $source exists in the build context after .dockerignore',
  ({ source }) => {
    const normalised = source.replace(/^\.\//, '').replace(/\/$/, '');
    expect(fs.existsSync(path.join(ROOT, normalised))).toBe(true);
    expect(excluded.ignores(normalised)).toBe(false);
    if (fs.statSync(path.join(ROOT, normalised)).isDirectory())
      expect(filesUnder(normalised).filter((file) => !excluded.ignores(file)).length).toBeGreaterThan(0);
  },
);

test('benchmarks, tests and local data stay out of the image', () => {
  for (const kept of ['bench/cas-list.ts', 'test/config.test.ts', 'data/cert-bot.sqlite', '.env', 'node_modules/x'])
    expect(excluded.ignores(kept)).toBe(true);
  // Nothing copies a benchmark in by another route (a COPY . . would).
  expect(copies.flatMap((c) => c.sources)).not.toContain('.');
});
