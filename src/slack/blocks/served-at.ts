import { type Certificate, certificateNames } from '../../domain/certificate';
import type { EndpointVerdict } from '../../domain/probe-verdict';
import { covers } from '../../domain/replacement';
import { formatUtc } from '../../render/format';
import { describeVerdict, endpointLabel } from '../../render/probe';
import { moreLine } from './builders';
import { inlineText } from './escape';

/** Most endpoints one /cert-info names. */
const MAX_ENDPOINTS = 8;

const isCertificate = (verdict: EndpointVerdict, certificate: Pick<Certificate, 'account' | 'id'>) =>
  [verdict.served, ...(verdict.alternates ?? [])].some(
    (s) => s?.match?.certificate.account === certificate.account && s.match.certificate.id === certificate.id,
  );

/**
 * The endpoints that matter to one certificate, from the last probe pass: those that served it,
 * and those of a name it covers that served something else (where it should be and is not).
 * Problems first. Pure.
 */
export function endpointsOf(
  verdicts: readonly EndpointVerdict[],
  certificate: Pick<Certificate, 'account' | 'id' | 'commonName' | 'sans'>,
): EndpointVerdict[] {
  const names = certificateNames(certificate);
  return verdicts
    .filter(
      (v) =>
        isCertificate(v, certificate) || (v.verdict !== 'ok' && names.some((name) => covers(name, v.endpoint.host))),
    )
    .sort(
      (a, b) =>
        Number(a.verdict === 'ok') - Number(b.verdict === 'ok') || a.endpoint.host.localeCompare(b.endpoint.host),
    );
}

/** "*Served at:*" and one line per endpoint: its verdict in words and when it was checked. */
export function servedAtText(endpoints: readonly EndpointVerdict[], probing: boolean): string {
  if (!probing) return '*Served at:* not probed (PROBE_INTERVAL_MINUTES is 0)';
  if (endpoints.length === 0) return '*Served at:* no probed endpoint serves it or one of its names yet';
  const lines = endpoints
    .slice(0, MAX_ENDPOINTS)
    .map(
      (v) =>
        `• ${inlineText(endpointLabel(v.endpoint), 200)} — *${v.verdict}*: ${inlineText(describeVerdict(v), 300)} (checked ${formatUtc(v.checkedAt)})`,
    );
  if (endpoints.length > MAX_ENDPOINTS) lines.push(moreLine(endpoints.length - MAX_ENDPOINTS));
  return `*Served at:*\n${lines.join('\n')}`;
}
