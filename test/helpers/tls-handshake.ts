import type { X509Certificate } from 'node:crypto';
import tls from 'node:tls';

/** What one TLS handshake saw: the served chain (leaf first) and whether it verified, or why it failed. */
export type Handshake =
  | { ok: true; authorized: boolean; code?: string; leaf: X509Certificate; chain: X509Certificate[] }
  | { ok: false; code: string; message: string };

/** A TLS handshake with SNI, as any client makes it; no HTTP request. */
export function handshake(
  port: number,
  servername: string,
  options: { ca?: string; timeoutMs?: number; host?: string } = {},
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: options.host ?? '127.0.0.1',
      port,
      servername,
      ca: options.ca === undefined ? undefined : [...tls.rootCertificates, options.ca],
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, code: 'TIMEOUT', message: 'no answer' });
    }, options.timeoutMs ?? 5000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const leaf = socket.getPeerX509Certificate() as X509Certificate;
      const chain = [leaf];
      for (let next = leaf.issuerCertificate; next && chain.length < 10; next = next.issuerCertificate) {
        if (next.fingerprint256 === chain[chain.length - 1]?.fingerprint256) break;
        chain.push(next);
      }
      const error = socket.authorizationError as unknown as { code?: string } | string | null;
      const code = error === null ? undefined : typeof error === 'string' ? error : error.code;
      socket.destroy();
      resolve({ ok: true, authorized: socket.authorized, code, leaf, chain });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, code: error.code ?? 'ERROR', message: error.message });
    });
  });
}

/** Uppercase hex without separators, as CAS writes fingerprints. */
export const bareHex = (fingerprint: string): string => fingerprint.replace(/:/g, '').toUpperCase();
