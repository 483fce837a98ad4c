/**
 * What an endpoint's probes mean, against what CAS holds: one verdict per endpoint. Pure: the
 * probes (ProbeObservation) come in as data, the current time is passed in.
 *
 * - `ok`: serves a CAS certificate with no replacement, valid, covering the name, on a sound chain;
 * - `old`: serves a CAS certificate another one renewed (domain/replacement): the replacement is named;
 * - `unmanaged`: serves a certificate CAS does not hold (its issuer and end date are shown);
 * - `expired` / `expiring`: the served leaf's own end date (within 30 days), whatever CAS says;
 * - `name-mismatch`: the leaf does not cover the name;
 * - `chain`: untrusted, a missing intermediate, or an intermediate ending before the leaf;
 * - `unreachable`: the probe failed (DNS, refused, timeout, TLS alert...) that many times in a row;
 *   `pending` before that: a failure not yet reported;
 * - `alternating`: two or more certificates seen within one interval (CDN edges half-way through
 *   a rollout, servers behind a balancer that disagree), each judged on its own. An interval's
 *   probes are a pass's handshakes, seconds apart: a caller passes only those, so the next
 *   interval judges a finished deployment on what it serves then.
 *
 * A served certificate is matched on its SHA-256 (CAS's Sha2), else its SHA-1 (Fingerprint),
 * else, for certificates CAS gave no fingerprint for, its serial number; hex case, separators
 * and a serial's leading zeros do not matter.
 */
import type { Certificate } from './certificate';
import type { Endpoint } from './endpoints';
import { daysLeft, EXPIRING_SOON_DAYS } from './expiry';
import { covers, findReplacementsByAccount } from './replacement';

export const VERDICTS = [
  'ok',
  'old',
  'unmanaged',
  'expired',
  'expiring',
  'name-mismatch',
  'chain',
  'unreachable',
  'alternating',
  'pending',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The verdicts that are findings (what `--fail-on` names); `ok` and `pending` are not. */
export const PROBE_FINDINGS = [
  'old',
  'expired',
  'expiring',
  'name-mismatch',
  'chain',
  'unmanaged',
  'unreachable',
  'alternating',
] as const;
export type ProbeFinding = (typeof PROBE_FINDINGS)[number];

/** Findings of one served certificate, most urgent first: its verdict is the first. */
const SERVED_PRECEDENCE = ['expired', 'name-mismatch', 'chain', 'old', 'expiring', 'unmanaged'] as const;
type ServedFinding = (typeof SERVED_PRECEDENCE)[number];

/** One certificate as an endpoint served it (probe/served-certificate.ts reads it off the wire). */
export interface ServedCertificate {
  /** The subject and issuer distinguished names, one line each (`CN=www.example.com`). */
  subject: string;
  issuer: string;
  commonName?: string;
  issuerCommonName?: string;
  /** DNS names of the subjectAltName, lowercase; the CommonName when it has none. */
  names: string[];
  /** Uppercase hex, whole bytes, as the certificate encodes it (matching ignores leading zeros). */
  serialNumber: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** Uppercase hex without separators. */
  sha1: string;
  sha256: string;
  /** Its subject is its issuer: a root, or a self-signed leaf. */
  selfIssued: boolean;
  ca: boolean;
}

/** Why a probe got no certificate. */
export const PROBE_FAILURE_REASONS = [
  'denied',
  'dns',
  'refused',
  'timeout',
  'reset',
  'closed',
  'tls-alert',
  'not-tls',
  'tls-error',
  'network',
] as const;
export type ProbeFailureReason = (typeof PROBE_FAILURE_REASONS)[number];

/** One probe of one endpoint: the chain it was served, or why there was none. */
export type ProbeObservation =
  | {
      ok: true;
      endpoint: Endpoint;
      at: Date;
      /** The address connected to. */
      address: string;
      /** TCP connect to the end of the TLS handshake, in milliseconds. */
      handshakeMs: number;
      protocol?: string;
      leaf: ServedCertificate;
      /** What was served after the leaf, in issuer order (as far as it links up). */
      chain: ServedCertificate[];
      /** The chain verified against the public roots and PROBE_CA_FILE (the name is not part of it). */
      trusted: boolean;
      /** OpenSSL's verification error code when not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE...). */
      trustError?: string;
    }
  | {
      ok: false;
      endpoint: Endpoint;
      at: Date;
      address?: string;
      reason: ProbeFailureReason;
      message: string;
    };

export type ProbeSuccess = Extract<ProbeObservation, { ok: true }>;

/** A certificate of the inventory, with the replacement the bot worked out when it has one. */
export type ProbeInventoryCertificate = Certificate & { replacedBy?: Certificate; removedAt?: Date };

export type ChainProblem =
  | { kind: 'untrusted'; code: string }
  | { kind: 'missing-intermediate'; issuer: string }
  | { kind: 'intermediate-expires-first'; certificate: string; notAfter: string };

/** What one served certificate is, against the inventory. */
export interface ServedJudgement {
  leaf: ServedCertificate;
  chain: ServedCertificate[];
  /** `ok` or the first finding. */
  verdict: Verdict;
  findings: ServedFinding[];
  /** The CAS certificate it is, and what matched. */
  match?: { certificate: ProbeInventoryCertificate; by: 'sha256' | 'sha1' | 'serial' };
  /** The certificate that renewed the one served (with `old`). */
  replacement?: Certificate;
  chainProblem?: ChainProblem;
  /** Whole days from now to the leaf's end (negative once it has passed). */
  daysLeft: number | undefined;
  /** How it was served: whether the chain verified, where and how fast. */
  trusted: boolean;
  trustError?: string;
  address: string;
  handshakeMs: number;
  protocol?: string;
  at: Date;
}

export interface EndpointVerdict {
  endpoint: Endpoint;
  verdict: Verdict;
  /** Every finding, most urgent first (for `--fail-on`); empty for `ok` and `pending`. */
  findings: ProbeFinding[];
  /** When the latest probe ran. */
  checkedAt: Date;
  /** The latest certificate served. */
  served?: ServedJudgement;
  /** `alternating`: each certificate seen, the latest first. */
  alternates?: ServedJudgement[];
  /** The latest probe failed: why, and how many failed in a row. */
  failure?: { reason: ProbeFailureReason; message: string; failures: number };
  /** Failed probes in a row up to now (0 once one succeeds): what the next call takes as `previousFailures`. */
  consecutiveFailures: number;
}

/** Uppercase hex digits only: `ab:CD-01` and `ABCD01` are the same fingerprint. */
export function normaliseHex(text: string | undefined): string {
  return (text ?? '').replace(/[^0-9a-f]/gi, '').toUpperCase();
}

/** A serial as hex digits without leading zeros (`00:0A:1B` → `A1B`). */
export function normaliseSerial(text: string | undefined): string {
  const hex = normaliseHex(text);
  return hex === '' ? '' : hex.replace(/^0+(?=.)/, '');
}

/** The inventory indexed for matching, with each certificate's replacement. */
export interface ProbeInventory {
  match(leaf: ServedCertificate): ServedJudgement['match'];
  replacementOf(certificate: ProbeInventoryCertificate): Certificate | undefined;
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  if (key === '') return;
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Indexes the certificates a pass matches against (present ones; removed ones are left out). A
 * certificate's replacement is its `replacedBy` when the inventory worked it out, else the rule
 * of domain/replacement applied here to the same certificates.
 */
export function indexProbeInventory(certificates: readonly ProbeInventoryCertificate[], now: Date): ProbeInventory {
  const present = certificates.filter((c) => !(c.removedAt && c.removedAt.getTime() <= now.getTime()));
  const bySha256 = new Map<string, ProbeInventoryCertificate[]>();
  const bySha1 = new Map<string, ProbeInventoryCertificate[]>();
  const bySerial = new Map<string, ProbeInventoryCertificate[]>();
  for (const certificate of present) {
    push(bySha256, normaliseHex(certificate.sha2), certificate);
    push(bySha1, normaliseHex(certificate.fingerprint), certificate);
    // The serial only stands in when CAS gave no fingerprint to compare.
    if (!certificate.sha2 && !certificate.fingerprint)
      push(bySerial, normaliseSerial(certificate.serialNo), certificate);
  }
  const needed = present.some((c) => c.replacedBy === undefined);
  const computed = needed ? findReplacementsByAccount(present, now) : new Map<string, Map<string, Certificate>>();
  return {
    match(leaf) {
      const sha256 = bySha256.get(leaf.sha256)?.[0];
      if (sha256) return { certificate: sha256, by: 'sha256' };
      const sha1 = bySha1.get(leaf.sha1)?.[0];
      if (sha1) return { certificate: sha1, by: 'sha1' };
      const serial = bySerial.get(normaliseSerial(leaf.serialNumber))?.[0];
      return serial ? { certificate: serial, by: 'serial' } : undefined;
    },
    replacementOf(certificate) {
      return certificate.replacedBy ?? computed.get(certificate.account)?.get(certificate.id);
    },
  };
}

/**
 * What is wrong with the chain served, if anything: untrusted (with OpenSSL's code), the leaf's
 * issuer not served (a missing intermediate), or an intermediate that ends before the leaf.
 * A verification error that the leaf's own dates explain is the leaf's finding, not the chain's.
 */
export function chainProblemOf(probe: ProbeSuccess, now: Date): ChainProblem | undefined {
  const { leaf, chain } = probe;
  const leafEnd = Date.parse(leaf.notAfter);
  if (!probe.trusted) {
    const code = probe.trustError ?? 'UNKNOWN';
    const outOfDate = leafEnd < now.getTime() || Date.parse(leaf.notBefore) > now.getTime();
    const explainedByLeaf = outOfDate && /^CERT_(HAS_EXPIRED|NOT_YET_VALID)$/.test(code);
    if (!explainedByLeaf) {
      if (!leaf.selfIssued && !chain.some((c) => c.subject === leaf.issuer))
        return { kind: 'missing-intermediate', issuer: leaf.issuerCommonName ?? leaf.issuer };
      return { kind: 'untrusted', code };
    }
  }
  const early = chain.find((c) => !c.selfIssued && Date.parse(c.notAfter) < leafEnd);
  if (early)
    return {
      kind: 'intermediate-expires-first',
      certificate: early.commonName ?? early.subject,
      notAfter: early.notAfter,
    };
  return undefined;
}

/** One served certificate judged for `host` at `now`. */
export function judgeServed(probe: ProbeSuccess, inventory: ProbeInventory, now: Date): ServedJudgement {
  const { leaf, chain } = probe;
  const match = inventory.match(leaf);
  const replacement = match ? inventory.replacementOf(match.certificate) : undefined;
  const chainProblem = chainProblemOf(probe, now);
  const expired = Date.parse(leaf.notAfter) < now.getTime();
  const days = daysLeft(leaf.notAfter, now);
  const found: Record<ServedFinding, boolean> = {
    expired,
    'name-mismatch': !leaf.names.some((pattern) => covers(pattern, probe.endpoint.host)),
    chain: chainProblem !== undefined,
    old: replacement !== undefined,
    expiring: !expired && days !== undefined && days <= EXPIRING_SOON_DAYS,
    unmanaged: match === undefined,
  };
  const findings = SERVED_PRECEDENCE.filter((finding) => found[finding]);
  return {
    leaf,
    chain,
    verdict: findings[0] ?? 'ok',
    findings,
    ...(match ? { match } : {}),
    ...(replacement ? { replacement } : {}),
    ...(chainProblem ? { chainProblem } : {}),
    daysLeft: days,
    trusted: probe.trusted,
    ...(probe.trustError === undefined ? {} : { trustError: probe.trustError }),
    address: probe.address,
    handshakeMs: probe.handshakeMs,
    ...(probe.protocol === undefined ? {} : { protocol: probe.protocol }),
    at: probe.at,
  };
}

export interface JudgeEndpointInput {
  endpoint: Endpoint;
  /**
   * This interval's probes of the endpoint, oldest first (at least one): two certificates among
   * them make it `alternating`, so pass only this interval's, not the ones before it.
   */
  observations: readonly ProbeObservation[];
  inventory: ProbeInventory;
  now: Date;
  /** Failed probes in a row before these (the previous verdict's consecutiveFailures); default 0. */
  previousFailures?: number;
  /** Failures in a row before `unreachable` (PROBE_FAILURES_BEFORE_ALERT); default 1, a check made now. */
  failuresBeforeAlert?: number;
}

/** The endpoint's verdict from this interval's probes (see the module comment). */
export function judgeEndpoint(input: JudgeEndpointInput): EndpointVerdict {
  const { endpoint, observations, inventory, now } = input;
  const latest = observations[observations.length - 1];
  if (!latest) throw new RangeError('judgeEndpoint needs at least one observation');
  if (!latest.ok) {
    let trailing = 0;
    for (let i = observations.length - 1; i >= 0 && !observations[i]?.ok; i--) trailing++;
    const failures = trailing + (trailing === observations.length ? (input.previousFailures ?? 0) : 0);
    // A refusal by PROBE_DENY is not a blip that a retry could clear.
    const confirmed = latest.reason === 'denied' || failures >= (input.failuresBeforeAlert ?? 1);
    return {
      endpoint,
      verdict: confirmed ? 'unreachable' : 'pending',
      findings: confirmed ? ['unreachable'] : [],
      checkedAt: latest.at,
      failure: { reason: latest.reason, message: latest.message, failures },
      consecutiveFailures: failures,
    };
  }
  const successes = observations.filter((o): o is ProbeSuccess => o.ok);
  const distinct = new Map<string, ProbeSuccess>();
  for (const probe of [...successes].reverse())
    if (!distinct.has(probe.leaf.sha256)) distinct.set(probe.leaf.sha256, probe);
  const served = judgeServed(latest, inventory, now);
  if (distinct.size < 2)
    return {
      endpoint,
      verdict: served.verdict,
      findings: served.findings,
      checkedAt: latest.at,
      served,
      consecutiveFailures: 0,
    };
  const alternates = [...distinct.values()].map((probe) => judgeServed(probe, inventory, now));
  const findings = new Set<ProbeFinding>(['alternating']);
  for (const alternate of alternates) for (const finding of alternate.findings) findings.add(finding);
  return {
    endpoint,
    verdict: 'alternating',
    findings: [...findings],
    checkedAt: latest.at,
    served,
    alternates,
    consecutiveFailures: 0,
  };
}

/** Most urgent first, for lists of endpoints: by verdict, then by the served leaf's days left. */
const URGENCY: readonly Verdict[] = [
  'expired',
  'name-mismatch',
  'chain',
  'old',
  'alternating',
  'expiring',
  'unreachable',
  'unmanaged',
  'pending',
  'ok',
];

export function compareVerdicts(a: EndpointVerdict, b: EndpointVerdict): number {
  const rank = URGENCY.indexOf(a.verdict) - URGENCY.indexOf(b.verdict);
  if (rank !== 0) return rank;
  const days = (v: EndpointVerdict) => v.served?.daysLeft ?? Number.POSITIVE_INFINITY;
  return (
    days(a) - days(b) || `${a.endpoint.host}:${a.endpoint.port}`.localeCompare(`${b.endpoint.host}:${b.endpoint.port}`)
  );
}

/** Endpoints by verdict: every verdict present with its count (0 for none), and the total. */
export type VerdictCounts = Record<Verdict, number> & { total: number };

/**
 * The one count of endpoints by verdict that every surface shows: `/cert-list drift`, the
 * digest, App Home and the certbot_probe_endpoints metric.
 */
export function countVerdicts(verdicts: readonly Pick<EndpointVerdict, 'verdict'>[]): VerdictCounts {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const v of verdicts) counts[v.verdict] += 1;
  return { ...counts, total: verdicts.length };
}
