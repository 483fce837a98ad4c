import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { SandboxCertificate } from '../dataset';
import { simulatorAuthority } from './authority';
import { type IssuedCertificate, issueCertificate } from './x509';

/**
 * The X.509 certificate behind each data-set certificate: its serial, CommonName and SANs, dates
 * and issuer are the row's, so the SHA-1 (`Fingerprint`) and SHA-256 (`Sha2`) ListUserCertificateOrder
 * reports are those of the certificate the wire serves. Made on first use, when a row is listed or
 * a name is served; only the fingerprints are kept (the bytes are made again, identically, when
 * a handshake needs them), by what the certificate is made of: a copy of a data set (tests clone
 * theirs) or the same data set generated again finds them too.
 */

const DAY_END_MS = 86_400_000 - 1000;
/** About 0.3 kB an entry: a 200,000-certificate data set's fingerprints in some 60 MB of the simulator. */
const known = new LRUCache<string, { sha1: string; sha256: string }>({ max: 200_000 });

/** What the certificate's bytes depend on: an edit of any of it makes another certificate. */
function contentKey(cert: SandboxCertificate): string {
  return `${cert.serialNo}|${cert.commonName}|${cert.sans}|${cert.startDate}|${cert.endDate}|${cert.issuer}|${cert.orgName}|${cert.country}`;
}

function serialBytes(serialNo: string): Buffer {
  const digits = serialNo.replace(/[^0-9a-f]/gi, '');
  if (digits === '') return createHash('sha1').update(`serial:${serialNo}`).digest().subarray(0, 16);
  return Buffer.from(digits.length % 2 === 1 ? `0${digits}` : digits, 'hex');
}

function dayStart(date: string): Date {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return new Date(Number.isFinite(ms) ? ms : 0);
}

/** Every name the certificate covers: its SANs, or its CommonName when it lists none. */
export function namesOf(cert: Pick<SandboxCertificate, 'commonName' | 'sans'>): string[] {
  const sans = cert.sans
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return sans.length > 0 ? sans : [cert.commonName];
}

/** The certificate as served (made now). */
export function leafOf(cert: SandboxCertificate): IssuedCertificate {
  const authority = simulatorAuthority();
  const { signer } = authority.intermediate(cert.issuer);
  const notBefore = dayStart(cert.startDate);
  const issued = issueCertificate(
    {
      serial: serialBytes(cert.serialNo),
      subject: {
        commonName: cert.commonName,
        organization: cert.orgName || undefined,
        country: /^[A-Z]{2}$/.test(cert.country) ? cert.country : undefined,
      },
      notBefore,
      // The whole end day, as CAS counts a certificate valid on its EndDate.
      notAfter: new Date(dayStart(cert.endDate).getTime() + DAY_END_MS),
      subjectKey: authority.leafKey,
      dnsNames: namesOf(cert),
    },
    signer,
  );
  known.set(contentKey(cert), { sha1: issued.sha1, sha256: issued.sha256 });
  return issued;
}

/** `Fingerprint` (SHA-1) and `Sha2` (SHA-256) of the certificate, uppercase hex, as the row reports them. */
export function fingerprintsOf(cert: SandboxCertificate): { sha1: string; sha256: string } {
  const found = known.get(contentKey(cert));
  if (found) return found;
  const { sha1, sha256 } = leafOf(cert);
  return { sha1, sha256 };
}
