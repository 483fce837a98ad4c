import path from 'node:path';
import type { Config } from '../../config';
import { parsePostgresUrl } from '../../store/postgres-url';
import { SQLITE_FILE_NAME } from '../../store/sqlite-store';
import type { StoreState } from '../../store/inspect';
import { type CheckResult, fail, pass, reasonOf, withTimeout } from './report';

const CHECK = 'store';

/** Where the store lives, in words that hold no password. */
export function describeStore(config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>): string {
  if (!config.DATABASE_URL) return `SQLite at ${path.resolve(config.DATA_DIR, SQLITE_FILE_NAME)}`;
  const target = parsePostgresUrl(config.DATABASE_URL);
  const schema = target.schema ? `, schema ${target.schema}` : '';
  return `PostgreSQL at ${target.address} (database ${target.database}, user ${target.user}${schema})`;
}

/**
 * Looks at the store `serve` would open without changing it: doctor only reads, so a fresh
 * store is reported as such, never created or migrated here.
 */
export async function checkStore(
  config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>,
  inspect: () => Promise<StoreState>,
): Promise<CheckResult> {
  const where = describeStore(config);
  try {
    const state = await withTimeout(inspect());
    switch (state.kind) {
      case 'absent':
        return pass(CHECK, `${where}: the store has no tables yet, it will be created at first start`);
      case 'current':
        return pass(CHECK, `${where} opens, schema up to date (version ${state.version})`);
      case 'behind':
        return pass(
          CHECK,
          `${where} opens, schema version ${state.version}; the bot migrates it to version ${state.latest} at its next start`,
        );
      case 'ahead':
        return fail(
          CHECK,
          `${where} has schema version ${state.version}, newer than this bot (${state.latest})`,
          `run the newer bot version, or point ${config.DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR'} at another store`,
        );
    }
  } catch (error) {
    // The store's messages say where and what to check; doctor says where itself, then the
    // driver's reason, then (after the dash) what to check.
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    const reason = reasonOf(cause ?? error).replace(/\.$/, '');
    const sentences = reasonOf(error).split(/\.\s+(?=[A-Z])/);
    const fix = config.DATABASE_URL
      ? sentences.length > 1
        ? sentences[sentences.length - 1].replace(/\.$/, '').replace(/^[A-Z]/, (c) => c.toLowerCase())
        : 'check that PostgreSQL is reachable, and the user, password and database in DATABASE_URL'
      : `make DATA_DIR (${path.resolve(config.DATA_DIR)}) a folder the bot's user can write, or point DATA_DIR at one; move a file that is not a SQLite database aside`;
    return fail(CHECK, `${where} cannot be opened: ${reason}`, fix);
  }
}
