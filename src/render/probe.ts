import type { Certificate } from '../domain/certificate';
import { endpointKey } from '../domain/endpoints';
import {
  type ChainProblem,
  type EndpointVerdict,
  type ServedJudgement,
  type VerdictCounts,
  VERDICTS,
} from '../domain/probe-verdict';
import { describeDaysLeft, formatNumber, formatUtc } from './format';

/**
 * Probe verdicts in words, for every surface (terminal, Slack): one sentence that says what an
 * endpoint serves, what is wrong and what the fix is. Pure.
 */

const day = (iso: string) => iso.slice(0, 10);

/** How a CAS certificate is named: its id (with the account when it is not the default one). */
export function casName(certificate: Pick<Certificate, 'account' | 'id' | 'certificateId'>): string {
  const id = certificate.certificateId ?? certificate.id;
  return certificate.account === 'default' ? id : `${id} (${certificate.account})`;
}

/** "certificate 10000012", or "a certificate CAS does not hold (issued by X)". */
function what(served: ServedJudgement): string {
  if (served.match) return `certificate ${casName(served.match.certificate)}`;
  return `a certificate CAS does not hold (issued by ${served.leaf.issuerCommonName ?? served.leaf.issuer})`;
}

export function describeChainProblem(problem: ChainProblem): string {
  switch (problem.kind) {
    case 'missing-intermediate':
      return `the server does not send the intermediate certificate "${problem.issuer}": clients that do not fetch it fail`;
    case 'untrusted':
      return `the chain is not trusted (${problem.code})`;
    case 'intermediate-expires-first':
      return `the intermediate "${problem.certificate}" ends on ${day(problem.notAfter)}, before the certificate does`;
  }
}

/** One served certificate in a sentence, by its verdict. */
export function describeServed(served: ServedJudgement, host: string): string {
  const ends = `ends ${day(served.leaf.notAfter)}, ${describeDaysLeft(served.daysLeft)}`;
  switch (served.verdict) {
    case 'ok':
      return `serves ${what(served)}, the current one (${ends})`;
    case 'old': {
      const renewal = served.replacement as Certificate;
      return `serves ${what(served)} (${ends}), which ${casName(renewal)} renewed${renewal.endDate ? ` (ends ${renewal.endDate})` : ''}: deploy ${casName(renewal)} here`;
    }
    case 'unmanaged':
      return `serves ${what(served)}, ${ends}`;
    case 'expired':
      return `serves ${what(served)}, which expired on ${day(served.leaf.notAfter)}${served.replacement ? `; ${casName(served.replacement)} renewed it: deploy it here` : ''}`;
    case 'expiring':
      return `serves ${what(served)}, which ${ends}`;
    case 'name-mismatch':
      return `serves ${what(served)} for ${served.leaf.names.slice(0, 3).join(', ')}${served.leaf.names.length > 3 ? ', …' : ''}, which does not cover ${host}`;
    case 'chain':
      return `serves ${what(served)}, but ${describeChainProblem(served.chainProblem as ChainProblem)}`;
    default:
      return `serves ${what(served)}`;
  }
}

/** The endpoint's verdict in one sentence. */
export function describeVerdict(verdict: EndpointVerdict): string {
  const { endpoint } = verdict;
  switch (verdict.verdict) {
    case 'unreachable':
      return `unreachable: ${verdict.failure?.message ?? 'the probe failed'}`;
    case 'pending':
      return `failed ${verdict.failure?.failures ?? 1} time(s) in a row (${verdict.failure?.message ?? 'the probe failed'}); not reported yet`;
    case 'alternating': {
      const sides = (verdict.alternates ?? []).map(
        (a) => `${a.match ? casName(a.match.certificate) : 'an unmanaged certificate'} (${a.verdict})`,
      );
      return `alternates between ${sides.join(' and ')}: some edges or servers still serve the old certificate`;
    }
    default:
      return verdict.served ? describeServed(verdict.served, endpoint.host) : verdict.verdict;
  }
}

/** `www.example.com:443`, `www.example.com` for 443. */
export function endpointLabel(endpoint: { host: string; port: number }): string {
  return endpoint.port === 443 ? endpoint.host : endpointKey(endpoint);
}

/** When an endpoint was checked, as lists say it. */
export function describeChecked(verdict: EndpointVerdict): string {
  return `checked ${formatUtc(verdict.checkedAt)}`;
}

/**
 * Endpoints by verdict in one line: "Endpoints: 40 ok · 2 old · 1 unmanaged · 1 unreachable"
 * (verdicts in their fixed order, those with none left out).
 */
export function verdictCountsLine(counts: VerdictCounts): string {
  const parts = VERDICTS.filter((v) => counts[v] > 0).map((v) => `${formatNumber(counts[v])} ${v}`);
  return `Endpoints: ${parts.length > 0 ? parts.join(' · ') : 'none probed'}`;
}
