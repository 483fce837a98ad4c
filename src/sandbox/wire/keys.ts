import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Keys derived from fixed labels, so every simulator process (and every test that builds a data
 * set) makes byte-identical certificates: the fingerprints a ListUserCertificateOrder row reports
 * do not depend on which process made them or when. These keys are public knowledge (they follow
 * from this file), which is right for a simulator and why its CA must never be trusted anywhere
 * but in a probe pointed at the simulator (PROBE_CA_FILE).
 */

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo, DER. */
  spki: Buffer;
  /** SHA-1 of the public key bits: the key identifier of RFC 5280 4.2.1.2 (1). */
  keyId: Buffer;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function seedOf(label: string, counter = 0): Buffer {
  return createHash('sha256').update(`cas-sandbox-wire:${label}:${counter}`).digest();
}

function pairOf(privateKey: KeyObject): KeyPair {
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // The key bits are the BIT STRING at the end of the SubjectPublicKeyInfo.
  const bits = publicKey.asymmetricKeyType === 'ed25519' ? spki.subarray(spki.length - 32) : spki.subarray(-65);
  return { privateKey, publicKey, spki, keyId: createHash('sha1').update(bits).digest() };
}

/** An Ed25519 key: signs deterministically (RFC 8032), so a certificate's bytes follow from its fields. */
export function ed25519Key(label: string): KeyPair {
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seedOf(label)]);
  return pairOf(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
}

/** A P-256 key, the kind most TLS servers hold. */
export function p256Key(label: string): KeyPair {
  for (let counter = 0; ; counter++) {
    const d = seedOf(label, counter);
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(d); // throws for the rare digest that is not a valid scalar
    } catch {
      continue;
    }
    const point = ecdh.getPublicKey();
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      d: d.toString('base64url'),
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    };
    return pairOf(createPrivateKey({ key: jwk, format: 'jwk' }));
  }
}
