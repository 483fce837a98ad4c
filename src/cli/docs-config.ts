import fs from 'node:fs';
import path from 'node:path';
import { configTable, envExample } from '../config';

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

/** README with the configuration table between its markers replaced by the schema's. */
export function readmeWithConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${configTable()}\n${readme.slice(end)}`;
}

/** Rewrites the README's configuration table and .env.example from the zod schema. */
export function writeConfigDocs(root: string): void {
  const readmePath = path.join(root, 'README.md');
  fs.writeFileSync(readmePath, readmeWithConfigTable(fs.readFileSync(readmePath, 'utf8')));
  fs.writeFileSync(path.join(root, '.env.example'), envExample());
}
