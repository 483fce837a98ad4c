import fs from 'node:fs';
import path from 'node:path';

/**
 * The package version, read from package.json at the package root, found from this file
 * whether it runs from src/ or dist/src/ (as src/sandbox/process.ts finds the built CLI).
 */
export function packageVersion(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}
