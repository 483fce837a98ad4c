/**
 * Endpoints as people and settings name them: `host[:port]` (PROBE_TARGETS, `cert-bot probe`),
 * and PROBE_RESOLVE's `host:port=address[:port]`. Pure: every problem is a sentence that says
 * what was wrong and what to write instead.
 */

export const DEFAULT_TLS_PORT = 443;

/** A host name (lowercase, no trailing dot) and a TCP port. */
export interface Endpoint {
  host: string;
  port: number;
}

export const endpointKey = (endpoint: Endpoint): string => `${endpoint.host}:${endpoint.port}`;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6 = /^[0-9a-f:]*:[0-9a-f:]*(:\d{1,3}(\.\d{1,3}){3})?$/i;
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

export function isIpv4(text: string): boolean {
  const match = IPV4.exec(text);
  return match !== null && match.slice(1).every((part) => Number(part) <= 255);
}

/** IPv6 in its text forms (`::1`, `fe80::1`, `::ffff:10.0.0.1`): at least two colons, hex digits. */
export function isIpv6(text: string): boolean {
  return IPV6.test(text) && (text.match(/:/g)?.length ?? 0) >= 2 && text.length <= 45;
}

/** What is wrong with a host name, or undefined: letters, digits, `-` and `_`, labels of 1..63, 253 in all. */
export function hostNameProblem(host: string): string | undefined {
  if (host === '') return 'names no host';
  if (host.includes('*')) return 'is a wildcard: give a name under it (api.example.com for *.example.com)';
  if (host.length > 253) return 'is longer than 253 characters';
  if (!host.split('.').every((label) => LABEL.test(label)))
    return 'is not a host name (letters, digits, "-" and "_" in dot-separated labels, e.g. www.example.com)';
  return undefined;
}

function portOf(text: string): number | string {
  if (!/^\d{1,5}$/.test(text)) return `port "${text.slice(0, 20)}" is not a number from 1 to 65535`;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : `port ${port} is out of range; use 1 to 65535`;
}

/**
 * `host[:port]` (port default 443) or why it is not one: a URL, an IP address, a name with
 * spaces, a Slack mention, a bad port or a bad name each get their own sentence.
 */
export function parseEndpoint(raw: string, defaultPort = DEFAULT_TLS_PORT): Endpoint | { problem: string } {
  const text = raw.trim();
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  const problem = (why: string) => ({ problem: `${shown} ${why}` });
  if (text === '') return { problem: 'an empty name is not an endpoint: give host[:port], e.g. www.example.com' };
  if (/^<[@#!]/.test(text) || /^<.*>$/.test(text))
    return problem('is a Slack mention or link, not a host name: give host[:port], e.g. www.example.com');
  if (/\s/.test(text)) return problem('has spaces: give one host[:port] at a time, e.g. www.example.com:443');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.includes('/'))
    return problem('is a URL: give the host name and port only, e.g. www.example.com:443');
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed || isIpv6(text))
    return problem('is an IP address: a probe needs a host name for SNI (map it to an address with PROBE_RESOLVE)');
  const colon = text.lastIndexOf(':');
  const hostPart = colon < 0 ? text : text.slice(0, colon);
  if (isIpv4(hostPart))
    return problem('is an IP address: a probe needs a host name for SNI (map it to an address with PROBE_RESOLVE)');
  let port = defaultPort;
  if (colon >= 0) {
    const parsed = portOf(text.slice(colon + 1));
    if (typeof parsed === 'string') return { problem: `${shown}: ${parsed}` };
    port = parsed;
  }
  const host = hostPart.toLowerCase().replace(/\.$/, '');
  const hostProblem = hostNameProblem(host);
  return hostProblem ? problem(hostProblem) : { host, port };
}

/** One PROBE_RESOLVE rule: connections to `host:port` (either may be `*`) go to `address` (and `addressPort`). */
export interface ResolveRule {
  host: string | '*';
  port: number | '*';
  address: string;
  /** Another port to connect to (an extension of curl's form, for a listener on a free port). */
  addressPort?: number;
}

/**
 * PROBE_RESOLVE: comma-separated `host:port=address`, as curl's --resolve (`host:port:address`
 * there), where `address` is an IPv4 or IPv6 address, optionally with a port to connect to
 * instead (`127.0.0.1:9443`, `[::1]:9443`), and `*` stands for any host or any port.
 */
export function parseResolveRules(text: string): { rules: ResolveRule[]; problems: string[] } {
  const rules: ResolveRule[] = [];
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const shown = JSON.stringify(entry.slice(0, 80));
    const example = 'e.g. www.example.com:443=10.0.0.5';
    const equals = entry.indexOf('=');
    if (equals < 0) {
      problems.push(`${shown} is not host:port=address; ${example}`);
      continue;
    }
    const left = entry.slice(0, equals);
    const right = entry.slice(equals + 1);
    const colon = left.lastIndexOf(':');
    if (colon < 0) {
      problems.push(`${shown} names no port before "=" (use * for any port); ${example}`);
      continue;
    }
    const hostText = left.slice(0, colon).toLowerCase().replace(/\.$/, '');
    const portText = left.slice(colon + 1);
    const port = portText === '*' ? '*' : portOf(portText);
    const hostProblem = hostText === '*' ? undefined : hostNameProblem(hostText);
    const target = parseAddress(right);
    const entryProblems = [
      ...(typeof port === 'string' && port !== '*' ? [port] : []),
      ...(hostProblem ? [`host ${JSON.stringify(hostText)} ${hostProblem}`] : []),
      ...(typeof target === 'string' ? [target] : []),
    ];
    if (entryProblems.length > 0 || typeof target === 'string') {
      problems.push(`${shown}: ${entryProblems.join('; ')}; ${example}`);
      continue;
    }
    rules.push({
      host: hostText,
      port: port as number | '*',
      address: target.address,
      ...(target.port === undefined ? {} : { addressPort: target.port }),
    });
  }
  return { rules, problems };
}

function parseAddress(text: string): { address: string; port?: number } | string {
  const bracketed = /^\[([^\]]+)\](?::(.+))?$/.exec(text);
  let address = text;
  let portText: string | undefined;
  if (bracketed) {
    address = bracketed[1] as string;
    portText = bracketed[2];
    if (!isIpv6(address)) return `address ${JSON.stringify(text)} is not an IPv6 address`;
  } else if (isIpv6(text)) {
    address = text;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      address = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
    if (!isIpv4(address))
      return `address ${JSON.stringify(text.slice(0, 60))} is not an IP address (a host name is resolved by DNS, not here)`;
  }
  if (portText === undefined) return { address: address.toLowerCase() };
  const port = portOf(portText);
  return typeof port === 'string' ? `address ${port}` : { address: address.toLowerCase(), port };
}

/** The rule for an endpoint: exact host and port first, then host with any port, any host with the port, any. */
export function matchResolveRule(rules: readonly ResolveRule[], endpoint: Endpoint): ResolveRule | undefined {
  const find = (host: string, port: number | '*') => rules.find((r) => r.host === host && r.port === port);
  return find(endpoint.host, endpoint.port) ?? find(endpoint.host, '*') ?? find('*', endpoint.port) ?? find('*', '*');
}
