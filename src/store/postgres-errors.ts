import { type PostgresTarget, scrubPassword } from './postgres-url';
import { StoreError } from './types';

/** What to check, by the driver's or the server's error code. */
const FIXES: Record<string, string> = {
  ECONNREFUSED: 'check that PostgreSQL is running and listening there, and the host and port in DATABASE_URL',
  ENOTFOUND: 'check the host name in DATABASE_URL',
  EAI_AGAIN: 'check the host name in DATABASE_URL and DNS',
  ETIMEDOUT: 'check that the host is reachable (firewall, security group) and the port in DATABASE_URL',
  EHOSTUNREACH: 'check that the host is reachable (firewall, security group) and the port in DATABASE_URL',
  '28P01': 'check the user and password in DATABASE_URL',
  '28000': "check the user in DATABASE_URL and that the server's pg_hba.conf lets it connect from here",
  '3D000': 'create the database, or fix its name in DATABASE_URL',
  '42501': 'grant the user CREATE on the database (or schema), or run the bot as its owner',
};

const DEFAULT_FIX =
  'check that PostgreSQL is running and reachable there, and the user, password and database in DATABASE_URL';

/** A start-up failure as one StoreError that names the server and says what to check. */
export function startupError(target: PostgresTarget, error: unknown, phase: 'connect' | 'migrate'): StoreError {
  if (error instanceof StoreError)
    return new StoreError(`Cannot open the PostgreSQL store at ${where(target)}: ${error.message}`, { cause: error });
  const code = codeOf(error);
  const fix = (code && FIXES[code]) ?? DEFAULT_FIX;
  const what =
    phase === 'connect' ? 'Cannot connect to PostgreSQL' : 'Cannot create or migrate the store in PostgreSQL';
  return new StoreError(`${what} at ${where(target)}: ${scrubPassword(reason(error), target)}. ${capitalise(fix)}.`, {
    cause: error,
  });
}

function where(target: PostgresTarget): string {
  const schema = target.schema ? `, schema ${target.schema}` : '';
  return `${target.address} (database ${target.database}, user ${target.user}${schema})`;
}

// Duck-typed rather than `instanceof`: errors from Node's sockets may come from another realm
// (a jest sandbox, a worker), where `instanceof Error` is false.
function codeOf(error: unknown): string | undefined {
  const { code, errors } = (error ?? {}) as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Node reports "localhost" tried over IPv6 and IPv4 as an AggregateError without a code.
  if (Array.isArray(errors)) return codeOf(errors[0]);
  return undefined;
}

function reason(error: unknown): string {
  const { message, name, errors } = (error ?? {}) as { message?: unknown; name?: unknown; errors?: unknown };
  if (typeof message === 'string' && message) return message;
  if (Array.isArray(errors) && errors.length > 0) return errors.map(reason).join('; ');
  return typeof name === 'string' ? name : String(error);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Codes of a database that is not there right now (down, restarting, unreachable), not of a wrong query. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
]);

/**
 * Whether a failure means the store's database is unavailable for now: a person is then told
 * so, instead of "something went wrong inside the bot". The driver says some of these only in
 * words (a dropped connection, a pool that could not connect in time).
 */
export function isStoreUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  const message = String((error as { message?: unknown } | undefined)?.message ?? '');
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}
