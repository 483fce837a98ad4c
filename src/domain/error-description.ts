/**
 * What the bot says about an error it did not make, in logs, in answers and in doctor: one
 * describer for unknown values (errors of another realm, strings, undefined), and one table of
 * network reasons with one wording, whichever client met the network error.
 */

export interface ErrorDescription {
  name: string;
  /** The error's own category, where it has one (a CAS error's kind). */
  kind?: string;
  /** A code: a socket's (ECONNREFUSED), Slack's (channel_not_found) or the service's. */
  code?: string;
  /** The first line of its message, at most 300 characters. */
  message: string;
  requestId?: string;
}

export function describeError(error: unknown): ErrorDescription {
  if (error === null || typeof error !== 'object') return { name: typeof error, message: String(error).slice(0, 300) };
  const e = error as { name?: unknown; kind?: unknown; code?: unknown; message?: unknown; requestId?: unknown };
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const description: ErrorDescription = {
    name: text(e.name) ?? 'Error',
    message: (text(e.message) ?? '').split('\n')[0].slice(0, 300),
  };
  const kind = text(e.kind);
  const code = text(e.code);
  const requestId = text(e.requestId);
  if (kind) description.kind = kind;
  if (code) description.code = code;
  if (requestId) description.requestId = requestId;
  return description;
}

/**
 * One word for why a call failed, for a log field and a metric label: Slack's error code
 * (`not_in_channel`), else the error's code (`ECONNRESET`), else its name.
 */
export function failureReason(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error === 'string') return data.error;
  const { code, name } = describeError(error);
  return code ?? (name === 'undefined' || name === 'object' ? 'error' : name);
}

export type NetworkReason = 'timeout' | 'refused' | 'not-found' | 'reset' | 'unreachable' | 'tls' | 'network';

/** Checked in this order: a timeout that ended in a reset is a timeout. */
const NETWORK_PATTERNS: ReadonlyArray<readonly [NetworkReason, RegExp]> = [
  ['timeout', /TimeoutError|AbortError|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|\btimeout\b|timed out/i],
  ['refused', /ECONNREFUSED/],
  ['not-found', /ENOTFOUND|EAI_AGAIN/],
  ['reset', /ECONNRESET|UND_ERR_SOCKET|socket hang up|EPIPE/i],
  ['unreachable', /EHOSTUNREACH|ENETUNREACH/],
  ['tls', /CERT|SSL|TLS|EPROTO/i],
];

const NETWORK_WORDING: Record<NetworkReason, string> = {
  timeout: 'timed out',
  refused: 'connection refused',
  'not-found': 'host not found',
  reset: 'connection reset',
  unreachable: 'host unreachable',
  tls: 'TLS error',
  network: 'network error',
};

/** The network reason the codes and messages of an error's text name ('network' when none). */
export function networkReason(text: string): NetworkReason {
  return NETWORK_PATTERNS.find(([, pattern]) => pattern.test(text))?.[0] ?? 'network';
}

/** The words for a network reason, the same in every message. */
export function networkWording(reason: NetworkReason): string {
  return NETWORK_WORDING[reason];
}
