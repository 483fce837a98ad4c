import type { Socket } from 'node:net';
import { createSecureContext, createServer, type SecureContext, type Server } from 'node:tls';
import { LRUCache } from 'lru-cache';
import { simulatorAuthority } from './authority';
import { resolveServed, type Served, type ServeSpec, type WireSpec, type WireWorld } from './resolution';
import { type IssuedCertificate, toPem } from './x509';

/**
 * The simulator's endpoints on the wire: one TLS listener that answers each handshake by its SNI
 * name with the chain that name serves (resolution.ts), as a load balancer or CDN edge holding
 * every certificate of the data set would. No HTTP: a client reads the chain and hangs up.
 * Names can be told to serve something else (`set`), for the probe's verdicts to be tried.
 */

export interface WireListenerOptions {
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** The data sets and clock, read at every handshake (edits show at once). */
  world: () => WireWorld;
  /** TLS contexts kept ready (one per distinct chain served); default 4096. */
  contexts?: number;
}

/** One certificate of a served chain, as the control routes show it. */
export interface ServedCertificateView {
  subject: string;
  issuer: string;
  serialNumber: string;
  notAfter: string;
  sha256: string;
}

/** What a handshake for a name gets, as the control routes show it. */
export interface ServedView {
  mode: string;
  /** The CAS certificate served, when it is one. */
  certificateId?: number;
  account?: string;
  leaf?: ServedCertificateView;
  chain?: ServedCertificateView[];
  /** `alert`: why the handshake is refused. */
  reason?: string;
}

const DEFAULT: ServeSpec = { serve: 'deployed' };

/** A host name as SNI carries it: lowercase, no trailing dot. */
export function wireName(raw: string): string {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9_*-]+(\.[a-z0-9_-]+)*$/.test(name) || name.length > 253)
    throw new RangeError(`"${raw.slice(0, 80)}" is not a host name`);
  return name;
}

export class WireListener {
  host = '';
  port = 0;
  /** HOST:PORT. */
  endpoint = '';
  /** The root every served chain leads to, PEM: what PROBE_CA_FILE names. */
  readonly caPem = simulatorAuthority().rootPem;
  private readonly server: Server;
  private readonly specs = new Map<string, WireSpec>();
  private readonly turns = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly contexts: LRUCache<string, SecureContext>;
  private readonly keyPem = simulatorAuthority().leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' });

  constructor(private readonly options: WireListenerOptions) {
    this.contexts = new LRUCache({ max: options.contexts ?? 4096 });
    this.server = createServer({
      SNICallback: (servername, done) => this.answer(servername, done),
      noDelay: true,
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A client hanging up mid-handshake is normal for a prober; nothing to report.
    this.server.on('tlsClientError', () => undefined);
  }

  listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        this.host = host;
        this.endpoint = `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
        resolve();
      });
    });
  }

  /** Handshakes that reached the certificate choice, per name (all names without one). */
  handshakes(name?: string): number {
    if (name !== undefined) return this.counts.get(wireName(name)) ?? 0;
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  /** Makes `name` serve per `spec` from the next handshake on; answers what it will serve (WireError when it cannot). */
  set(name: string, spec: WireSpec): ServedView[] {
    const key = wireName(name);
    const views = this.preview(key, spec);
    if (spec.serve === 'deployed') this.specs.delete(key);
    else this.specs.set(key, spec);
    this.turns.delete(key);
    return views;
  }

  /** Back to what CAS says is deployed. */
  clear(name: string): void {
    const key = wireName(name);
    this.specs.delete(key);
    this.turns.delete(key);
  }

  /** Every name back to what CAS says is deployed; the handshake counts start again. */
  reset(): void {
    this.specs.clear();
    this.turns.clear();
    this.counts.clear();
  }

  spec(name: string): WireSpec {
    return this.specs.get(wireName(name)) ?? DEFAULT;
  }

  overrides(): Record<string, WireSpec> {
    return Object.fromEntries(this.specs);
  }

  /** What the name serves under `spec` (its current one by default): one view, two for an alternate. */
  preview(name: string, spec: WireSpec = this.spec(name)): ServedView[] {
    const key = wireName(name);
    const world = this.options.world();
    const sides = spec.serve === 'alternate' ? spec.between : [spec];
    return sides.map((side) => viewOf(resolveServed(key, side, world)));
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private answer(servername: string, done: (error: Error | null, context?: SecureContext) => void): void {
    let served: Served;
    try {
      const name = wireName(servername);
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      const spec = this.spec(name);
      let side: ServeSpec;
      if (spec.serve === 'alternate') {
        const turn = this.turns.get(name) ?? 0;
        this.turns.set(name, turn + 1);
        side = spec.between[turn % 2] as ServeSpec;
      } else side = spec;
      served = resolveServed(name, side, this.options.world());
    } catch {
      served = { kind: 'alert', mode: 'deployed', reason: 'no certificate covers the name' };
    }
    if (served.kind === 'hang') return; // never answered; close() ends it
    // The listener's own context holds no certificate: OpenSSL ends the handshake with a
    // handshake_failure alert, as a server without a certificate for the name does.
    if (served.kind === 'alert') return done(null);
    const key = [served.leaf.sha256, ...served.chain.map((c) => c.sha256)].join(':');
    let context = this.contexts.get(key);
    if (!context) {
      context = createSecureContext({
        key: this.keyPem,
        cert: [served.leaf, ...served.chain].map((c) => toPem(c.der)).join(''),
      });
      this.contexts.set(key, context);
    }
    done(null, context);
  }
}

function certificateView(certificate: IssuedCertificate): ServedCertificateView {
  return {
    subject: certificate.subject.commonName,
    issuer: certificate.issuer.commonName,
    serialNumber: certificate.serialNumber,
    notAfter: certificate.notAfter.toISOString(),
    sha256: certificate.sha256,
  };
}

function viewOf(served: Served): ServedView {
  if (served.kind === 'hang') return { mode: 'hang' };
  if (served.kind === 'alert') return { mode: served.mode, reason: served.reason };
  return {
    mode: served.mode,
    ...(served.certificateId === undefined ? {} : { certificateId: served.certificateId, account: served.account }),
    leaf: certificateView(served.leaf),
    chain: served.chain.map(certificateView),
  };
}

/** Starts a listener. */
export async function startWireListener(options: WireListenerOptions): Promise<WireListener> {
  const listener = new WireListener(options);
  await listener.listen();
  return listener;
}
