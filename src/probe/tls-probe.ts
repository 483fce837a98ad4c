import type { X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connect, type SecureContext, type TLSSocket } from 'node:tls';
import type { Endpoint } from '../domain/endpoints';
import type { ProbeFailureReason, ProbeObservation } from '../domain/probe-verdict';
import type { AddressResolver } from './address';
import type { DenyList } from './deny';
import { servedChainOf } from './served-certificate';

/**
 * One probe: the address (PROBE_RESOLVE or DNS), a TCP connection, a TLS handshake with the
 * endpoint's name as SNI, and the chain the server sent, read with node:tls and
 * crypto.X509Certificate. No HTTP request is made and the connection is dropped at once. The
 * whole probe, lookup included, is bounded by `timeoutMs`: a server that hangs, resets, speaks
 * plain HTTP or garbage, sends a huge chain or an alert gives a result with its reason, never a
 * stall. The chain is verified (against the public roots and PROBE_CA_FILE) but never refused:
 * what it is made of is the point.
 */

export interface ProbeContext {
  resolve: AddressResolver;
  /** The roots to verify against (tls.createSecureContext({ ca })), built once for every probe. */
  secureContext: SecureContext;
  timeoutMs: number;
  /** Addresses a host someone named may not be probed at; checked only with `checkDeny`. */
  deny?: DenyList;
  now?: () => Date;
}

export interface ProbeOptions {
  /** The host was named by a person (a command), not taken from the inventory or PROBE_TARGETS. */
  checkDeny?: boolean;
}

/** Reasons read off Node and OpenSSL errors. */
function classify(error: NodeJS.ErrnoException): { reason: ProbeFailureReason; message: string } {
  const code = error.code ?? '';
  const message = error.message.split('\n')[0] ?? '';
  if (code === 'ECONNREFUSED') return { reason: 'refused', message: 'connection refused' };
  if (code === 'ETIMEDOUT') return { reason: 'timeout', message: 'connection timed out' };
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EACCES', 'EPERM'].includes(code))
    return { reason: 'network', message: `cannot reach the address (${code})` };
  if (/disconnected before secure TLS connection/.test(message))
    return { reason: 'closed', message: 'the server closed the connection during the TLS handshake' };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { reason: 'reset', message: 'connection reset by the server' };
  if (code.startsWith('ERR_SSL_')) {
    const alert = /alert ([a-z ]+?)(?::|$)/i.exec(message)?.[1] ?? /ALERT_(\w+)$/.exec(code)?.[1];
    if (/ALERT/.test(code))
      return { reason: 'tls-alert', message: `TLS alert: ${(alert ?? code).toLowerCase().replace(/_/g, ' ')}` };
    if (
      /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LAYER_FAILURE|BAD_RECORD_TYPE|UNEXPECTED_MESSAGE/.test(
        code,
      )
    )
      return { reason: 'not-tls', message: 'the server does not speak TLS there (plain HTTP or another protocol?)' };
    if (/EXCESSIVE_MESSAGE_SIZE/.test(code))
      return { reason: 'tls-error', message: 'the certificate chain sent is too large' };
    return { reason: 'tls-error', message: `TLS handshake failed (${code})` };
  }
  return { reason: 'tls-error', message: message || code || 'the probe failed' };
}

function failure(
  endpoint: Endpoint,
  at: Date,
  reason: ProbeFailureReason,
  message: string,
  address?: string,
): ProbeObservation {
  return { ok: false, endpoint, at, ...(address === undefined ? {} : { address }), reason, message };
}

/** Probes one endpoint; never rejects. */
export function probeEndpoint(
  endpoint: Endpoint,
  context: ProbeContext,
  options: ProbeOptions = {},
): Promise<ProbeObservation> {
  const now = context.now ?? (() => new Date());
  const at = now();
  return new Promise<ProbeObservation>((resolve) => {
    let socket: TLSSocket | undefined;
    let address: string | undefined;
    let settled = false;
    const settle = (observation: ProbeObservation) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(observation);
    };
    const timer = setTimeout(
      () =>
        settle(
          failure(
            endpoint,
            at,
            'timeout',
            `no ${socket ? 'TLS handshake' : 'address'} within ${context.timeoutMs} ms`,
            address,
          ),
        ),
      context.timeoutMs,
    );

    context.resolve(endpoint).then(
      (resolved) => {
        if (settled) return;
        address = resolved.address;
        if (options.checkDeny && context.deny?.denies(resolved.address)) {
          settle(
            failure(
              endpoint,
              at,
              'denied',
              `${endpoint.host} resolves to ${resolved.address}, which PROBE_DENY keeps probes away from`,
              resolved.address,
            ),
          );
          return;
        }
        let connectedAt = performance.now();
        socket = connect({
          host: resolved.address,
          port: resolved.port,
          servername: endpoint.host,
          secureContext: context.secureContext,
          // Read whatever is served: verification is recorded, not enforced, and names are
          // judged by the verdict (a mismatch is a finding, not a failure to read).
          rejectUnauthorized: false,
          checkServerIdentity: () => undefined,
        });
        // Handshake messages are small: waiting to coalesce them (Nagle) would stall each flight.
        socket.setNoDelay(true);
        socket.once('connect', () => (connectedAt = performance.now()));
        socket.once('secureConnect', () => {
          const tls = socket as TLSSocket;
          const leaf = tls.getPeerX509Certificate() as X509Certificate | undefined;
          if (!leaf) {
            settle(failure(endpoint, at, 'tls-error', 'the server sent no certificate', address));
            return;
          }
          const error = tls.authorizationError as unknown as string | { code?: string } | null;
          const trustError = error === null ? undefined : typeof error === 'string' ? error : error.code;
          settle({
            ok: true,
            endpoint,
            at,
            address: resolved.address,
            handshakeMs: Math.round((performance.now() - connectedAt) * 100) / 100,
            protocol: tls.getProtocol() ?? undefined,
            ...servedChainOf(leaf),
            trusted: tls.authorized,
            ...(trustError === undefined || tls.authorized ? {} : { trustError }),
          });
        });
        socket.once('error', (error: NodeJS.ErrnoException) => {
          const { reason, message } = classify(error);
          settle(failure(endpoint, at, reason, message, address));
        });
        socket.once('close', () =>
          settle(failure(endpoint, at, 'closed', 'the server closed the connection during the TLS handshake', address)),
        );
      },
      (error: NodeJS.ErrnoException) =>
        settle(failure(endpoint, at, 'dns', `no address for ${endpoint.host} (${error.code ?? error.message})`)),
    );
  });
}
