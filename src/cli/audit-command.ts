import type { Command } from 'commander';
import path from 'node:path';
import { type Config, loadConfig } from '../config';
import { formatUtc } from '../render/format';
import { openStore } from '../store';
import { auditDetails } from '../store/audit-log';
import { SQLITE_FILE_NAME, sqliteStoreExists } from '../store/sqlite-store';
import type { AuditEntry, AuditFilter } from '../store/types';
import { type Output, UsageError } from './output';
import { type CliContext, withOutput } from './context';

export function registerAuditCommand(program: Command, context: CliContext): void {
  program
    .command('audit')
    .description('The audit log (every /cert-assign attempt, alert acknowledgements and snoozes), newest first')
    .option('--since <date>', 'only entries from this ISO date or date-time on (2026-11-01, 2026-11-01T09:00Z; UTC)')
    .option('--user <id>', "only this Slack user's entries (U… or W…)")
    .option('--limit <n>', 'at most this many entries (default 100)')
    .option('--json', 'exact JSON entries')
    .action(async (options: AuditCommandOptions) => {
      await withOutput(context, Boolean(options.json), async (output) => {
        const config = loadConfig(context.env);
        context.exitCode = await auditCommand(config, options, output);
      });
    });
}

export interface AuditCommandOptions {
  since?: string;
  user?: string;
  /** As typed; default 100. */
  limit?: string;
  json?: boolean;
}

export const DEFAULT_AUDIT_LIMIT = 100;

const SINCE_FORMAT = 'an ISO date or date-time, UTC unless it ends in an offset (e.g. 2026-11-01 or 2026-11-01T09:00Z)';

/** Shown inside one error line: no control characters, not too long. */
const quoted = (text: string): string => `"${plain(text.slice(0, 40))}"`;

/**
 * `2026-11-01`, `2026-11-01T09:00`, `2026-11-01T09:00:30.5Z`, `2026-11-01T09:00+02:00`: a real
 * calendar date and time, read as UTC unless it carries an offset; undefined otherwise.
 */
export function parseSince(text: string): Date | undefined {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
      text.trim(),
    );
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const ms = Number((match[7] ?? '0').padEnd(3, '0'));
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  utc.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999.
  const real =
    utc.getUTCFullYear() === year &&
    utc.getUTCMonth() === month - 1 &&
    utc.getUTCDate() === day &&
    utc.getUTCHours() === hour &&
    utc.getUTCMinutes() === minute &&
    utc.getUTCSeconds() === second;
  if (!real) return undefined;
  const zone = match[8];
  if (zone === undefined || zone.toUpperCase() === 'Z') return utc;
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!offset || Number(offset[2]) > 23 || Number(offset[3]) > 59) return undefined;
  const minutes = (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
  return new Date(utc.getTime() - minutes * 60_000);
}

/** The filter and limit the options ask for; bad input is a UsageError (exit 2), one line. */
export function auditQuery(options: AuditCommandOptions): { filter: AuditFilter; limit: number } {
  const filter: AuditFilter = {};
  if (options.since !== undefined) {
    const since = parseSince(options.since);
    if (since === undefined) throw new UsageError(`--since takes ${SINCE_FORMAT}, not ${quoted(options.since)}`);
    filter.since = since;
  }
  if (options.user !== undefined) {
    if (!/^[UW][A-Z0-9]{2,}$/.test(options.user))
      throw new UsageError(`--user takes a Slack user ID (U… or W…, capitals and digits), not ${quoted(options.user)}`);
    filter.userId = options.user;
  }
  let limit = DEFAULT_AUDIT_LIMIT;
  if (options.limit !== undefined) {
    limit = /^\d{1,9}$/.test(options.limit.trim()) ? Number(options.limit.trim()) : 0;
    if (limit < 1) throw new UsageError(`--limit takes a whole number of entries from 1, not ${quoted(options.limit)}`);
  }
  return { filter, limit };
}

/** Stored text made safe for a terminal: control characters (escape sequences) and bidi overrides become spaces. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');
}

/** An entry as exact JSON: the stored fields, times in ISO 8601 UTC, absent ones left out. */
function entryJson(entry: AuditEntry): Record<string, unknown> {
  return {
    at: entry.at.toISOString(),
    userId: entry.userId,
    ...(entry.teamId !== undefined ? { teamId: entry.teamId } : {}),
    ...(entry.channelId !== undefined ? { channelId: entry.channelId } : {}),
    action: entry.action,
    outcome: entry.outcome,
    details: entry.details,
    ...(entry.requestId !== undefined ? { requestId: entry.requestId } : {}),
  };
}

/** What the filter asked for, for the "No audit entries" line. */
function filterText(filter: AuditFilter): string {
  const parts: string[] = [];
  if (filter.since) parts.push(`since ${formatUtc(filter.since)}`);
  if (filter.userId) parts.push(`of ${filter.userId}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

/**
 * `cert-bot audit`: the audit log (every /cert-assign attempt, alert acknowledgements and
 * snoozes), newest first, from DATA_DIR's SQLite file or DATABASE_URL. Reading never creates a
 * store: without a SQLite file there is nothing to show. Returns the exit code.
 */
export async function auditCommand(
  config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>,
  options: AuditCommandOptions,
  output: Output,
): Promise<number> {
  const { filter, limit } = auditQuery(options);
  if (!config.DATABASE_URL && !sqliteStoreExists(config.DATA_DIR)) {
    const note = `No audit entries (no store yet at ${path.resolve(config.DATA_DIR, SQLITE_FILE_NAME)})`;
    if (output.json) {
      output.out('[]');
      output.err(note);
    } else output.out(note);
    return 0;
  }
  const store = await openStore(config);
  let entries: AuditEntry[];
  try {
    entries = await store.audit.list(limit, filter);
  } finally {
    await store.close();
  }
  if (output.json) {
    output.out(JSON.stringify(entries.map(entryJson), null, 2));
    return 0;
  }
  if (entries.length === 0) {
    output.out(`No audit entries${filterText(filter)}`);
    return 0;
  }
  const headings = ['WHEN', 'USER', 'ACTION', 'OUTCOME', 'DETAILS', 'REQUEST ID'];
  const cells = entries.map((entry) => [
    formatUtc(entry.at),
    plain(entry.userId),
    plain(entry.action),
    plain(entry.outcome),
    auditDetails(entry.details)
      .map((fact) => plain(`${fact.label} ${fact.value}`))
      .join(', '),
    plain(entry.requestId ?? ''),
  ]);
  const widths = headings.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((cell, i) => (i === c.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  output.out([line(headings), ...cells.map(line)].join('\n'));
  if (entries.length === limit) output.out(`The latest ${limit} entries are shown; there may be more (--limit N).`);
  return 0;
}
