import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { certificateOrderPageSchema } from '../../src/cas/schemas';
import {
  CONTROL_PREFIX,
  DAY_MS,
  formatDate,
  generateDataset,
  type Sandbox,
  type SandboxCertificate,
  spawnSandbox,
  startOfUtcDay,
  startSandbox,
  wireControl,
} from '../../src/sandbox';
import { bareHex, type Handshake, handshake } from '../helpers/tls-handshake';
import { callCas, sandboxClient } from './cas-client';

const SSL = '2020-04-07';
const day = (offset: number) => formatDate(startOfUtcDay(Date.now()) + offset * DAY_MS);
const base = generateDataset({ count: 80, seed: 23, replacedPairs: 6 });

let sandbox: Sandbox;
let ca: string;

beforeAll(async () => {
  sandbox = await startSandbox({ dataset: structuredClone(base), qps: Number.POSITIVE_INFINITY, wire: true });
  ca = sandbox.wire?.caPem as string;
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.setDataset(structuredClone(base));
  sandbox.wire?.reset();
});

const port = () => sandbox.wire?.port as number;
const shake = (name: string, timeoutMs?: number) => handshake(port(), name, { ca, timeoutMs });

function served(result: Handshake): Extract<Handshake, { ok: true }> {
  if (!result.ok) throw new Error(`handshake failed: ${result.code} ${result.message}`);
  return result;
}

async function control(method: string, route: string, body?: unknown) {
  const res = await fetch(`${sandbox.url}${CONTROL_PREFIX}${route}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function listRows() {
  const client = sandboxClient(sandbox);
  const rows = [];
  for (const status of ['ISSUED', 'WILLEXPIRED', 'EXPIRED', 'REVOKED']) {
    const body = await callCas(client, 'ListUserCertificateOrder', SSL, {
      OrderType: 'CERT',
      Status: status,
      ShowSize: 1000,
    });
    rows.push(...certificateOrderPageSchema.parse(body).CertificateOrderList);
  }
  return rows;
}

/** Names bound to exactly one resource, with the certificate ListCloudResources says serves them. */
function domainsWithOneResource(certificates: readonly SandboxCertificate[]): Map<string, number> {
  const seen = new Map<string, number[]>();
  for (const cert of certificates)
    for (const r of cert.resources)
      if (r.domain && r.enableHttps) seen.set(r.domain, [...(seen.get(r.domain) ?? []), cert.certificateId]);
  return new Map([...seen].filter(([, ids]) => ids.length === 1).map(([domain, ids]) => [domain, ids[0] as number]));
}

const sans = (x509: X509Certificate) =>
  (x509.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^DNS:/, ''))
    .join(',');

describe('the wire serves what ListUserCertificateOrder reports', () => {
  it('serves, for each deployed domain, the certificate whose serial, names, dates, SHA-1 and SHA-256 the row lists', async () => {
    const rows = await listRows();
    const byId = new Map(rows.map((row) => [row.CertificateId, row]));
    const domains = [...domainsWithOneResource(sandbox.dataset.certificates)].slice(0, 12);
    expect(domains.length).toBeGreaterThanOrEqual(8);
    for (const [domain, certificateId] of domains) {
      const { leaf, authorized, chain } = served(await shake(domain));
      const row = byId.get(certificateId);
      expect(row).toBeDefined();
      expect(bareHex(leaf.fingerprint256)).toBe(row?.Sha2);
      expect(bareHex(leaf.fingerprint)).toBe(row?.Fingerprint);
      expect(leaf.serialNumber.replace(/^0+/, '')).toBe(row?.SerialNo?.replace(/^0+/, ''));
      expect(leaf.subject).toBe(`CN=${row?.CommonName}`);
      expect(sans(leaf)).toBe(row?.Sans);
      expect(new Date(leaf.validFrom).toISOString()).toBe(`${row?.StartDate}T00:00:00.000Z`);
      expect(new Date(leaf.validTo).toISOString()).toBe(`${row?.EndDate}T23:59:59.000Z`);
      // Issued by the simulator's own CA, through an intermediate named after the row's Issuer.
      expect(authorized).toBe(true);
      expect(chain).toHaveLength(2);
      expect(chain[1]?.subject).toContain(`CN=${row?.Issuer} (CAS simulator)`);
      expect(leaf.checkIssued(chain[1] as X509Certificate)).toBe(true);
    }
  });

  it('reports the same fingerprints in every process, so an inventory outlives a simulator restart', async () => {
    const again = await startSandbox({ dataset: structuredClone(base), qps: Number.POSITIVE_INFINITY, wire: true });
    try {
      const [domain] = [...domainsWithOneResource(base.certificates)][0] as [string, number];
      const first = served(await shake(domain));
      const second = served(await handshake(again.wire?.port as number, domain, { ca: again.wire?.caPem }));
      expect(second.leaf.fingerprint256).toBe(first.leaf.fingerprint256);
      expect(again.wire?.caPem).toBe(ca);
    } finally {
      await again.close();
    }
  });

  it('follows a deployment: moving the resource to another certificate changes what the name serves', async () => {
    const [domain, from] = [...domainsWithOneResource(sandbox.dataset.certificates)][0] as [string, number];
    const resource = sandbox.resourcesOf(from).find((r) => r.domain === domain);
    const target = sandbox.dataset.certificates.find((c) => c.certificateId !== from && c.status === 'ISSUED');
    if (!resource || !target) throw new Error('data set without a resource to move');
    const before = served(await shake(domain)).leaf;
    sandbox.moveResource(resource.id, target.certificateId);
    const after = served(await shake(domain)).leaf;
    expect(after.fingerprint256).not.toBe(before.fingerprint256);
    const [row] = (await listRows()).filter((r) => r.CertificateId === target.certificateId);
    expect(bareHex(after.fingerprint256)).toBe(row?.Sha2);
  });

  it('serves the newest valid certificate covering a name no resource is bound to', async () => {
    const [older, newer] = sandbox.addCertificates([
      { commonName: 'solo.example.org', startDate: day(-100), endDate: day(100) },
      { commonName: 'solo.example.org', startDate: day(-5), endDate: day(300) },
    ]);
    sandbox.addCertificate({ commonName: 'solo.example.org', startDate: day(-400), endDate: day(-35) });
    const rows = await listRows();
    const sha = (id: number | undefined) => rows.find((r) => r.CertificateId === id)?.Sha2;
    expect(bareHex(served(await shake('solo.example.org')).leaf.fingerprint256)).toBe(sha(newer?.certificateId));
    expect(sha(older?.certificateId)).not.toBe(sha(newer?.certificateId));
    // A wildcard covers one label under it.
    sandbox.addCertificate({ commonName: '*.wild.example.org', startDate: day(-5), endDate: day(300) });
    expect(served(await shake('api.wild.example.org')).leaf.subjectAltName).toBe('DNS:*.wild.example.org');
    // Names match without case.
    expect(served(await shake('SOLO.example.ORG')).leaf.fingerprint256).toBe(
      served(await shake('solo.example.org')).leaf.fingerprint256,
    );
  });

  it('ends the handshake with an alert for a name no certificate covers', async () => {
    const result = await shake('nothing-here.example.invalid');
    expect(result).toMatchObject({ ok: false, code: expect.stringMatching(/^ERR_SSL_.*ALERT_HANDSHAKE_FAILURE$/) });
    // And on purpose, for a name that has one.
    const [name] = [...domainsWithOneResource(sandbox.dataset.certificates)][0] as [string, number];
    await control('PUT', `wire/names/${name}`, { serve: 'alert' });
    expect(await shake(name)).toMatchObject({
      ok: false,
      code: expect.stringMatching(/^ERR_SSL_.*ALERT_HANDSHAKE_FAILURE$/),
    });
  });

  it('gives each row its fingerprints without making certificates for rows nobody lists', async () => {
    const big = await startSandbox({ certs: 10_000, seed: 77, qps: Number.POSITIVE_INFINITY });
    try {
      const client = sandboxClient(big);
      const started = performance.now();
      const body = await callCas(client, 'ListUserCertificateOrder', SSL, { OrderType: 'CERT', ShowSize: 50 });
      const page = certificateOrderPageSchema.parse(body);
      expect(page.CertificateOrderList).toHaveLength(50);
      expect(page.TotalCount).toBeGreaterThan(5_000);
      expect(new Set(page.CertificateOrderList.map((r) => r.Sha2)).size).toBe(50);
      // Fifty certificates, not ten thousand: a page costs what its rows cost (figures in docs/probing.md).
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await big.close();
    }
  });
});

describe('control routes make a name serve something else', () => {
  const deployedDomain = () => [...domainsWithOneResource(sandbox.dataset.certificates)][0] as [string, number];
  const put = (name: string, body: unknown) => control('PUT', `wire/names/${name}`, body);

  it('old: a CAS certificate that a later one renewed', async () => {
    const renewal = base.renewals.find((r) => {
      const old = base.certificates.find((c) => c.certificateId === r.certificateId);
      return old !== undefined && old.endDate >= day(0);
    });
    const old = base.certificates.find((c) => c.certificateId === renewal?.certificateId) as SandboxCertificate;
    const name = old.sans.split(',').find((n) => !n.startsWith('*.')) as string;
    const answer = await put(name, { serve: 'old' });
    expect(answer.status).toBe(200);
    const { leaf } = served(await shake(name));
    const row = (await listRows()).find((r) => r.CertificateId === old.certificateId);
    expect(bareHex(leaf.fingerprint256)).toBe(row?.Sha2);
    // Then back to what CAS says is deployed.
    expect((await control('DELETE', `wire/names/${name}`)).status).toBe(200);
    expect(bareHex(served(await shake(name)).leaf.fingerprint256)).not.toBe(row?.Sha2);
  });

  it('old: 409 when no certificate covering the name was renewed', async () => {
    sandbox.addCertificate({ commonName: 'once.example.org', startDate: day(-5), endDate: day(300) });
    const answer = await put('once.example.org', { serve: 'old' });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatch(/renewed/);
  });

  it('unmanaged, expired and mismatch: certificates CAS does not hold, or that do not cover the name', async () => {
    const [name] = deployedDomain();
    const rows = await listRows();
    const known = new Set(rows.map((r) => r.Sha2));

    await put(name, { serve: 'unmanaged' });
    const unmanaged = served(await shake(name));
    expect(known.has(bareHex(unmanaged.leaf.fingerprint256))).toBe(false);
    expect(unmanaged.leaf.subjectAltName).toBe(`DNS:${name}`);
    expect(unmanaged.leaf.issuer).toContain('Private CA (CAS simulator)');
    expect(unmanaged.authorized).toBe(true);

    await put(name, { serve: 'expired' });
    const expired = served(await shake(name));
    expect(new Date(expired.leaf.validTo).getTime()).toBeLessThan(Date.now());
    expect(expired.code).toBe('CERT_HAS_EXPIRED');

    await put(name, { serve: 'mismatch' });
    const mismatch = served(await shake(name));
    expect(mismatch.leaf.checkHost(name)).toBeUndefined();
    expect(known.has(bareHex(mismatch.leaf.fingerprint256))).toBe(true);
  });

  it('chain-broken: missing intermediate, intermediate ending before the leaf, untrusted root', async () => {
    const [name] = deployedDomain();
    const deployed = served(await shake(name)).leaf.fingerprint256;

    await put(name, { serve: 'missing-intermediate' });
    const missing = served(await shake(name));
    expect(missing.chain).toHaveLength(1);
    expect(missing.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(missing.leaf.fingerprint256).toBe(deployed);

    await put(name, { serve: 'short-intermediate' });
    const short = served(await shake(name));
    expect(short.authorized).toBe(true);
    expect(short.leaf.fingerprint256).toBe(deployed);
    expect(new Date(short.chain[1]?.validTo as string).getTime()).toBeLessThan(new Date(short.leaf.validTo).getTime());
    expect(new Date(short.chain[1]?.validTo as string).getTime()).toBeGreaterThan(Date.now());

    await put(name, { serve: 'untrusted' });
    const untrusted = served(await shake(name));
    expect(untrusted.authorized).toBe(false);
    expect(untrusted.code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(untrusted.leaf.fingerprint256).toBe(deployed);
  });

  it('alternate: handshakes take turns between two certificates, as CDN edges half-way through a rollout', async () => {
    const [name] = deployedDomain();
    const answer = await put(name, { serve: 'alternate', between: [{ serve: 'deployed' }, { serve: 'unmanaged' }] });
    expect((answer.body.serves as unknown[]).length).toBe(2);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(served(await shake(name)).leaf.fingerprint256);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[2]).toBe(seen[0]);
    expect(seen[3]).toBe(seen[1]);
  });

  it('hang: accepts the connection and never answers the ClientHello', async () => {
    const [name] = deployedDomain();
    await put(name, { serve: 'hang' });
    const started = Date.now();
    const result = await shake(name, 400);
    expect(result).toMatchObject({ ok: false, code: 'TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    // Reset puts every name back.
    expect((await control('POST', 'wire/reset')).status).toBe(200);
    expect(served(await shake(name)).authorized).toBe(true);
  });

  it('certificate: serves the CAS certificate asked for; GET says what a name serves and how often it was asked', async () => {
    const [name] = deployedDomain();
    const other = sandbox.dataset.certificates.find((c) => c.status === 'ISSUED' && !c.sans.includes(name));
    await put(name, { serve: 'certificate', certificateId: other?.certificateId });
    await shake(name);
    const answer = await control('GET', `wire/names/${name}`);
    expect(answer.body).toMatchObject({ name, spec: { serve: 'certificate' }, handshakes: 1 });
    expect((answer.body.serves as Array<{ certificateId: number }>)[0]?.certificateId).toBe(other?.certificateId);
    const info = await control('GET', 'wire');
    expect(info.body).toMatchObject({ port: port(), ca });
    expect(Object.keys(info.body.names as object)).toEqual([name]);
  });

  it('answers bad input with 400, an unknown certificate with 404', async () => {
    const bad = await put('www.example.com', { serve: 'sideways' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/serve: expected one of deployed, certificate, old/);
    expect((await put('www.example.com', { serve: 'certificate' })).status).toBe(400);
    expect((await put('www.example.com', { serve: 'deployed', extra: 1 })).status).toBe(400);
    expect((await put('bad name', { serve: 'hang' })).status).toBe(400);
    expect((await put('www.example.com', { serve: 'certificate', certificateId: 99 })).status).toBe(404);
  });

  it('answers 404 on a simulator started without the wire', async () => {
    const plain = await startSandbox({ certs: 5 });
    try {
      const res = await fetch(`${plain.url}${CONTROL_PREFIX}wire`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/--wire/);
    } finally {
      await plain.close();
    }
  });
});

describe('cert-bot sandbox --wire', () => {
  it('prints the listener and its CA file; the control client drives it from another process', async () => {
    const child = await spawnSandbox({ certs: 60, seed: 31, wire: true });
    try {
      expect(child.wire?.port).toBeGreaterThan(0);
      const caPem = fs.readFileSync(child.wire?.caFile as string, 'utf8');
      const wire = wireControl(child.url);
      const info = await wire.info();
      expect(info.ca).toBe(caPem);
      const resources = await child.resources();
      const domain = resources.find((r) => r.domain && r.enableHttps)?.domain as string;
      const normal = served(await handshake(child.wire?.port as number, domain, { ca: caPem }));
      expect(normal.authorized).toBe(true);
      const [view] = await wire.serve(domain, { serve: 'untrusted' });
      expect(view?.leaf?.sha256).toBe(bareHex(normal.leaf.fingerprint256));
      expect(served(await handshake(child.wire?.port as number, domain, { ca: caPem })).authorized).toBe(false);
    } finally {
      await child.close();
    }
  });
});
