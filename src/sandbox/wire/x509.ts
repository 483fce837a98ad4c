import { createHash, sign } from 'node:crypto';
import {
  bitString,
  BOOLEAN_TRUE,
  explicit,
  implicitPrimitive,
  objectIdentifier,
  octetString,
  printableString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der';
import type { KeyPair } from './keys';

/** Real X.509 v3 certificates, signed with Ed25519 by the simulator's own authorities. */

export interface DistinguishedName {
  commonName: string;
  organization?: string;
  country?: string;
}

export interface CertificateSpec {
  /** Big-endian bytes of the serial number. */
  serial: Buffer;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  subjectKey: KeyPair;
  /** DNS names of the subjectAltName extension (leaves). */
  dnsNames?: readonly string[];
  /** A CA certificate (basicConstraints cA, keyCertSign) rather than a server certificate. */
  ca?: boolean;
}

/** Who signs: its name and key (a self-signed root is its own issuer). */
export interface Signer {
  name: DistinguishedName;
  key: KeyPair;
}

export interface IssuedCertificate {
  der: Buffer;
  /** Uppercase hex without separators, as CAS's Fingerprint and Sha2. */
  sha1: string;
  sha256: string;
  notAfter: Date;
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** Uppercase hex, without leading zeros (as X509Certificate.serialNumber shows it). */
  serialNumber: string;
}

const OID = {
  ed25519: '1.3.101.112',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  country: '2.5.4.6',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

const ED25519 = sequence(objectIdentifier(OID.ed25519));
const VERSION_3 = explicit(0, smallInteger(2));

function extension(oid: string, value: Buffer, critical = false): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), BOOLEAN_TRUE, octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

// The same for every leaf, and for every CA.
const LEAF_EXTENSIONS = [
  extension(OID.basicConstraints, sequence(), true),
  // digitalSignature (bit 0).
  extension(OID.keyUsage, Buffer.from([0x03, 0x02, 0x07, 0x80]), true),
  extension(OID.extKeyUsage, sequence(objectIdentifier(OID.serverAuth))),
];
const CA_EXTENSIONS = [
  extension(OID.basicConstraints, sequence(BOOLEAN_TRUE), true),
  // keyCertSign (bit 5) and cRLSign (bit 6).
  extension(OID.keyUsage, Buffer.from([0x03, 0x02, 0x01, 0x06]), true),
];

const nameCache = new Map<string, Buffer>();

/** Name as DER: C, O, CN, in that order, each present only when given. */
export function encodeName(name: DistinguishedName): Buffer {
  const key = `${name.country ?? ''}\u0000${name.organization ?? ''}\u0000${name.commonName}`;
  let der = nameCache.get(key);
  if (!der) {
    const attribute = (oid: string, value: Buffer) => set(sequence(objectIdentifier(oid), value));
    der = sequence(
      ...(name.country ? [attribute(OID.country, printableString(name.country))] : []),
      ...(name.organization ? [attribute(OID.organization, utf8String(name.organization))] : []),
      attribute(OID.commonName, utf8String(name.commonName)),
    );
    // Names repeat (issuers always, subjects across variants); a bound keeps odd inputs from growing it.
    if (nameCache.size < 10_000) nameCache.set(key, der);
  }
  return der;
}

const hex = (digest: Buffer) => digest.toString('hex').toUpperCase();

/** Builds and signs one certificate. */
export function issueCertificate(spec: CertificateSpec, signer: Signer): IssuedCertificate {
  const extensions = [
    ...(spec.ca ? CA_EXTENSIONS : LEAF_EXTENSIONS),
    ...(spec.dnsNames && spec.dnsNames.length > 0
      ? [
          extension(
            OID.subjectAltName,
            sequence(...spec.dnsNames.map((name) => implicitPrimitive(2, Buffer.from(name, 'latin1')))),
          ),
        ]
      : []),
    ...(spec.ca ? [extension(OID.subjectKeyId, octetString(spec.subjectKey.keyId))] : []),
    extension(OID.authorityKeyId, sequence(implicitPrimitive(0, signer.key.keyId))),
  ];
  const tbs = sequence(
    VERSION_3,
    unsignedInteger(spec.serial),
    ED25519,
    encodeName(signer.name),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    encodeName(spec.subject),
    spec.subjectKey.spki,
    explicit(3, sequence(...extensions)),
  );
  const der = sequence(tbs, ED25519, bitString(sign(null, tbs, signer.key.privateKey)));
  return {
    der,
    sha1: hex(createHash('sha1').update(der).digest()),
    sha256: hex(createHash('sha256').update(der).digest()),
    notAfter: spec.notAfter,
    subject: spec.subject,
    issuer: signer.name,
    serialNumber: spec.serial
      .toString('hex')
      .toUpperCase()
      .replace(/^(00)+(?=.)/, ''),
  };
}

export function toPem(der: Buffer): string {
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}${base64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
