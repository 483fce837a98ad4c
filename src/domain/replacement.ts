/**
 * Replacement ("renewed") inference. Renewal in CAS creates a new certificate with no link to
 * the old one, so the only way to know an expiring certificate was already renewed is to find
 * another certificate that serves every one of its names for longer. Pure: no I/O, `now` is
 * always passed in.
 *
 * A certificate is replaced by another certificate of the same account that is valid at `now`
 * (not expired, not revoked, not removed from CAS), ends on a later day, and covers every name
 * of the first one (its CommonName and each SAN).
 */
import { type Certificate, certificateNames } from './certificate';
import { daysLeft } from './expiry';

/** A certificate as the inventory holds it: `removedAt` is set once it disappeared from CAS. */
export type InventoryCertificate = Certificate & { removedAt?: Date };

/**
 * Whether a certificate name (`pattern`, possibly a wildcard) covers a host name. Names are
 * compared without case. A name covers the identical name; `*.example.com` also covers exactly
 * one more label: `a.example.com`, not `a.b.example.com` and not `example.com`. Only a whole
 * leftmost `*` label is a wildcard (`a*.example.com` is compared literally).
 */
export function covers(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  if (p === '' || n === '') return false;
  if (p === n) return true;
  // A wildcard needs a parent: `*.` names no domain and covers nothing but itself.
  if (!p.startsWith('*.') || p.length === 2) return false;
  const dot = n.indexOf('.');
  return dot > 0 && n.slice(dot + 1) === p.slice(2) && !n.slice(0, dot).includes('*');
}

/** Days left at `now`: a number, or undefined when the end is unknown (the expired flag then decides). */
function endDay(certificate: Certificate, now: Date): number | undefined {
  return daysLeft(certificate.endDate, now);
}

function isRemoved(certificate: InventoryCertificate, now: Date): boolean {
  const removedAt = certificate.removedAt;
  // Removed at or before `now` (a later removal did not exist yet when judging the past).
  return removedAt !== undefined && !(removedAt.getTime() > now.getTime());
}

/**
 * Whether `certificate` can stand in for others at `now`: its end date is known and not passed,
 * it is not revoked and it is still in CAS. Its day count is returned so callers compare ends.
 */
function validEndDay(certificate: InventoryCertificate, now: Date): number | undefined {
  if (isRemoved(certificate, now) || certificate.status === 'REVOKED') return undefined;
  const days = endDay(certificate, now);
  return days !== undefined && days >= 0 ? days : undefined;
}

/**
 * The old certificate's end for comparison: its days left, or -Infinity when the date is unknown
 * but CAS flags it expired (any valid certificate ends later), or undefined when nothing is known.
 */
function comparableEnd(certificate: Certificate, now: Date): number | undefined {
  const days = endDay(certificate, now);
  if (days !== undefined) return days;
  return certificate.expired ? Number.NEGATIVE_INFINITY : undefined;
}

function coversAll(candidateNames: readonly string[], names: readonly string[]): boolean {
  return names.every((name) => candidateNames.some((pattern) => covers(pattern, name)));
}

/** Whether `candidate` replaces `old` at `now` (see the module comment). A certificate never replaces itself. */
export function isReplacedBy(old: InventoryCertificate, candidate: InventoryCertificate, now: Date): boolean {
  if (old === candidate || old.account !== candidate.account || old.id === candidate.id) return false;
  const candidateEnd = validEndDay(candidate, now);
  const oldEnd = comparableEnd(old, now);
  if (candidateEnd === undefined || oldEnd === undefined || !(candidateEnd > oldEnd)) return false;
  const names = certificateNames(old);
  return names.length > 0 && coversAll(certificateNames(candidate), names);
}

/** Decimal ids compare as numbers (any length), other ids as strings; decimal ids sort before others. */
export function compareIds(a: string, b: string): number {
  const decimalA = /^\d+$/.test(a);
  const decimalB = /^\d+$/.test(b);
  if (decimalA && decimalB) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
    if (x !== y) return x < y ? -1 : 1;
  } else if (decimalA !== decimalB) {
    return decimalA ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Candidate {
  certificate: InventoryCertificate;
  end: number;
  names: string[];
}

/** Best replacement first: latest end, then highest id. */
function byPreference(a: Candidate, b: Candidate): number {
  return b.end - a.end || compareIds(b.certificate.id, a.certificate.id);
}

/** The parent a wildcard would have to name to cover `name` (`a.example.com` → `example.com`). */
function wildcardParent(name: string): string | undefined {
  const dot = name.indexOf('.');
  if (dot <= 0 || name.slice(0, dot).includes('*')) return undefined;
  const parent = name.slice(dot + 1);
  return parent === '' ? undefined : parent;
}

/**
 * The valid certificates of one account, indexed by the names they serve: each exact name,
 * and each wildcard by the parent domain it covers one label under. Lists are sorted best first.
 */
class CandidateIndex {
  private readonly exact = new Map<string, Candidate[]>();
  private readonly wildcard = new Map<string, Candidate[]>();

  constructor(certificates: readonly InventoryCertificate[], now: Date) {
    for (const certificate of certificates) {
      const end = validEndDay(certificate, now);
      if (end === undefined) continue;
      const names = certificateNames(certificate);
      const candidate: Candidate = { certificate, end, names };
      for (const name of names) {
        push(this.exact, name, candidate);
        if (name.startsWith('*.') && name.length > 2) push(this.wildcard, name.slice(2), candidate);
      }
    }
    for (const list of this.exact.values()) list.sort(byPreference);
    for (const list of this.wildcard.values()) list.sort(byPreference);
  }

  /** The two sorted lists whose union is every candidate covering `name`. */
  private listsFor(name: string): [Candidate[], Candidate[]] {
    // A wildcard name (`*.example.com`) has no parent here: only the identical name covers it.
    const parent = wildcardParent(name);
    return [this.exact.get(name) ?? [], parent === undefined ? [] : (this.wildcard.get(parent) ?? [])];
  }

  /** The best candidate replacing `old`, scanning only the certificates that cover its rarest name. */
  best(old: InventoryCertificate, now: Date): InventoryCertificate | undefined {
    const names = certificateNames(old);
    const oldEnd = comparableEnd(old, now);
    if (names.length === 0 || oldEnd === undefined) return undefined;
    let lists: [Candidate[], Candidate[]] | undefined;
    for (const name of names) {
      const next = this.listsFor(name);
      if (next[0].length + next[1].length === 0) return undefined;
      if (!lists || next[0].length + next[1].length < lists[0].length + lists[1].length) lists = next;
    }
    if (!lists) return undefined;
    // Merge the two best-first lists; the first candidate that qualifies is the best one.
    const [a, b] = lists;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const takeA = j >= b.length || (i < a.length && byPreference(a[i] as Candidate, b[j] as Candidate) <= 0);
      const candidate = (takeA ? a[i++] : b[j++]) as Candidate;
      if (!(candidate.end > oldEnd)) return undefined;
      if (candidate.certificate === old || candidate.certificate.id === old.id) continue;
      if (coversAll(candidate.names, names)) return candidate.certificate;
    }
    return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * For each account, the certificates that are replaced, by id, with their replacement: the
 * replacing certificate that ends latest (on a tie, the highest id). Use this when one
 * inventory holds several accounts whose certificate ids can repeat (two AccessKeys of the
 * same Alibaba Cloud account).
 */
export function findReplacementsByAccount(
  certificates: readonly InventoryCertificate[],
  now: Date,
): Map<string, Map<string, Certificate>> {
  const byAccount = new Map<string, InventoryCertificate[]>();
  for (const certificate of certificates) push(byAccount, certificate.account, certificate);
  const result = new Map<string, Map<string, Certificate>>();
  for (const [account, certs] of byAccount) {
    const index = new CandidateIndex(certs, now);
    const replaced = new Map<string, Certificate>();
    for (const certificate of certs) {
      const replacement = index.best(certificate, now);
      if (replacement) replaced.set(certificate.id, replacement);
    }
    if (replaced.size > 0) result.set(account, replaced);
  }
  return result;
}

/**
 * The replaced certificates, by certificate id, with their replacement (the latest-ending one,
 * on a tie the highest id). Certificates only replace certificates of their own account; when
 * the same id appears in two accounts, use `findReplacementsByAccount`. Runs in about
 * O(n log n) for n certificates: candidates are found through an index of names and wildcard
 * parents, never by comparing every pair.
 */
export function findReplacements(certificates: readonly InventoryCertificate[], now: Date): Map<string, Certificate> {
  const result = new Map<string, Certificate>();
  for (const replaced of findReplacementsByAccount(certificates, now).values()) {
    for (const [id, replacement] of replaced) result.set(id, replacement);
  }
  return result;
}
