import { createHash } from 'node:crypto';
import type { Dataset, SandboxCertificate } from '../dataset';
import { PRIVATE_ISSUER, simulatorAuthority } from './authority';
import { leafOf, namesOf } from './leaf';
import { candidatesFor, type Located } from './name-index';
import { type IssuedCertificate, issueCertificate } from './x509';

/**
 * What the wire serves for a name. By default the certificate CAS says is deployed there: a
 * resource (CDN, WAF, OSS... domain) bound to the name, else a load balancer listener whose
 * certificate covers it, else the newest valid certificate that covers it. A control route can
 * make a name serve something else (ServeSpec). Pure over the data sets it is given.
 */

export const SERVE_MODES = [
  'deployed',
  'certificate',
  'old',
  'unmanaged',
  'expired',
  'mismatch',
  'missing-intermediate',
  'short-intermediate',
  'untrusted',
  'hang',
  'alert',
] as const;
export type ServeMode = (typeof SERVE_MODES)[number];

export interface ServeSpec {
  serve: ServeMode;
  /** With `certificate` (required) and `old` (optional): the CAS certificate to serve. */
  certificateId?: number;
}

/** Edges of a CDN half-way through a rollout: each handshake gets the other one. */
export interface AlternateSpec {
  serve: 'alternate';
  between: [ServeSpec, ServeSpec];
}

export type WireSpec = ServeSpec | AlternateSpec;

/** The certificates the wire knows: every account's data set, the default account first. */
export interface WireWorld {
  accounts: ReadonlyArray<{ name: string; dataset: Dataset }>;
  /** Simulator clock (epoch ms). */
  now: number;
}

export type Served =
  | {
      kind: 'chain';
      leaf: IssuedCertificate;
      /** What is sent after the leaf. */
      chain: IssuedCertificate[];
      /** The CAS certificate served, when it is one. */
      certificateId?: number;
      account?: string;
      mode: ServeMode;
    }
  | { kind: 'hang'; mode: 'hang' }
  | { kind: 'alert'; mode: ServeMode; reason: string };

export type ServedChain = Extract<Served, { kind: 'chain' }>;

/** A spec that cannot be served now (409): no CAS certificate fits, or an unknown certificate. */
export class WireError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

const DAY_MS = 86_400_000;

/** Whether a certificate name (possibly `*.example.com`) covers a host name (RFC 6125: one label). */
export function nameCovers(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  if (p === name) return true;
  if (!p.startsWith('*.')) return false;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot + 1) === p.slice(2);
}

const covered = (cert: SandboxCertificate, name: string) => namesOf(cert).some((pattern) => nameCovers(pattern, name));
const today = (now: number) => new Date(Math.floor(now / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
const isValid = (cert: SandboxCertificate, day: string) => cert.status !== 'REVOKED' && cert.endDate >= day;

function* certificates(world: WireWorld): Generator<Located> {
  for (const account of world.accounts)
    for (const cert of account.dataset.certificates) yield { cert, account: account.name };
}

/** Latest end first, then the highest id. */
const newer = (a: SandboxCertificate, b: SandboxCertificate) =>
  a.endDate !== b.endDate ? a.endDate > b.endDate : a.certificateId > b.certificateId;

/** The certificate deployed for `name`, as the default mode serves it (undefined: none covers it). */
export function deployedFor(name: string, world: WireWorld): Located | undefined {
  const candidates = candidatesFor(name, world.accounts);
  // A resource bound to the name: an exact domain before a wildcard one, then the latest change.
  let domain: { at: Located; exact: boolean; modified: number; id: number } | undefined;
  for (const { at, resource } of candidates.resources) {
    if (!resource.enableHttps) continue;
    const exact = resource.domain.toLowerCase() === name;
    const better =
      !domain ||
      (exact && !domain.exact) ||
      (exact === domain.exact &&
        (resource.modifiedAt > domain.modified ||
          (resource.modifiedAt === domain.modified && resource.id > domain.id)));
    if (better) domain = { at, exact, modified: resource.modifiedAt, id: resource.id };
  }
  if (domain) return domain.at;
  // A load balancer listener (no domain) whose certificate covers the name.
  let listener: { at: Located; modified: number; id: number } | undefined;
  for (const at of candidates.certificates)
    for (const resource of at.cert.resources)
      if (
        resource.domain === '' &&
        resource.listenerPort !== undefined &&
        (!listener ||
          resource.modifiedAt > listener.modified ||
          (resource.modifiedAt === listener.modified && resource.id > listener.id))
      )
        listener = { at, modified: resource.modifiedAt, id: resource.id };
  if (listener) return listener.at;
  // Else the newest valid certificate covering it.
  const day = today(world.now);
  let newest: Located | undefined;
  for (const at of candidates.certificates)
    if (isValid(at.cert, day) && (!newest || newer(at.cert, newest.cert))) newest = at;
  return newest;
}

/** Whether `candidate` renews `old`: valid, ends later, and covers every name of `old`. */
function renews(candidate: SandboxCertificate, old: SandboxCertificate, day: string): boolean {
  if (candidate === old || !isValid(candidate, day) || candidate.endDate <= old.endDate) return false;
  const names = namesOf(candidate);
  return namesOf(old).every((name) => names.some((pattern) => nameCovers(pattern, name.toLowerCase())));
}

/** A CAS certificate covering `name` that another certificate of its account renewed; still valid ones first. */
function oldFor(name: string, world: WireWorld): Located | undefined {
  const day = today(world.now);
  let best: Located | undefined;
  for (const account of world.accounts) {
    const all = account.dataset.certificates;
    for (const cert of all) {
      if (!covered(cert, name) || !all.some((other) => renews(other, cert, day))) continue;
      const at = { cert, account: account.name };
      if (!best) best = at;
      else {
        const valid = isValid(cert, day);
        const bestValid = isValid(best.cert, day);
        if ((valid && !bestValid) || (valid === bestValid && newer(cert, best.cert))) best = at;
      }
    }
  }
  return best;
}

function byId(certificateId: number, world: WireWorld): Located {
  for (const at of certificates(world)) if (at.cert.certificateId === certificateId) return at;
  throw new WireError(404, `no certificate ${certificateId} in any account`);
}

/** A certificate CAS does not hold, for `names`, from the private intermediate. */
function unmanagedLeaf(names: string[], notBefore: number, notAfter: number, label: string): IssuedCertificate {
  const authority = simulatorAuthority();
  const serial = createHash('sha256')
    .update(`unmanaged:${label}:${names.join(',')}:${notAfter}`)
    .digest()
    .subarray(0, 16);
  return issueCertificate(
    {
      serial,
      subject: { commonName: names[0] as string },
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
      subjectKey: authority.leafKey,
      dnsNames: names,
    },
    authority.intermediate(PRIVATE_ISSUER).signer,
  );
}

function casChain(at: Located, mode: ServeMode): ServedChain {
  const leaf = leafOf(at.cert);
  const intermediate = simulatorAuthority().intermediate(at.cert.issuer).certificate;
  return {
    kind: 'chain',
    leaf,
    chain: [intermediate],
    certificateId: at.cert.certificateId,
    account: at.account,
    mode,
  };
}

function unmanagedChain(leaf: IssuedCertificate, mode: ServeMode): ServedChain {
  return { kind: 'chain', leaf, chain: [simulatorAuthority().intermediate(PRIVATE_ISSUER).certificate], mode };
}

const noCertificate = (name: string) =>
  new WireError(409, `no CAS certificate covers ${name}: add one (POST /_sandbox/certificates) or serve "unmanaged"`);

/** What one handshake for `name` gets under `spec` (never `alternate`: the listener picks a side first). */
export function resolveServed(name: string, spec: ServeSpec, world: WireWorld): Served {
  const day = Math.floor(world.now / DAY_MS) * DAY_MS;
  const deployed = () => {
    const at = deployedFor(name, world);
    if (!at) throw noCertificate(name);
    return at;
  };
  switch (spec.serve) {
    case 'deployed':
      return casChain(deployed(), 'deployed');
    case 'certificate':
      if (spec.certificateId === undefined) throw new WireError(409, 'serve "certificate" needs a certificateId');
      return casChain(byId(spec.certificateId, world), 'certificate');
    case 'old': {
      const at = spec.certificateId === undefined ? oldFor(name, world) : byId(spec.certificateId, world);
      if (!at)
        throw new WireError(
          409,
          `no CAS certificate covering ${name} has been renewed: add a later one covering the same names, or give certificateId`,
        );
      return casChain(at, 'old');
    }
    case 'unmanaged':
      return unmanagedChain(unmanagedLeaf([name], day - 30 * DAY_MS, day + 60 * DAY_MS - 1000, 'valid'), 'unmanaged');
    case 'expired': {
      // The CAS certificate that ended last, when one covering the name has ended; else one CAS never held.
      let ended: Located | undefined;
      const todayText = today(world.now);
      for (const at of certificates(world))
        if (at.cert.endDate < todayText && covered(at.cert, name) && (!ended || newer(at.cert, ended.cert))) ended = at;
      if (ended) return casChain(ended, 'expired');
      return unmanagedChain(unmanagedLeaf([name], day - 93 * DAY_MS, day - 3 * DAY_MS - 1000, 'expired'), 'expired');
    }
    case 'mismatch': {
      const todayText = today(world.now);
      for (const at of certificates(world))
        if (isValid(at.cert, todayText) && !covered(at.cert, name)) return casChain(at, 'mismatch');
      return unmanagedChain(
        unmanagedLeaf(['wrong-name.invalid'], day - 30 * DAY_MS, day + 60 * DAY_MS - 1000, 'mismatch'),
        'mismatch',
      );
    }
    case 'missing-intermediate':
      return { ...casChain(deployed(), 'missing-intermediate'), chain: [] };
    case 'short-intermediate': {
      const at = deployed();
      const served = casChain(at, 'short-intermediate');
      const short = simulatorAuthority().shortIntermediate(at.cert.issuer, served.leaf.notAfter, new Date(world.now));
      return { ...served, chain: [short] };
    }
    case 'untrusted': {
      const at = deployed();
      return { ...casChain(at, 'untrusted'), chain: [simulatorAuthority().crossSigned(at.cert.issuer)] };
    }
    case 'hang':
      return { kind: 'hang', mode: 'hang' };
    case 'alert':
      return { kind: 'alert', mode: 'alert', reason: 'refused on purpose (serve "alert")' };
  }
}

/** Checks a spec from a request body; a RangeError says what is wrong. */
export function parseWireSpec(body: unknown): WireSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new RangeError(`body: expected {"serve": one of ${[...SERVE_MODES, 'alternate'].join(', ')}}`);
  const { serve, certificateId, between, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new RangeError(`unknown field ${unknown[0]}; known: serve, certificateId, between`);
  if (serve === 'alternate') {
    const sides = between ?? [{ serve: 'deployed' }, { serve: 'old' }];
    if (!Array.isArray(sides) || sides.length !== 2)
      throw new RangeError('between: expected two specs, e.g. [{"serve":"deployed"},{"serve":"old"}]');
    const [a, b] = sides.map(parseWireSpec);
    if (a?.serve === 'alternate' || b?.serve === 'alternate') throw new RangeError('between: an alternate cannot nest');
    return { serve: 'alternate', between: [a as ServeSpec, b as ServeSpec] };
  }
  if (typeof serve !== 'string' || !(SERVE_MODES as readonly string[]).includes(serve))
    throw new RangeError(
      `serve: expected one of ${[...SERVE_MODES, 'alternate'].join(', ')}, got ${JSON.stringify(serve)}`,
    );
  if (between !== undefined) throw new RangeError('between: only with serve "alternate"');
  if (
    certificateId !== undefined &&
    (typeof certificateId !== 'number' || !Number.isSafeInteger(certificateId) || certificateId <= 0)
  )
    throw new RangeError('certificateId: expected a positive integer');
  if (serve === 'certificate' && certificateId === undefined)
    throw new RangeError('certificateId: required with serve "certificate"');
  return certificateId === undefined ? { serve: serve as ServeMode } : { serve: serve as ServeMode, certificateId };
}
