import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { ProbeObservation } from '../../src/domain/probe-verdict';
import { DEFAULT_PROBE_DENY, DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../../src/probe/deny';
import { createProber, type Prober, type ProberSettings } from '../../src/probe/prober';
import { generateDataset, type Sandbox, type SandboxCertificate, startSandbox } from '../../src/sandbox';
import { leafOf } from '../../src/sandbox/wire/leaf';
import { simulatorAuthority } from '../../src/sandbox/wire/authority';
import { toPem } from '../../src/sandbox/wire/x509';
import { freePort } from '../helpers/free-port';

let sandbox: Sandbox;
let caFile: string;
let dir: string;
let name: string;
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  sandbox = await startSandbox({ dataset: generateDataset({ count: 40, seed: 61 }), wire: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-test-'));
  caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, sandbox.wire?.caPem as string);
  name = sandbox.dataset.certificates.flatMap((c) => c.resources).find((r) => r.domain && r.enableHttps)
    ?.domain as string;
});
afterAll(async () => {
  await sandbox.close();
  for (const socket of sockets) socket.destroy();
  for (const server of servers) server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.wire?.reset());

const wirePort = () => sandbox.wire?.port as number;

function prober(overrides: Partial<ProberSettings> = {}): Prober {
  return createProber({
    resolve: [{ host: '*', port: '*', address: '127.0.0.1', addressPort: wirePort() }],
    caFile,
    timeoutMs: 2000,
    concurrency: 16,
    deny: [...DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK],
    ...overrides,
  });
}

/** A server on 127.0.0.1 that does something other than TLS with each connection; answers its port. */
async function rawServer(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const at = (port: number): Partial<ProberSettings> => ({
  resolve: [{ host: '*', port: '*', address: '127.0.0.1', addressPort: port }],
});

function failed(observation: ProbeObservation) {
  if (observation.ok) throw new Error('expected the probe to fail');
  return observation;
}

describe('probeEndpoint over real TLS', () => {
  it('reads the served leaf and chain with SNI, verifies it against PROBE_CA_FILE, and says how long the handshake took', async () => {
    const result = await prober().probe({ host: name, port: 443 });
    if (!result.ok) throw new Error(result.message);
    expect(result.leaf.names).toContain(name);
    expect(result.chain).toHaveLength(1);
    expect(result.chain[0]?.ca).toBe(true);
    expect(result.leaf.issuer).toBe(result.chain[0]?.subject);
    expect(result.trusted).toBe(true);
    expect(result.address).toBe('127.0.0.1');
    expect(result.handshakeMs).toBeGreaterThan(0);
    expect(result.leaf.sha256).toMatch(/^[0-9A-F]{64}$/);
    // Without the CA file the simulator's root is not trusted.
    const untrusted = await prober({ caFile: undefined }).probe({ host: name, port: 443 });
    expect(untrusted).toMatchObject({ ok: true, trusted: false, trustError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
  });

  it('a TLS alert is a result with its reason', async () => {
    const result = failed(await prober().probe({ host: 'nobody.example.invalid', port: 443 }));
    expect(result).toMatchObject({ reason: 'tls-alert', message: 'TLS alert: handshake failure' });
  });

  it('a hanging endpoint is bounded by the timeout', async () => {
    sandbox.wire?.set(name, { serve: 'hang' });
    const started = Date.now();
    const result = failed(await prober({ timeoutMs: 300 }).probe({ host: name, port: 443 }));
    expect(result).toMatchObject({ reason: 'timeout', message: 'no TLS handshake within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('refused, reset, plain HTTP and garbage each get their reason', async () => {
    const closedPort = await freePort();
    expect(failed(await prober(at(closedPort)).probe({ host: 'a.example.com', port: 443 })).reason).toBe('refused');

    const resetPort = await rawServer((socket) => socket.resetAndDestroy());
    expect(['reset', 'closed']).toContain(
      failed(await prober(at(resetPort)).probe({ host: 'a.example.com', port: 443 })).reason,
    );

    const httpServer = http.createServer((_req, res) => res.end('hello'));
    httpServer.on('connection', (socket) => sockets.add(socket));
    servers.push(httpServer);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const httpPort = (httpServer.address() as net.AddressInfo).port;
    const plain = failed(await prober(at(httpPort)).probe({ host: 'a.example.com', port: 443 }));
    expect(plain.reason).toBe('not-tls');
    expect(plain.message).toMatch(/plain HTTP/);

    const garbagePort = await rawServer((socket) => socket.end(Buffer.alloc(4096, 0x5a)));
    expect(failed(await prober(at(garbagePort)).probe({ host: 'a.example.com', port: 443 })).reason).toBe('not-tls');
  });

  it('a 100 kB chain is read or refused within the timeout, never a stall', async () => {
    const authority = simulatorAuthority();
    const cert = sandbox.dataset.certificates[0] as SandboxCertificate;
    const intermediate = toPem(authority.intermediate(cert.issuer).certificate.der);
    const copies = Math.ceil(100_000 / authority.intermediate(cert.issuer).certificate.der.length);
    const server = tls.createServer({
      key: authority.leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      cert: [toPem(leafOf(cert).der), ...Array<string>(copies).fill(intermediate)].join(''),
    });
    servers.push(server);
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const started = Date.now();
    const result = await prober({ ...at((server.address() as net.AddressInfo).port), timeoutMs: 3000 }).probe({
      host: cert.commonName.replace('*', 'x'),
      port: 443,
    });
    // Bounded by the probe's timeout whatever happens (a loaded machine may need all of it).
    expect(Date.now() - started).toBeLessThan(4500);
    if (result.ok) expect(result.chain.length).toBeLessThanOrEqual(10);
    else expect(result.reason).toMatch(/^(tls-error|tls-alert|closed|reset|timeout)$/);
  });

  it('a DNS failure, and a lookup that never answers, are results too', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    const dns = failed(
      await prober({ resolve: [], lookup: () => Promise.reject(notFound) }).probe({ host: 'x.example.com', port: 443 }),
    );
    expect(dns).toMatchObject({ reason: 'dns', message: 'no address for x.example.com (ENOTFOUND)' });
    const silent = failed(
      await prober({ resolve: [], lookup: () => new Promise(() => undefined), timeoutMs: 200 }).probe({
        host: 'x.example.com',
        port: 443,
      }),
    );
    expect(silent).toMatchObject({ reason: 'timeout', message: 'no address within 200 ms' });
  });
});

describe('PROBE_RESOLVE and PROBE_DENY', () => {
  it('connects where PROBE_RESOLVE says, the most specific rule first', async () => {
    const closedPort = await freePort();
    const p = prober({
      resolve: [
        { host: '*', port: '*', address: '127.0.0.1', addressPort: closedPort },
        { host: name, port: 443, address: '127.0.0.1', addressPort: wirePort() },
      ],
    });
    expect((await p.probe({ host: name, port: 443 })).ok).toBe(true);
    expect(failed(await p.probe({ host: name, port: 8443 })).reason).toBe('refused');
  });

  it('refuses a named host whose address PROBE_DENY lists, whether it came from PROBE_RESOLVE or DNS', async () => {
    const strict = prober({ deny: [...DEFAULT_PROBE_DENY] });
    const viaRule = failed(await strict.probe({ host: name, port: 443 }, { checkDeny: true }));
    expect(viaRule).toMatchObject({ reason: 'denied', address: '127.0.0.1' });
    expect(viaRule.message).toBe(`${name} resolves to 127.0.0.1, which PROBE_DENY keeps probes away from`);
    // localhost comes from the system resolver (/etc/hosts): refused the same way.
    const viaDns = failed(
      await prober({ resolve: [], deny: [...DEFAULT_PROBE_DENY] }).probe(
        { host: 'localhost', port: 443 },
        { checkDeny: true },
      ),
    );
    expect(viaDns.reason).toBe('denied');
    // Hosts from the inventory and PROBE_TARGETS are not checked; a list without loopback lets tests through.
    expect((await strict.probe({ host: name, port: 443 })).ok).toBe(true);
    expect((await prober().probe({ host: name, port: 443 }, { checkDeny: true })).ok).toBe(true);
  });
});

describe('probeAll', () => {
  it('keeps at most PROBE_CONCURRENCY probes in flight, and every one within its timeout', async () => {
    const arrivals: number[] = [];
    const port = await rawServer((socket) => {
      arrivals.push(performance.now());
      socket.on('error', () => undefined);
      socket.resume(); // read the ClientHello and never answer
    });
    const endpoints = Array.from({ length: 12 }, (_, i) => ({ host: `h${i}.example.com`, port: 443 }));
    const heard: number[] = [];
    const started = Date.now();
    const results = await prober({ ...at(port), concurrency: 3, timeoutMs: 300 }).probeAll(endpoints, {
      onResult: (_o, done) => heard.push(done),
    });
    const elapsed = Date.now() - started;
    expect(results.map((r) => r.endpoint.host)).toEqual(endpoints.map((e) => e.host));
    expect(results.every((r) => !r.ok && r.reason === 'timeout')).toBe(true);
    expect(heard).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // A fourth connection only once one of the first three timed out, and so on (the margin
    // allows for a busy machine delaying one connection more than another).
    expect(arrivals).toHaveLength(12);
    for (let i = 3; i < arrivals.length; i++)
      expect((arrivals[i] as number) - (arrivals[i - 3] as number)).toBeGreaterThanOrEqual(200);
    // Four rounds of three, each bounded by the timeout.
    expect(elapsed).toBeGreaterThanOrEqual(1150);
    expect(elapsed).toBeLessThan(5000);
  });
});
