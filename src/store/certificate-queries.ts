import { type RawBuilder, sql } from 'kysely';
import { CERTIFICATE_STATES, type CertificateState, statePrecedence } from '../domain/certificate-state';
import type { DeploymentState } from '../domain/deployment';
import { EXPIRING_SOON_DAYS } from '../domain/expiry';
import type { CertificateView } from '../domain/views';
import { type Database, type Dialect, readTime } from './database';
import { derivedOnce, todayNumber } from './derivation';
import { type CertificateRow, certificateOf, storable } from './inventory';
import { deployedResourceOf } from './resources';
import { timeValue } from './staging';
import type {
  CertificateCount,
  CertificateFilter,
  CertificateQueries,
  DaysBucket,
  DeployedResource,
  ResourceCount,
  StoredCertificate,
} from './types';

/**
 * The inventory's lists and counts as queries over the columns each sync derived (see
 * ./derivation.ts), judged at the query's `now` by the rules of src/domain, written once here in
 * SQL for SQLite and PostgreSQL alike (the few dialect differences are the helpers at the end).
 * `today` is now's UTC day number; with `replaced := replaced_until_day >= today`:
 *
 *   stale    := replaced AND served_by > 0        renewed  := replaced AND NOT stale
 *   expired  := NOT replaced AND (end_day < today OR (end_day IS NULL AND expired = 1))
 *   expiring := NOT replaced AND end_day <= today + 30 (and not expired)
 *   not-deployed := otherwise AND served_by = 0   valid    := otherwise
 *
 * The order is inUrgencyOrder's: the at-risk states (stale, expired, expiring) first by the day
 * they break (an expired flag without an end day first of all), then state precedence; then the
 * others by end day, unknown last; ties by account then id, the order InventoryStore.list gives
 * and so the order inUrgencyOrder keeps for equal keys.
 *
 * Names are compared lowercased: in JavaScript for the value asked for, with lower() for what is
 * stored, which on SQLite lowers ASCII letters only (domain names are ASCII, IDNs punycode).
 * What /cert-info looks up (an ID, a resource's ID, a domain) is found through an index each
 * (certificate_names holds every CN and SAN lowercased, kept by triggers on every write), then
 * the certificates by their key: a lookup costs the same at 100 certificates as at 100,000.
 */
export function certificateQueries(database: Database): CertificateQueries {
  const { db, dialect } = database;
  const derived = derivedOnce(database);

  return {
    async select(filter, now, page = {}) {
      await derived();
      const today = todayNumber(now);
      const { with: lookups, from, where } = selection(database, filter, today);
      const state = stateCode(today);
      const offset = Math.max(0, Math.floor(page.offset ?? 0));
      const limit = page.limit === undefined ? undefined : Math.max(0, Math.floor(page.limit));
      const atRisk = sql`x.st <= ${AT_RISK_MAX}`;
      const onlyAtRisk = selectsOnlyAtRisk(filter);
      // Every row at risk: the order is the end day (unknown first), then the state, which
      // SQLite reads from the (account, end_day) index, sorting only rows of one end day, and
      // stops at the page's end (the planner, without statistics, would take the primary key).
      const urgencyOrder = onlyAtRisk
        ? sql`ORDER BY x.end_day${dialect === 'postgres' ? sql` NULLS FIRST` : sql``}, x.st, x.account, x.id`
        : sql`
        ORDER BY CASE WHEN ${atRisk} THEN 0 ELSE 1 END,
                 CASE WHEN x.end_day IS NULL THEN (CASE WHEN ${atRisk} THEN 0 ELSE 2 END) ELSE 1 END,
                 x.end_day,
                 CASE WHEN ${atRisk} THEN x.st ELSE 0 END,
                 x.account, x.id`;
      const byEndDay =
        dialect === 'sqlite' &&
        onlyAtRisk &&
        page.order !== 'key' &&
        (filter.accounts?.length ?? 0) > 0 &&
        filter.keys === undefined &&
        from === TABLE;
      const { rows } = await sql<CertificateRow & { st: number | string }>`
        ${lookups}SELECT x.* FROM (SELECT c.*, ${state} AS st
          FROM ${byEndDay ? sql`certificates c INDEXED BY certificates_present_end_day` : from} WHERE ${where}) x
        ${page.order === 'key' ? sql`ORDER BY x.account, x.id` : urgencyOrder}
        ${window(dialect, offset, limit)}`.execute(db);
      const n =
        page.total ??
        (await sql<{ n: number | string }>`${lookups}SELECT count(*) AS n FROM ${from} WHERE ${where}`.execute(db))
          .rows[0].n;
      const stateOf = (row: { st: number | string }) => CERTIFICATE_STATES[Number(row.st)];
      const replaced = rows.filter((row) => REPLACED.has(stateOf(row)) && row.replaced_by !== null);
      const [replacements, resources] = await Promise.all([
        replaced.length === 0
          ? []
          : db
              .selectFrom('certificates')
              .selectAll()
              .where((eb) =>
                eb.or(
                  replaced.map((row) =>
                    eb.and([eb('account', '=', row.account), eb('id', '=', row.replaced_by as string)]),
                  ),
                ),
              )
              .execute(),
        resourcesOf(
          database,
          rows.filter((row) => row.served_by !== null && Number(row.served_by) > 0),
        ),
      ]);
      const replacementOf = new Map(replacements.map((row) => [key(row.account, row.id), row]));
      return {
        total: Number(n),
        rows: rows.map((row): StoredCertificate => {
          const state = stateOf(row);
          const replacement = REPLACED.has(state)
            ? replacementOf.get(key(row.account, row.replaced_by as string))
            : undefined;
          const servedBy = row.served_by === null ? undefined : Number(row.served_by);
          return {
            certificate: certificateOf(row),
            firstSeen: readTime(row.first_seen),
            state,
            ...(replacement
              ? {
                  replacedBy: {
                    certificate: certificateOf(replacement),
                    firstSeen: readTime(replacement.first_seen),
                  },
                }
              : {}),
            servedBy,
            deployment: {
              state: deploymentOf(servedBy, REPLACED.has(state)),
              resources: resources.get(key(row.account, row.id)) ?? [],
            },
          };
        }),
      };
    },

    async counts(filter, now) {
      await derived();
      const today = todayNumber(now);
      const replaced = isReplaced(today);
      const counted = selection(database, filter, today);
      const { rows } = await sql<{
        account: string;
        st: number | string;
        deployment: DeploymentState;
        days: DaysBucket;
        n: number | string;
      }>`
        ${counted.with}SELECT x.account, x.st, x.deployment, x.days, count(*) AS n FROM (
          SELECT c.account,
                 ${stateCode(today)} AS st,
                 CASE WHEN c.served_by IS NULL THEN 'unknown' WHEN c.served_by = 0 THEN 'not-deployed'
                      WHEN ${replaced} THEN 'stale' ELSE 'deployed' END AS deployment,
                 CASE WHEN ${isExpired(today)} THEN 'expired' WHEN c.end_day IS NULL THEN 'unknown'
                      WHEN c.end_day <= ${today + 7} THEN 'le_7' WHEN c.end_day <= ${today + EXPIRING_SOON_DAYS} THEN 'le_30'
                      ELSE 'gt_30' END AS days
          FROM ${counted.from} WHERE ${counted.where}) x
        GROUP BY x.account, x.st, x.deployment, x.days
        ORDER BY x.account, x.st, x.deployment, x.days`.execute(db);
      return rows.map((row): CertificateCount => ({
        account: row.account,
        state: CERTIFICATE_STATES[Number(row.st)],
        deployment: row.deployment,
        days: row.days,
        n: Number(row.n),
      }));
    },

    async resourceCounts(accounts) {
      let query = db
        .selectFrom('cloud_resources')
        .select(['account', 'cloud', 'product', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('removed_at', 'is', null);
      if (accounts !== undefined) {
        if (accounts.length === 0) return [];
        query = query.where('account', 'in', accounts.map(storable));
      }
      const rows = await query
        .groupBy(['account', 'cloud', 'product'])
        .orderBy('account')
        .orderBy('cloud')
        .orderBy('product')
        .execute();
      return rows.map((row): ResourceCount => ({
        account: row.account,
        ...(row.cloud === null ? {} : { cloud: row.cloud }),
        ...(row.product === null ? {} : { product: row.product }),
        n: Number(row.n),
      }));
    },
  };
}

/** The highest state code at risk (stale 0, expired 1, expiring 2: codes are precedences). */
const AT_RISK_MAX = statePrecedence('expiring');
const TABLE = sql`certificates c`;

/** Whether every certificate the filter selects is at risk (stale, expired, expiring) at any `now`. */
function selectsOnlyAtRisk(filter: CertificateFilter): boolean {
  const atRisk = (state: CertificateState) => statePrecedence(state) <= AT_RISK_MAX;
  if (filter.states !== undefined && filter.states.length > 0 && filter.states.every(atRisk)) return true;
  return filter.view === 'expiring' || filter.view === 'expired' || filter.view === 'stale';
}
const REPLACED: ReadonlySet<CertificateState> = new Set(['stale', 'renewed']);

const key = (account: string, id: string) => `${account}\n${id}`;

function deploymentOf(servedBy: number | undefined, replaced: boolean): DeploymentState {
  if (servedBy === undefined) return 'unknown';
  if (servedBy === 0) return 'not-deployed';
  return replaced ? 'stale' : 'deployed';
}

const code = (state: CertificateState) => sql.lit(statePrecedence(state));

function isReplaced(today: number): RawBuilder<boolean> {
  return sql<boolean>`(c.replaced_until_day IS NOT NULL AND c.replaced_until_day >= ${today})`;
}

function isExpired(today: number): RawBuilder<boolean> {
  return sql<boolean>`(c.end_day < ${today} OR (c.end_day IS NULL AND c.expired = 1))`;
}

/** The state at `today` as its precedence (the index in CERTIFICATE_STATES). */
function stateCode(today: number): RawBuilder<number> {
  return sql<number>`CASE
    WHEN ${isReplaced(today)} THEN CASE WHEN c.served_by > 0 THEN ${code('stale')} ELSE ${code('renewed')} END
    WHEN ${isExpired(today)} THEN ${code('expired')}
    WHEN c.end_day <= ${today + EXPIRING_SOON_DAYS} THEN ${code('expiring')}
    WHEN c.served_by = 0 THEN ${code('not-deployed')}
    ELSE ${code('valid')} END`;
}

const NOTHING = sql<boolean>`1 = 0`;

/**
 * The filter as the rows of `certificates c` it selects (present rows only): `WITH … FROM …
 * WHERE …`. A lookup (an ID, a resource, a domain) drives the query: the keys its indexes find
 * are materialized first and joined to the certificates by primary key, left of a CROSS JOIN,
 * which SQLite keeps as the outer loop. (Without planner statistics SQLite would otherwise walk
 * the account's rows and test each against the keys, or push the account's condition into the
 * lookup and walk the account there instead of the index of what was asked.)
 */
function selection(
  database: Database,
  filter: CertificateFilter,
  today: number,
): { with: RawBuilder<unknown>; from: RawBuilder<unknown>; where: RawBuilder<boolean> } {
  const lookups = keyLookups(filter);
  const where = conditions(database, filter, today);
  if (lookups.length === 0) return { with: sql``, from: TABLE, where };
  const names = lookups.map((_, i) => sql.raw(`k${i}`));
  return {
    with: sql`WITH ${sql.join(
      lookups.map((keys, i) => sql`${names[i]} AS MATERIALIZED (${keys})`),
      sql`, `,
    )} `,
    from: sql`k0 CROSS JOIN certificates c`,
    where: sql`c.account = k0.account AND c.id = k0.id AND ${where}${sql.join(
      names.slice(1).map((name) => sql` AND ((c.account, c.id) IN (SELECT account, id FROM ${name}))`),
      sql``,
    )}`,
  };
}

/**
 * The filter's lookups, each the distinct keys (`account`, `id`) of the certificates it finds
 * through an index (an empty one, none asked, selects no key).
 */
function keyLookups(filter: CertificateFilter): RawBuilder<unknown>[] {
  const lookups: RawBuilder<unknown>[] = [];
  if (filter.ids !== undefined) {
    const ids = sql.join(filter.ids.length === 0 ? [null] : filter.ids.map(storable));
    // Two indexed lookups, not one OR: no index serves `id IN … OR certificate_id IN …` as one.
    lookups.push(sql`
      SELECT i.account AS account, i.id AS id FROM certificates i WHERE i.removed_at IS NULL AND i.id IN (${ids})
      UNION SELECT i.account, i.id FROM certificates i WHERE i.removed_at IS NULL AND i.certificate_id IN (${ids})`);
  }
  if (filter.coveringName !== undefined) lookups.push(namesCovering(filter.coveringName));
  if (filter.onResource !== undefined) lookups.push(resourcesNamed(filter.onResource));
  return lookups;
}

/** The filter's other conditions on `certificates c` (present rows only). */
function conditions(database: Database, filter: CertificateFilter, today: number): RawBuilder<boolean> {
  const { dialect } = database;
  const all: RawBuilder<boolean>[] = [sql`c.removed_at IS NULL`];
  if (filter.accounts !== undefined)
    all.push(filter.accounts.length === 0 ? NOTHING : sql`c.account IN (${sql.join(filter.accounts.map(storable))})`);
  if (filter.states !== undefined)
    all.push(
      filter.states.length === 0
        ? NOTHING
        : sql`(${stateCode(today)}) IN (${sql.join([...new Set(filter.states)].map(code))})`,
    );
  if (filter.view !== undefined) all.push(inView(filter.view, today));
  if (filter.keyword) all.push(matchesKeyword(dialect, filter.keyword));
  if (filter.endsWithinDays !== undefined) {
    const within = Math.floor(filter.endsWithinDays);
    all.push(
      Number.isFinite(within)
        ? sql`((c.end_day IS NOT NULL AND c.end_day <= ${today + within}) OR (c.end_day IS NULL AND c.expired = 1))`
        : filter.endsWithinDays > 0
          ? sql`(c.end_day IS NOT NULL OR c.expired = 1)`
          : sql`(c.end_day IS NULL AND c.expired = 1)`,
    );
  }
  if (filter.keys !== undefined)
    all.push(
      filter.keys.length === 0
        ? NOTHING
        : sql`(${sql.join(
            filter.keys.map((k) => sql`(c.account = ${storable(k.account)} AND c.id = ${storable(k.id)})`),
            sql` OR `,
          )})`,
    );
  if (filter.onResource !== undefined) all.push(sql`c.served_by IS NOT NULL`);
  if (filter.replacementSeenAfter !== undefined)
    all.push(sql`${isReplaced(today)} AND EXISTS (
      SELECT 1 FROM certificates r WHERE r.account = c.account AND r.id = c.replaced_by
        AND r.first_seen > ${timeValue(database, filter.replacementSeenAfter)})`);
  return sql<boolean>`${sql.join(all, sql` AND `)}`;
}

/** inView (domain/views): `issued` is the end date alone, the state views the one state. */
function inView(view: CertificateView, today: number): RawBuilder<boolean> {
  switch (view) {
    case 'all':
      return sql`1 = 1`;
    case 'uploaded':
      return sql`c.uploaded = 1`;
    case 'issued':
      return sql`((c.end_day IS NULL AND c.expired = 0) OR c.end_day > ${today + EXPIRING_SOON_DAYS})`;
    case 'expiring':
      // The end-day range is implied by the state; stated, it lets (account, end_day) find the rows.
      return sql`(c.end_day BETWEEN ${today} AND ${today + EXPIRING_SOON_DAYS} AND (${stateCode(today)}) = ${code(view)})`;
    case 'expired':
    case 'stale':
      return sql`(${stateCode(today)}) = ${code(view)}`;
  }
}

/**
 * certificateMatchesKeyword: a part of the CommonName, a SAN or the instance id (the keyword
 * lowercased), or of a serving resource's instance id, listener id or domain (the keyword trimmed
 * and lowercased), resources counting only once they were listed.
 */
function matchesKeyword(dialect: Dialect, keyword: string): RawBuilder<boolean> {
  const needle = keyword.toLowerCase();
  const names = [
    contains(dialect, sql`c.common_name`, needle),
    contains(dialect, sql`c.instance_id`, needle),
    anySan(dialect, (san) => contains(dialect, san, needle)),
  ];
  const resourceNeedle = keyword.trim().toLowerCase();
  if (resourceNeedle !== '')
    names.push(sql`(c.served_by IS NOT NULL AND EXISTS (
      SELECT 1 FROM cloud_resources r
      WHERE r.account = c.account AND r.certificate_id = c.id AND r.removed_at IS NULL
        AND (${contains(dialect, sql`r.instance_id`, resourceNeedle)}
             OR ${contains(dialect, sql`r.listener_id`, resourceNeedle)}
             OR ${contains(dialect, sql`r.domain`, resourceNeedle)})))`);
  return sql`(${sql.join(names, sql` OR `)})`;
}

/**
 * covers(): the host itself, or the wildcard of its parent when its first label is a plain one;
 * found in certificate_names (every CN and SAN lowercased, kept by triggers on every write).
 */
function namesCovering(host: string): RawBuilder<unknown> {
  const name = host.toLowerCase();
  const patterns = [name];
  const dot = name.indexOf('.');
  if (dot > 0 && !name.slice(0, dot).includes('*') && dot + 1 < name.length) patterns.push(`*.${name.slice(dot + 1)}`);
  // An empty host covers nothing: no stored name is empty (a CN or SAN of '' is not kept apart).
  return sql`SELECT DISTINCT n.account AS account, n.id AS id FROM certificate_names n
    WHERE n.name IN (${sql.join(patterns)}) AND n.name <> ''`;
}

/**
 * resourceMatchesQuery: exactly an instance id or listener id, any case, optionally with `:port`;
 * each name looked up in its own index of lower(…).
 */
function resourcesNamed(query: string): RawBuilder<unknown> {
  const text = query.trim().toLowerCase();
  const named = (name: string, port?: string) => {
    const on = port === undefined ? sql`` : sql` AND r.listener_port = ${port}`;
    return sql`
      SELECT r.account AS account, r.certificate_id AS id FROM cloud_resources r
      WHERE r.removed_at IS NULL AND r.certificate_id IS NOT NULL AND lower(r.instance_id) = ${name}${on}
      UNION SELECT r.account, r.certificate_id FROM cloud_resources r
      WHERE r.removed_at IS NULL AND r.certificate_id IS NOT NULL AND lower(r.listener_id) = ${name}${on}`;
  };
  if (text === '') return sql`SELECT r.account AS account, r.certificate_id AS id FROM cloud_resources r WHERE 1 = 0`;
  let serving = named(text);
  const colon = text.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(text.slice(colon + 1)))
    serving = sql`${serving} UNION ${named(text.slice(0, colon), text.slice(colon + 1))}`;
  return serving;
}

/** The present resources serving the given certificates, by account and certificate, in id order. */
async function resourcesOf(
  database: Database,
  certificates: readonly { account: string; id: string }[],
): Promise<Map<string, DeployedResource[]>> {
  const byAccount = new Map<string, string[]>();
  for (const { account, id } of certificates) byAccount.set(account, [...(byAccount.get(account) ?? []), id]);
  const found = new Map<string, DeployedResource[]>();
  if (byAccount.size === 0) return found;
  const rows = await database.db
    .selectFrom('cloud_resources')
    .selectAll()
    .where('removed_at', 'is', null)
    .where((eb) =>
      eb.or(
        [...byAccount].map(([account, ids]) => eb.and([eb('account', '=', account), eb('certificate_id', 'in', ids)])),
      ),
    )
    .execute();
  // Sorted here, not by ORDER BY account, id: that order is the primary key's, and SQLite would
  // walk the account's every resource in it rather than use the index of the certificates asked.
  rows.sort((a, b) => compareText(a.account, b.account) || compareText(a.id, b.id));
  for (const row of rows) {
    const k = key(row.account, row.certificate_id as string);
    found.set(k, [...(found.get(k) ?? []), deployedResourceOf(row)]);
  }
  return found;
}

/** Code-unit order: the key columns' binary order for the ASCII IDs CAS and the clouds give. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ── the dialects' differences ──

/** Whether the lowercased text holds `needle` (already lowercased); NULL text holds nothing. */
function contains(dialect: Dialect, text: RawBuilder<unknown>, needle: string): RawBuilder<boolean> {
  return dialect === 'postgres'
    ? sql`(strpos(lower(${text}), ${needle}) > 0)`
    : sql`(instr(lower(${text}), ${needle}) > 0)`;
}

/** Whether any SAN (the JSON array `c.sans`) satisfies `test`. */
function anySan(dialect: Dialect, test: (san: RawBuilder<unknown>) => RawBuilder<boolean>): RawBuilder<boolean> {
  return dialect === 'postgres'
    ? sql`EXISTS (SELECT 1 FROM jsonb_array_elements_text(c.sans) AS s(v) WHERE ${test(sql`s.v`)})`
    : sql`EXISTS (SELECT 1 FROM json_each(c.sans) AS s WHERE ${test(sql`s.value`)})`;
}

/** LIMIT and OFFSET (SQLite takes no OFFSET without a LIMIT: -1 is none). */
function window(dialect: Dialect, offset: number, limit: number | undefined): RawBuilder<unknown> {
  if (limit === undefined)
    return offset === 0 ? sql`` : dialect === 'postgres' ? sql`OFFSET ${offset}` : sql`LIMIT -1 OFFSET ${offset}`;
  return sql`LIMIT ${limit} OFFSET ${offset}`;
}
