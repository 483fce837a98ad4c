import type { CloudResource } from '../cloud-resources';
import type { Dataset, SandboxCertificate } from '../dataset';
import { namesOf } from './leaf';

/**
 * The certificates and resources of a data set by the names they cover, so a handshake looks at
 * the few that matter instead of every certificate. An index is checked against its data set on
 * every use (the certificate objects, their names, dates, status and resource lists) and built
 * again when an edit changed any of it: a cheap pass of comparisons, not of names.
 */

export interface Located {
  cert: SandboxCertificate;
  account: string;
}

export interface NameCandidates {
  /** Certificates with a name covering the host (exact, or a wildcard one label up). */
  certificates: Located[];
  /** Resources bound to the host's domain (or a wildcard domain covering it), with their certificate. */
  resources: Array<{ at: Located; resource: CloudResource }>;
}

interface Seen {
  cert: SandboxCertificate;
  commonName: string;
  sans: string;
  startDate: string;
  endDate: string;
  status: string;
  resources: CloudResource[];
  resourceCount: number;
}

interface NameIndex {
  account: string;
  seen: Seen[];
  byName: Map<string, Located[]>;
  byParent: Map<string, Located[]>;
  domains: Map<string, Array<{ at: Located; resource: CloudResource }>>;
  wildcardDomains: Map<string, Array<{ at: Located; resource: CloudResource }>>;
}

const indexes = new WeakMap<Dataset, NameIndex>();

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const snapshot = (cert: SandboxCertificate): Seen => ({
  cert,
  commonName: cert.commonName,
  sans: cert.sans,
  startDate: cert.startDate,
  endDate: cert.endDate,
  status: cert.status,
  resources: cert.resources,
  resourceCount: cert.resources.length,
});

function current(index: NameIndex, dataset: Dataset, account: string): boolean {
  const certs = dataset.certificates;
  if (index.account !== account || index.seen.length !== certs.length) return false;
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i] as SandboxCertificate;
    const seen = index.seen[i] as Seen;
    if (
      seen.cert !== cert ||
      seen.commonName !== cert.commonName ||
      seen.sans !== cert.sans ||
      seen.startDate !== cert.startDate ||
      seen.endDate !== cert.endDate ||
      seen.status !== cert.status ||
      seen.resources !== cert.resources ||
      seen.resourceCount !== cert.resources.length
    )
      return false;
  }
  return true;
}

function build(dataset: Dataset, account: string): NameIndex {
  const index: NameIndex = {
    account,
    seen: dataset.certificates.map(snapshot),
    byName: new Map(),
    byParent: new Map(),
    domains: new Map(),
    wildcardDomains: new Map(),
  };
  for (const cert of dataset.certificates) {
    const at = { cert, account };
    for (const name of new Set(namesOf(cert).map((n) => n.toLowerCase()))) {
      if (name.startsWith('*.')) push(index.byParent, name.slice(2), at);
      else push(index.byName, name, at);
    }
    for (const resource of cert.resources) {
      if (resource.domain === '') continue;
      const domain = resource.domain.toLowerCase();
      if (domain.startsWith('*.')) push(index.wildcardDomains, domain.slice(2), { at, resource });
      else push(index.domains, domain, { at, resource });
    }
  }
  return index;
}

/** Everything of the data sets that could serve `name` (lowercase). */
export function candidatesFor(
  name: string,
  accounts: ReadonlyArray<{ name: string; dataset: Dataset }>,
): NameCandidates {
  const dot = name.indexOf('.');
  const parent = dot > 0 ? name.slice(dot + 1) : undefined;
  const found: NameCandidates = { certificates: [], resources: [] };
  for (const account of accounts) {
    let index = indexes.get(account.dataset);
    if (!index || !current(index, account.dataset, account.name)) {
      index = build(account.dataset, account.name);
      indexes.set(account.dataset, index);
    }
    found.certificates.push(...(index.byName.get(name) ?? []));
    if (parent !== undefined) found.certificates.push(...(index.byParent.get(parent) ?? []));
    found.resources.push(...(index.domains.get(name) ?? []));
    if (parent !== undefined) found.resources.push(...(index.wildcardDomains.get(parent) ?? []));
  }
  return found;
}
