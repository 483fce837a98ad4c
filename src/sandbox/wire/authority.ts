import { createHash } from 'node:crypto';
import { ed25519Key, type KeyPair, p256Key } from './keys';
import { type DistinguishedName, type IssuedCertificate, issueCertificate, type Signer, toPem } from './x509';

/**
 * The simulator's certificate authorities: one root, and under it one intermediate per issuer
 * name the data set uses ("DigiCert" rows are signed by "DigiCert (CAS simulator)"), so a served
 * chain reads like the row it stands for. Also the broken variants the wire can serve: an
 * intermediate that ends before its leaf, and the same intermediate cross-signed by a root
 * nobody trusts. Everything is derived from fixed labels (keys.ts), so it is the same in every
 * process; made on first use.
 */

const ORGANIZATION = 'cas-cert-bot sandbox';
const CA_NOT_BEFORE = new Date('2020-01-01T00:00:00Z');
const CA_NOT_AFTER = new Date('2049-12-31T23:59:59Z');
/** The intermediate of certificates CAS does not hold (`unmanaged`, `expired` without one in CAS). */
export const PRIVATE_ISSUER = 'Private CA';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Intermediate {
  certificate: IssuedCertificate;
  signer: Signer;
}

const serialOf = (label: string) => createHash('sha256').update(`serial:${label}`).digest().subarray(0, 16);

function caCertificate(subject: DistinguishedName, key: KeyPair, signer: Signer, notAfter = CA_NOT_AFTER) {
  return issueCertificate(
    {
      serial: serialOf(`${subject.commonName}:${signer.name.commonName}:${notAfter.toISOString()}`),
      subject,
      notBefore: CA_NOT_BEFORE,
      notAfter,
      subjectKey: key,
      ca: true,
    },
    signer,
  );
}

export class SimulatorAuthority {
  readonly root: IssuedCertificate;
  /** The root, PEM: what PROBE_CA_FILE points at. */
  readonly rootPem: string;
  /** The one key every served leaf uses (keys reused, as the issue of a certificate costs only a signature). */
  readonly leafKey: KeyPair = p256Key('leaf');
  private readonly rootSigner: Signer;
  private readonly untrustedSigner: Signer;
  private readonly intermediates = new Map<string, Intermediate>();
  private readonly variants = new Map<string, IssuedCertificate>();

  constructor() {
    const rootName = { commonName: 'CAS Simulator Root CA', organization: ORGANIZATION };
    this.rootSigner = { name: rootName, key: ed25519Key('root') };
    this.root = caCertificate(rootName, this.rootSigner.key, this.rootSigner);
    this.rootPem = toPem(this.root.der);
    const untrustedName = { commonName: 'Untrusted Root CA (CAS simulator)', organization: ORGANIZATION };
    this.untrustedSigner = { name: untrustedName, key: ed25519Key('untrusted-root') };
  }

  /** The intermediate for an issuer name as CAS rows give it. */
  intermediate(issuer: string): Intermediate {
    const label = issuer.trim() === '' ? 'Unknown issuer' : issuer.trim();
    let found = this.intermediates.get(label);
    if (!found) {
      const name = { commonName: `${label} (CAS simulator)`, organization: ORGANIZATION };
      const key = ed25519Key(`intermediate:${label}`);
      found = { certificate: caCertificate(name, key, this.rootSigner), signer: { name, key } };
      if (this.intermediates.size < 1_000) this.intermediates.set(label, found);
    }
    return found;
  }

  /**
   * The issuer's intermediate re-issued by the root to end before `leafNotAfter` (yet after
   * `now`, so the chain still verifies today): what a client that checks only today misses.
   */
  shortIntermediate(issuer: string, leafNotAfter: Date, now: Date): IssuedCertificate {
    const { signer } = this.intermediate(issuer);
    const wanted = Math.max(now.getTime() + DAY_MS, leafNotAfter.getTime() - 30 * DAY_MS);
    const end = wanted < leafNotAfter.getTime() ? wanted : leafNotAfter.getTime() - HOUR_MS;
    // Whole days, so a name served all day reuses one certificate.
    const notAfter = new Date(Math.floor(end / DAY_MS) * DAY_MS + DAY_MS - 1000);
    const key = `short:${signer.name.commonName}:${notAfter.toISOString()}`;
    return this.variant(key, () => caCertificate(signer.name, signer.key, this.rootSigner, notAfter));
  }

  /** The issuer's intermediate (same name and key) signed by a root no client trusts. */
  crossSigned(issuer: string): IssuedCertificate {
    const { signer } = this.intermediate(issuer);
    return this.variant(`cross:${signer.name.commonName}`, () =>
      caCertificate(signer.name, signer.key, this.untrustedSigner),
    );
  }

  private variant(key: string, make: () => IssuedCertificate): IssuedCertificate {
    let found = this.variants.get(key);
    if (!found) {
      found = make();
      if (this.variants.size < 10_000) this.variants.set(key, found);
    }
    return found;
  }
}

let shared: SimulatorAuthority | undefined;

/** The one authority: it is deterministic, so every caller can share it. */
export function simulatorAuthority(): SimulatorAuthority {
  return (shared ??= new SimulatorAuthority());
}
