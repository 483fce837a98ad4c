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

/** What an id is compared on: decimal ids by their digits without leading zeros, others as text. */
interface IdKey {
  id: string;
  decimal: boolean;
  digits: string;
}

function idKey(id: string): IdKey {
  const decimal = /^\d+$/.test(id);
  return { id, decimal, digits: decimal ? id.replace(/^0+(?=\d)/, '') : id };
}

function compareIdKeys(a: IdKey, b: IdKey): number {
  if (a.decimal && b.decimal) {
    if (a.digits.length !== b.digits.length) return a.digits.length - b.digits.length;
    if (a.digits !== b.digits) return a.digits < b.digits ? -1 : 1;
  } else if (a.decimal !== b.decimal) {
    return a.decimal ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Decimal ids compare as numbers (any length), other ids as strings; decimal ids sort before others. */
export function compareIds(a: string, b: string): number {
  return compareIdKeys(idKey(a), idKey(b));
}

/** A certificate of one account with what the search compares, worked out once. */
interface Entry {
  certificate: InventoryCertificate;
  id: IdKey;
  /** The set of names it serves, shared with every certificate serving the same names. */
  names: NameSet;
  /** Days left when the certificate can replace others (see validEndDay), else undefined. */
  end: number | undefined;
  /** Its own end for comparison (see comparableEnd), else undefined. */
  oldEnd: number | undefined;
}

/** Best replacement first: latest end, then highest id. Only for entries with an end. */
function byPreference(a: Entry, b: Entry): number {
  return (b.end as number) - (a.end as number) || compareIdKeys(b.id, a.id);
}

/**
 * One set of names (lowercased, sorted) and the certificates serving exactly it. As candidates,
 * only the best of them and the best with another id can ever be chosen (the second when the
 * first has the searching certificate's id); as certificates to replace, one search serves all.
 */
interface NameSet {
  names: string[];
  best?: Entry;
  second?: Entry;
  /** The lowest end (comparableEnd) of the certificates to replace with these names. */
  bound?: number;
  searched: boolean;
  found?: Entry;
}

function offer(set: NameSet, entry: Entry): void {
  const best = set.best;
  if (!best) {
    set.best = entry;
  } else if (byPreference(entry, best) < 0) {
    if (entry.certificate.id !== best.certificate.id) set.second = best;
    set.best = entry;
  } else if (entry.certificate.id !== best.certificate.id && (!set.second || byPreference(entry, set.second) < 0)) {
    set.second = entry;
  }
}

/** `covers` for names already lowercased. */
function coversLower(pattern: string, name: string): boolean {
  if (pattern === name) return pattern !== '';
  // `*.` and a parent: 42 is `*`, 46 is `.`.
  if (pattern.length <= 2 || pattern.charCodeAt(0) !== 42 || pattern.charCodeAt(1) !== 46) return false;
  const dot = name.indexOf('.');
  if (dot <= 0 || name.length - dot !== pattern.length - 1 || !name.endsWith(pattern.slice(1))) return false;
  return !name.slice(0, dot).includes('*');
}

function coversAllLower(candidateNames: readonly string[], names: readonly string[]): boolean {
  return names.every((name) => candidateNames.some((pattern) => coversLower(pattern, name)));
}

/** The parent a wildcard would have to name to cover `name` (`a.example.com` → `example.com`). */
function wildcardParent(name: string): string | undefined {
  const dot = name.indexOf('.');
  if (dot <= 0 || name.slice(0, dot).includes('*')) return undefined;
  const parent = name.slice(dot + 1);
  return parent === '' ? undefined : parent;
}

const NONE: readonly NameSet[] = [];
const NO_ID: IdKey = { id: '', decimal: false, digits: '' };

/**
 * The sets of names of one account's valid certificates, indexed by each exact name and each
 * wildcard's parent domain, every list sorted best first. A search walks the sets of its rarest
 * name, best first, until one covers every name or none left ends late enough; it runs once per
 * distinct set of names, and a set is visited once however many certificates serve it. Building
 * is a sort, O(n log n); searching is short because real inventories reuse names (renewals).
 */
class CandidateIndex {
  private readonly exact = new Map<string, NameSet[]>();
  private readonly wildcard = new Map<string, NameSet[]>();

  constructor(sets: Iterable<NameSet>) {
    for (const set of sets) {
      if (!set.best) continue;
      for (const name of set.names) {
        push(this.exact, name, set);
        if (name.length > 2 && name.startsWith('*.')) push(this.wildcard, name.slice(2), set);
      }
    }
    const byBest = (a: NameSet, b: NameSet) => byPreference(a.best as Entry, b.best as Entry);
    for (const list of this.exact.values()) list.sort(byBest);
    for (const list of this.wildcard.values()) list.sort(byBest);
  }

  /** The two sorted lists whose union is every set covering `name`. */
  private listsFor(name: string): [readonly NameSet[], readonly NameSet[]] {
    // A wildcard name (`*.example.com`) has no parent here: only the identical name covers it.
    const parent = wildcardParent(name);
    return [this.exact.get(name) ?? NONE, parent === undefined ? NONE : (this.wildcard.get(parent) ?? NONE)];
  }

  /** The best replacement of `old` (see the module comment), or undefined. */
  best(old: Entry, oldEnd: number): InventoryCertificate | undefined {
    const set = old.names;
    if (!set.searched) {
      set.found = this.search(set.names, undefined, set.bound as number);
      set.searched = true;
    }
    let found = set.found;
    // Only another certificate with the same id (a copy ending earlier) needs a search of its own.
    if (found && found.certificate.id === old.certificate.id)
      found = this.search(set.names, found.certificate.id, oldEnd);
    return found && (found.end as number) > oldEnd ? found.certificate : undefined;
  }

  /** The best candidate covering every one of `names` that ends after `bound` and whose id is not `excludedId`. */
  private search(names: readonly string[], excludedId: string | undefined, bound: number): Entry | undefined {
    let lists: [readonly NameSet[], readonly NameSet[]] | undefined;
    for (const name of names) {
      const next = this.listsFor(name);
      if (next[0].length + next[1].length === 0) return undefined;
      if (!lists || next[0].length + next[1].length < lists[0].length + lists[1].length) lists = next;
    }
    if (!lists) return undefined;
    // Merge the two best-first lists, walking until no set left can beat the one found.
    const [a, b] = lists;
    let found: Entry | undefined;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const takeA =
        j >= b.length ||
        (i < a.length && byPreference((a[i] as NameSet).best as Entry, (b[j] as NameSet).best as Entry) <= 0);
      const set = (takeA ? a[i++] : b[j++]) as NameSet;
      const best = set.best as Entry;
      if (!((best.end as number) > bound) || (found && byPreference(best, found) >= 0)) break;
      if (!coversAllLower(set.names, names)) continue;
      const entry = best.certificate.id !== excludedId ? best : set.second;
      if (entry && (!found || byPreference(entry, found) < 0)) found = entry;
    }
    return found;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Every name the certificate covers, lowercased, sorted and without repeats (certificateNames, sorted). */
function sortedNames(certificate: Certificate): string[] {
  const names: string[] = [];
  if (typeof certificate.commonName === 'string') names.push(certificate.commonName.toLowerCase());
  for (const san of certificate.sans) if (typeof san === 'string') names.push(san.toLowerCase());
  names.sort();
  let kept = 0;
  for (const name of names) if (kept === 0 || names[kept - 1] !== name) names[kept++] = name;
  names.length = kept;
  return names;
}

/** The replaced certificates of one account, by id, added to `into`. */
function replaceWithin(certificates: readonly InventoryCertificate[], now: Date, into: Map<string, Certificate>): void {
  const sets = new Map<string, NameSet>();
  const entries: Entry[] = [];
  for (const certificate of certificates) {
    const names = sortedNames(certificate);
    if (names.length === 0) continue;
    // Names never hold a line break (SANs are split on white space); JSON keeps even that apart.
    const key = names.some((name) => name.includes('\n')) ? JSON.stringify(names) : names.join('\n');
    let set = sets.get(key);
    if (!set) sets.set(key, (set = { names, searched: false }));
    const days = daysLeft(certificate.endDate, now);
    const valid = !isRemoved(certificate, now) && certificate.status !== 'REVOKED' && days !== undefined && days >= 0;
    const oldEnd = days ?? (certificate.expired ? Number.NEGATIVE_INFINITY : undefined);
    // Only candidates are ever ordered by id.
    const entry: Entry = {
      certificate,
      id: valid ? idKey(certificate.id) : NO_ID,
      names: set,
      end: valid ? days : undefined,
      oldEnd,
    };
    if (entry.end !== undefined) offer(set, entry);
    if (oldEnd !== undefined && !(set.bound !== undefined && set.bound <= oldEnd)) set.bound = oldEnd;
    entries.push(entry);
  }
  const index = new CandidateIndex(sets.values());
  for (const entry of entries) {
    if (entry.oldEnd === undefined) continue;
    const replacement = index.best(entry, entry.oldEnd);
    if (replacement) into.set(entry.certificate.id, replacement);
  }
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
    const replaced = new Map<string, Certificate>();
    replaceWithin(certs, now, replaced);
    if (replaced.size > 0) result.set(account, replaced);
  }
  return result;
}

/**
 * The replaced certificates, by certificate id, with their replacement (the latest-ending one,
 * on a tie the highest id). Certificates only replace certificates of their own account; when
 * the same id appears in two accounts, use `findReplacementsByAccount`. Runs in about
 * O(n log n) for n certificates: candidates are found through an index of names and wildcard
 * parents, once per distinct set of names, never by comparing every pair.
 */
export function findReplacements(certificates: readonly InventoryCertificate[], now: Date): Map<string, Certificate> {
  const byAccount = new Map<string, InventoryCertificate[]>();
  for (const certificate of certificates) push(byAccount, certificate.account, certificate);
  const result = new Map<string, Certificate>();
  for (const certs of byAccount.values()) replaceWithin(certs, now, result);
  return result;
}
