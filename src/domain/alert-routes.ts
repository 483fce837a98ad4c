/**
 * Alert routing: which Slack channel (and whom to mention) gets a certificate's alerts. Rules
 * come from ALERT_ROUTES (`PATTERN=CHANNEL [MENTION]`) or from a YAML list; the first rule whose
 * pattern matches one of the certificate's names wins. Pure: parsing, validating and matching
 * only; reading the YAML file is the caller's.
 */

export interface AlertRoute {
  pattern: string;
  channel: string;
  mention?: string;
  /** set by a rule written `account:NAME PATTERN=…`; matches only that account */
  account?: string;
}

/** A Slack channel ID: C (public), G (private) or D (direct message), then uppercase letters and digits. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
/** A user `<@U…>`/`<@W…>` or a user group `<!subteam^S…>`, with an optional `|label` (no angle brackets). */
const MENTION = /^(?:<@[UW][A-Z0-9]{2,}|<!subteam\^S[A-Z0-9]{2,})(?:\|[^<>|]*)?>$/;
/** What a host name can hold (letters, digits, hyphens, dots), plus the glob's `*`. */
const PATTERN = /^[A-Za-z0-9.*-]+$/;
const ACCOUNT_PREFIX = 'account:';

/**
 * Case-insensitive glob against one name: `*` matches any characters including dots
 * (`*.pay.example.com` matches `a.b.pay.example.com`); every other character is literal.
 * The whole name must match (the pattern is anchored at both ends); an empty name matches nothing.
 */
export function globMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  if (p === '' || n === '') return false;
  // Iterative wildcard matching with backtracking to the last `*` only: linear in practice,
  // never exponential (no regular expression is built from configuration).
  let pi = 0;
  let ni = 0;
  let star = -1;
  let starNi = 0;
  while (ni < n.length) {
    if (pi < p.length && p[pi] === '*') {
      star = pi;
      starNi = ni;
      pi += 1;
    } else if (pi < p.length && p[pi] === n[ni]) {
      pi += 1;
      ni += 1;
    } else if (star >= 0) {
      pi = star + 1;
      starNi += 1;
      ni = starNi;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}

function quoted(value: string): string {
  return JSON.stringify(value);
}

/** What is wrong with one rule's parts, each as a short phrase (empty when nothing is). */
function routeProblems(pattern: unknown, channel: unknown, mention: unknown, account: unknown): string[] {
  const problems: string[] = [];
  if (typeof pattern !== 'string' || pattern.trim() === '') problems.push('the pattern is empty');
  else if (/\s/.test(pattern.trim())) problems.push(`pattern ${quoted(pattern.trim())} has spaces`);
  else if (!PATTERN.test(pattern.trim()))
    problems.push(
      `pattern ${quoted(pattern.trim())} may hold only letters, digits, '-', '.' and '*' (as a host name can, plus the wildcard)`,
    );
  if (typeof channel !== 'string' || channel.trim() === '') problems.push('the channel is missing');
  else if (!CHANNEL_ID.test(channel.trim()))
    problems.push(`channel ${quoted(channel.trim())} is not a Slack channel ID such as C012ABCDEF`);
  if (mention !== undefined && (typeof mention !== 'string' || !MENTION.test(mention.trim())))
    problems.push(
      `mention ${typeof mention === 'string' ? quoted(mention.trim()) : 'that is not text'} is not a Slack user (<@U012ABCDEF>) or user group (<!subteam^S012ABCDEF>)`,
    );
  if (account !== undefined && (typeof account !== 'string' || !/^\S+$/.test(account.trim())))
    problems.push('the account name is empty or has spaces');
  return problems;
}

function route(pattern: string, channel: string, mention: string | undefined, account: string | undefined): AlertRoute {
  return {
    pattern: pattern.trim(),
    channel: channel.trim(),
    ...(mention !== undefined ? { mention: mention.trim() } : {}),
    ...(account !== undefined ? { account: account.trim() } : {}),
  };
}

/**
 * Rules `PATTERN=CHANNEL` or `PATTERN=CHANNEL MENTION`, separated by `;` or newlines (blank
 * entries ignored); each problem names the rule (1-based) and what is wrong: a bad pattern
 * (empty, spaces, characters a host name cannot have besides `*`), a channel that is not a Slack
 * channel ID (C/G/D + uppercase letters/digits, e.g. C012ABCDEF), a mention that is not
 * `<@U…>`/`<@W…>` or `<!subteam^S…>` (an optional `|label` inside allowed).
 *
 * A rule written `account:NAME PATTERN=CHANNEL …` applies only to that account's certificates.
 * Rules are numbered among the non-blank entries, in the order written.
 */
export function parseAlertRoutes(text: string): { routes: AlertRoute[]; problems: string[] } {
  const routes: AlertRoute[] = [];
  const problems: string[] = [];
  const entries = text
    .split(/[;\n\r]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const number = index + 1;
    let rule = entry;
    let account: string | undefined;
    if (rule.toLowerCase().startsWith(ACCOUNT_PREFIX)) {
      const rest = rule.slice(ACCOUNT_PREFIX.length);
      const space = rest.search(/\s/);
      account = space < 0 ? rest : rest.slice(0, space);
      rule = space < 0 ? '' : rest.slice(space).trim();
      if (account === '') {
        problems.push(`rule ${number}: "account:" must be followed by an account name, then PATTERN=CHANNEL`);
        return;
      }
    }
    const equals = rule.indexOf('=');
    if (equals < 0) {
      problems.push(`rule ${number} (${quoted(entry)}): must be PATTERN=CHANNEL or PATTERN=CHANNEL MENTION`);
      return;
    }
    const pattern = rule.slice(0, equals).trim();
    const target = /^(\S*)\s*(.*)$/.exec(rule.slice(equals + 1).trim());
    const channel = target?.[1] ?? '';
    const mention = target?.[2] ? target[2] : undefined;
    const found = routeProblems(pattern, channel, mention, account);
    if (found.length > 0) problems.push(`rule ${number}: ${found.join('; ')}`);
    else routes.push(route(pattern, channel, mention, account));
  });
  return { routes, problems };
}

const YAML_KEYS = ['match', 'channel', 'mention', 'account'];

/**
 * The same rules from parsed YAML (a list of `{ match, channel, mention? }`; unknown keys refused).
 * An entry may also hold `account` to apply only to that account's certificates. Nothing at all
 * (an empty document) is no rules. Each problem names the entry (1-based).
 */
export function alertRoutesFromYaml(value: unknown): { routes: AlertRoute[]; problems: string[] } {
  if (value === null || value === undefined) return { routes: [], problems: [] };
  if (!Array.isArray(value))
    return { routes: [], problems: ['must be a list of rules, each a map with match, channel and optionally mention'] };
  const routes: AlertRoute[] = [];
  const problems: string[] = [];
  value.forEach((entry: unknown, index) => {
    const number = index + 1;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`entry ${number}: must be a map with match, channel and optionally mention`);
      return;
    }
    const fields = entry as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => !YAML_KEYS.includes(key));
    const found = routeProblems(fields.match, fields.channel, fields.mention ?? undefined, fields.account ?? undefined);
    if (unknown.length > 0)
      found.unshift(`unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map(quoted).join(', ')}`);
    if (found.length > 0) {
      const label = typeof fields.match === 'string' && fields.match.trim() !== '' ? ` (${quoted(fields.match)})` : '';
      problems.push(`entry ${number}${label}: ${found.join('; ')}`);
    } else {
      routes.push(
        route(
          fields.match as string,
          fields.channel as string,
          (fields.mention ?? undefined) as string | undefined,
          (fields.account ?? undefined) as string | undefined,
        ),
      );
    }
  });
  return { routes, problems };
}

/**
 * First route whose pattern matches the CommonName or any SAN (and whose account, if set, is the
 * certificate's) wins; else the default channel (no mention). Undefined when no route matches and
 * there is no default.
 */
export function routeFor(
  certificate: { account: string; commonName?: string; sans: readonly string[] },
  routes: readonly AlertRoute[],
  defaultChannel: string | undefined,
): { channel: string; mention?: string } | undefined {
  const names = [certificate.commonName, ...certificate.sans].filter(
    (name): name is string => typeof name === 'string' && name !== '',
  );
  for (const candidate of routes) {
    if (candidate.account !== undefined && candidate.account !== certificate.account) continue;
    if (names.some((name) => globMatches(candidate.pattern, name)))
      return candidate.mention !== undefined
        ? { channel: candidate.channel, mention: candidate.mention }
        : { channel: candidate.channel };
  }
  return defaultChannel !== undefined && defaultChannel !== '' ? { channel: defaultChannel } : undefined;
}
