import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { DEFAULT_PROBE_DENY } from '../../src/probe/deny';
import { simulatorAuthority } from '../../src/sandbox/wire/authority';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-config-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('PROBE_* settings', () => {
  test('defaults: 16 at once, 5 s each, hourly, 5,000 endpoints, 3 failures, loopback and metadata denied', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PROBE_TARGETS: [],
      PROBE_RESOLVE: [],
      PROBE_CONCURRENCY: 16,
      PROBE_TIMEOUT_MS: 5000,
      PROBE_INTERVAL_MINUTES: 60,
      PROBE_MAX_TARGETS: 5000,
      PROBE_FAILURES_BEFORE_ALERT: 3,
      METRICS_PER_ENDPOINT: false,
    });
    expect(config.PROBE_CA_FILE).toBeUndefined();
    expect(config.PROBE_DENY).toEqual([...DEFAULT_PROBE_DENY]);
    expect(config.PROBE_DENY).toEqual(
      expect.arrayContaining(['127.0.0.0/8', '169.254.0.0/16', '100.100.100.200', '169.254.169.254']),
    );
  });

  test('PROBE_TARGETS: host[:port] entries, lowercase, each once, port 443 by default', () => {
    expect(
      loadConfig({ PROBE_TARGETS: 'WWW.Example.com, api.example.com:8443,www.example.com:443,' }).PROBE_TARGETS,
    ).toEqual([
      { host: 'www.example.com', port: 443 },
      { host: 'api.example.com', port: 8443 },
    ]);
  });

  test('PROBE_TARGETS: every bad entry is named with what to write instead', () => {
    expect(
      problemsOf({ PROBE_TARGETS: 'https://www.example.com/,10.0.0.5:443,www.example.com:70000,*.example.com,a b' }),
    ).toEqual([
      'PROBE_TARGETS: "https://www.example.com/" is a URL: give the host name and port only, e.g. www.example.com:443',
      'PROBE_TARGETS: "10.0.0.5:443" is an IP address: a probe needs a host name for SNI (map it to an address with PROBE_RESOLVE)',
      'PROBE_TARGETS: "www.example.com:70000": port 70000 is out of range; use 1 to 65535',
      'PROBE_TARGETS: "*.example.com" is a wildcard: give a name under it (api.example.com for *.example.com)',
      'PROBE_TARGETS: "a b" has spaces: give one host[:port] at a time, e.g. www.example.com:443',
    ]);
  });

  test("PROBE_RESOLVE: curl's host:port=address, with * and an optional port to connect to", () => {
    expect(
      loadConfig({
        PROBE_RESOLVE:
          'www.example.com:443=10.0.0.5, *:*=127.0.0.1:9443,api.example.com:*=[::1]:8443,b.example.com:443=::1',
      }).PROBE_RESOLVE,
    ).toEqual([
      { host: 'www.example.com', port: 443, address: '10.0.0.5' },
      { host: '*', port: '*', address: '127.0.0.1', addressPort: 9443 },
      { host: 'api.example.com', port: '*', address: '::1', addressPort: 8443 },
      { host: 'b.example.com', port: 443, address: '::1' },
    ]);
    expect(
      problemsOf({ PROBE_RESOLVE: 'www.example.com=10.0.0.5,www.example.com:443=db.internal,x:99999=10.0.0.1' }),
    ).toEqual([
      'PROBE_RESOLVE: "www.example.com=10.0.0.5" names no port before "=" (use * for any port); e.g. www.example.com:443=10.0.0.5',
      'PROBE_RESOLVE: "www.example.com:443=db.internal": address "db.internal" is not an IP address (a host name is resolved by DNS, not here); e.g. www.example.com:443=10.0.0.5',
      'PROBE_RESOLVE: "x:99999=10.0.0.1": port 99999 is out of range; use 1 to 65535; e.g. www.example.com:443=10.0.0.5',
    ]);
  });

  test('PROBE_DENY: addresses and CIDR ranges; none turns the check off; bad entries are named', () => {
    expect(loadConfig({ PROBE_DENY: '10.0.0.0/8, fd00::/8,192.0.2.7' }).PROBE_DENY).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.7',
    ]);
    expect(loadConfig({ PROBE_DENY: 'none' }).PROBE_DENY).toEqual([]);
    expect(loadConfig({ PROBE_DENY: ' ' }).PROBE_DENY).toEqual([...DEFAULT_PROBE_DENY]);
    expect(problemsOf({ PROBE_DENY: '10.0.0.0/33,metadata.internal' })).toEqual([
      'PROBE_DENY: "10.0.0.0/33" has a bad prefix length; use 0 to 32',
      'PROBE_DENY: "metadata.internal" is not an IP address or CIDR range, e.g. 10.0.0.0/8 or fd00::/8',
    ]);
  });

  test('PROBE_CA_FILE: read at start; a missing file or one without a certificate is reported', () => {
    const good = path.join(dir, 'ca.pem');
    fs.writeFileSync(good, simulatorAuthority().rootPem);
    expect(loadConfig({ PROBE_CA_FILE: good }).PROBE_CA_FILE).toBe(good);
    const empty = path.join(dir, 'empty.pem');
    fs.writeFileSync(empty, 'not a certificate\n');
    const broken = path.join(dir, 'broken.pem');
    fs.writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(problemsOf({ PROBE_CA_FILE: path.join(dir, 'missing.pem') })).toEqual([
      `PROBE_CA_FILE: cannot read "${path.join(dir, 'missing.pem')}": no such file`,
    ]);
    expect(problemsOf({ PROBE_CA_FILE: empty })).toEqual([
      `PROBE_CA_FILE: "${empty}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ]);
    expect(problemsOf({ PROBE_CA_FILE: broken })).toEqual([
      `PROBE_CA_FILE: "${broken}": certificate 1 is not a valid X.509 certificate`,
    ]);
  });

  test('numbers and switches in the words of every other variable, all problems at once', () => {
    expect(
      problemsOf({
        PROBE_CONCURRENCY: '0',
        PROBE_TIMEOUT_MS: 'soon',
        PROBE_INTERVAL_MINUTES: '-1',
        PROBE_MAX_TARGETS: '1e6',
        PROBE_FAILURES_BEFORE_ALERT: '0',
        METRICS_PER_ENDPOINT: 'yes',
      }),
    ).toEqual([
      'PROBE_CONCURRENCY: 0 is out of range; use 1 to 256 (default 16)',
      'PROBE_TIMEOUT_MS: "soon" is not a whole number; use 100 to 60000 (default 5000), e.g. PROBE_TIMEOUT_MS=5000',
      'PROBE_INTERVAL_MINUTES: -1 is out of range; use 0 to 10080 (default 60)',
      'PROBE_MAX_TARGETS: 1e6 is out of range; use 1 to 100000 (default 5000)',
      'PROBE_FAILURES_BEFORE_ALERT: 0 is out of range; use 1 to 100 (default 3)',
      'METRICS_PER_ENDPOINT: "yes" is not one of true, false (default false); any case is accepted',
    ]);
    expect(loadConfig({ PROBE_INTERVAL_MINUTES: '0', METRICS_PER_ENDPOINT: 'TRUE' })).toMatchObject({
      PROBE_INTERVAL_MINUTES: 0,
      METRICS_PER_ENDPOINT: true,
    });
  });
});
