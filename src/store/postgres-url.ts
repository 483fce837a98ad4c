import { StoreError } from './types';

/** Where a DATABASE_URL points, in the words an error message may use (never the password). */
export interface PostgresTarget {
  /** The URL handed to pg: the given one, with the schema's search_path in its `options`. */
  connectionString: string;
  /** host:port */
  address: string;
  database: string;
  user: string;
  /** Only to scrub it from driver messages before they reach a log. */
  password: string;
  /** The schema the store's tables live in, when one is named; created on start if missing. */
  schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// libpq's `options` forms: "-c search_path=x", "-csearch_path=x" and "--search_path=x".
const SEARCH_PATH_OPTION = /(?:^|\s)(?:-c\s*|--)search_path=(\S*)/;

/**
 * Reads DATABASE_URL. A schema comes from `schema` or from the URL's own
 * `?options=-c search_path=<schema>` (which pg and libpq both honour), so one URL can place a
 * deployment, or a test run, in its own schema.
 */
export function parsePostgresUrl(url: string, schema?: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    // The URL itself is not repeated: it may hold a password.
    throw new StoreError('DATABASE_URL is not a valid URL; expected postgres://user:password@host:5432/database', {
      cause: error,
    });
  }
  const host = parsed.searchParams.get('host') || decodeURIComponent(parsed.hostname) || 'localhost';
  const port = parsed.searchParams.get('port') || parsed.port || '5432';
  const target: PostgresTarget = {
    connectionString: url,
    address: `${host}:${port}`,
    database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
    user: decodeURIComponent(parsed.username) || 'postgres',
    password: decodeURIComponent(parsed.password),
  };

  const options = parsed.searchParams.get('options') ?? '';
  if (schema === undefined) {
    const named = SEARCH_PATH_OPTION.exec(options)?.[1]?.toLowerCase();
    // A list ("a,public") or "$user" is left to the server: there is no single schema to create.
    if (named && SCHEMA_NAME.test(named)) target.schema = named;
    return target;
  }
  if (!SCHEMA_NAME.test(schema))
    throw new StoreError(
      `Invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and _ (at most 63, not starting with a digit)`,
    );
  const others = options.replace(SEARCH_PATH_OPTION, '').trim();
  parsed.searchParams.set('options', `${others} -c search_path=${schema}`.trim());
  return { ...target, connectionString: parsed.toString(), schema };
}

/** A driver message with the password taken out, in case a server or proxy echoes it. */
export function scrubPassword(text: string, target: PostgresTarget): string {
  return target.password ? text.split(target.password).join('***') : text;
}
