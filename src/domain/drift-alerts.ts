/**
 * Drift alerts: which endpoint verdicts are announced, the key each is announced once under,
 * how acknowledgements and snoozes hold them, when a posted one counts as fixed, where it is
 * routed, and its words. Pure: verdicts and the alerts posted before come in as data, the
 * current time is passed in.
 *
 * Every verdict but `ok` and `pending` is announced (`unreachable` only comes after
 * PROBE_FAILURES_BEFORE_ALERT failures in a row: see probe-verdict.ts), once per (endpoint,
 * served fingerprint, verdict): an endpoint that goes from `expiring` to `expired` on the same
 * certificate, or starts serving another wrong certificate, is announced again; the same
 * finding pass after pass is not.
 */
import { type AlertRoute, routeFor } from './alert-routes';
import { type Endpoint, endpointKey } from './endpoints';
import { type EndpointVerdict, PROBE_FINDINGS, type Verdict } from './probe-verdict';

/** The verdicts a drift alert announces: every finding (what `--fail-on` names), not `ok` nor `pending`. */
export const DRIFT_ALERT_VERDICTS: readonly Verdict[] = PROBE_FINDINGS;

/** What one drift alert is about: the endpoint, what it served (SHA-256; none when unreachable) and the verdict. */
export interface DriftAlertKey {
  host: string;
  port: number;
  /** The served leaf's SHA-256; every certificate seen, sorted and comma-separated, when alternating; '' when unreachable. */
  fingerprint: string;
  verdict: Verdict;
}

/** A drift alert as posted, with what people did about it and whether it was fixed since. */
export interface DriftAlertRecord extends DriftAlertKey {
  channel: string;
  ts: string;
  postedAt: Date;
  mention?: string;
  /** The endpoint's verdict when the alert was posted (what the message describes). */
  detail: EndpointVerdict;
  acknowledgedBy?: string;
  acknowledgedAt?: Date;
  snoozedBy?: string;
  snoozedUntil?: Date;
  /** A later probe found the endpoint fixed, or serving something else: when, and what. */
  resolvedAt?: Date;
  resolution?: DriftResolution;
}

/** How a posted drift alert ended: `fixed` (the endpoint is ok now) or `changed` (another finding now). */
export interface DriftResolution {
  kind: 'fixed' | 'changed';
  verdict: Verdict;
  /** The CAS certificate served now (`fixed`: the current one), as people name it. */
  certificate?: { account: string; id: string };
}

/** Whether a verdict is announced by a drift alert. */
export function alertsOnVerdict(verdict: Verdict): boolean {
  return DRIFT_ALERT_VERDICTS.includes(verdict);
}

/** The fingerprint part of the key: what the endpoint served. */
export function servedFingerprint(verdict: EndpointVerdict): string {
  if (verdict.verdict === 'alternating' && verdict.alternates && verdict.alternates.length > 0)
    return [...new Set(verdict.alternates.map((a) => a.leaf.sha256))].sort().join(',');
  return verdict.served?.leaf.sha256 ?? '';
}

/** The key a verdict is announced under, or undefined when it is not announced (`ok`, `pending`). */
export function driftAlertKey(verdict: EndpointVerdict): DriftAlertKey | undefined {
  if (!alertsOnVerdict(verdict.verdict)) return undefined;
  return {
    host: verdict.endpoint.host,
    port: verdict.endpoint.port,
    fingerprint: servedFingerprint(verdict),
    verdict: verdict.verdict,
  };
}

export const sameDriftKey = (a: DriftAlertKey, b: DriftAlertKey): boolean =>
  a.host === b.host && a.port === b.port && a.fingerprint === b.fingerprint && a.verdict === b.verdict;

/** The key as one word, for claims and message metadata: `host:port/verdict/fingerprint`. */
export function driftKeyText(key: DriftAlertKey): string {
  return `${endpointKey(key)}/${key.verdict}/${key.fingerprint || '-'}`;
}

/**
 * Whether the people who handled the endpoint's earlier alerts hold this one back: a snooze
 * (on any alert of the endpoint, while it lasts) holds every new alert of it; an
 * acknowledgement holds new alerts about the same served certificate, except `expired` (as
 * the expiry day of a certificate, no acknowledgement mutes an endpoint serving an expired one).
 */
export function driftAlertHeld(
  key: DriftAlertKey,
  earlier: readonly DriftAlertRecord[],
  now: Date,
): 'snoozed' | 'acknowledged' | undefined {
  const mine = earlier.filter((r) => r.host === key.host && r.port === key.port);
  if (mine.some((r) => (r.snoozedUntil?.getTime() ?? 0) > now.getTime())) return 'snoozed';
  if (key.verdict !== 'expired' && mine.some((r) => r.acknowledgedBy && r.fingerprint === key.fingerprint))
    return 'acknowledged';
  return undefined;
}

/**
 * What became of a posted alert at the endpoint's latest verdict: `fixed` once it serves the
 * current certificate (`ok`), `changed` once it has another finding (announced by an alert of
 * its own); undefined while the finding stands, while a failure is being retried (`pending`),
 * or when the endpoint is no longer probed (nothing to say about it).
 */
export function driftResolution(
  alert: DriftAlertKey,
  current: EndpointVerdict | undefined,
): DriftResolution | undefined {
  if (!current || current.verdict === 'pending') return undefined;
  const matched = current.served?.match?.certificate;
  const certificate = matched ? { account: matched.account, id: matched.certificateId ?? matched.id } : undefined;
  if (current.verdict === 'ok') return { kind: 'fixed', verdict: 'ok', ...(certificate ? { certificate } : {}) };
  const key = driftAlertKey(current);
  if (!key || sameDriftKey(key, alert)) return undefined;
  return { kind: 'changed', verdict: current.verdict, ...(certificate ? { certificate } : {}) };
}

/**
 * Where an endpoint's alert goes: the first route whose pattern matches the host name (a route
 * limited to an account applies when the endpoint serves one of that account's certificates),
 * else that account's own channel, else the default channel.
 */
export function driftRoute(
  verdict: EndpointVerdict,
  routes: readonly AlertRoute[],
  accountChannels: Readonly<Record<string, string>>,
  defaultChannel: string | undefined,
): { channel: string; mention?: string } | undefined {
  const account = verdict.served?.match?.certificate.account;
  return routeFor(
    { account: account ?? '', commonName: verdict.endpoint.host, sans: [] },
    routes,
    (account === undefined ? undefined : accountChannels[account]) ?? defaultChannel,
  );
}

/** How a CAS certificate is named in a drift alert: its id, with the account when not the default one. */
export function driftCertificateName(certificate: { account: string; id: string }): string {
  return certificate.account === 'default' ? certificate.id : `${certificate.id} (${certificate.account})`;
}

/** The words of a resolved alert: "now serves 32900014", or "now unmanaged: `/cert-list drift` shows it". */
export function resolutionPhrase(resolution: DriftResolution): string {
  if (resolution.kind === 'fixed')
    return resolution.certificate
      ? `now serves ${driftCertificateName(resolution.certificate)}`
      : 'now serves the current certificate';
  return `now ${resolution.verdict}${resolution.certificate ? ` (serves ${driftCertificateName(resolution.certificate)})` : ''}: \`/cert-list drift\` shows it`;
}

/** A message's title: "2 endpoints do not serve the current certificate". */
export function driftAlertTitle(endpoints: number): string {
  return `${endpoints} ${endpoints === 1 ? 'endpoint does' : 'endpoints do'} not serve the current certificate`;
}

/** The endpoint of a key, as the domain names endpoints. */
export const driftEndpoint = (key: DriftAlertKey): Endpoint => ({ host: key.host, port: key.port });
