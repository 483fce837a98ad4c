import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { configTable, envExample } from '../config';

export function registerDocsConfigCommand(program: Command): void {
  program
    .command('docs-config', { hidden: true })
    .description('Regenerate the configuration table of docs/configuration.md and .env.example from the schema')
    .action(async () => {
      writeConfigDocs(process.cwd());
    });
}

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

/** Where the generated configuration table lives, relative to the project's root. */
export const CONFIG_DOC = path.join('docs', 'configuration.md');

/** The document with the configuration table between its markers replaced by the schema's. */
export function withConfigTable(doc: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${CONFIG_DOC} lacks the ${TABLE_START} … ${TABLE_END} markers`);
  return `${doc.slice(0, start + TABLE_START.length)}\n${configTable()}\n${doc.slice(end)}`;
}

/** Rewrites the configuration table of docs/configuration.md and .env.example from the zod schema. */
export function writeConfigDocs(root: string): void {
  const docPath = path.join(root, CONFIG_DOC);
  fs.writeFileSync(docPath, withConfigTable(fs.readFileSync(docPath, 'utf8')));
  fs.writeFileSync(path.join(root, '.env.example'), envExample());
}
