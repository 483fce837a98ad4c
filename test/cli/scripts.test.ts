import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type { CasClientEvents } from '../../src/cas/client';
import { withListProgress } from '../../src/cli/list-progress';
import { daysLeft } from '../../src/domain/expiry';
import { riskRows } from '../../src/domain/risk';
import { formatUtc } from '../../src/render/format';
import {
  assetCounts,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  generateDataset,
  riskCounts,
  type SandboxProcess,
  spawnSandbox,
} from '../../src/sandbox';
import { renderRiskSummary } from '../../src/slack/blocks/risk';
import { runCli } from '../helpers/run-cli';

/** The CLI as scripts and CI use it: exit codes, stdout/stderr, formats and --fail-on, from the built CLI. */

const CERTS = 150;
const SEED = 11;
const REPLACED = 8;
const VERSION = (
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

let sandbox: SandboxProcess;
let env: Record<string, string>;
let dir: string;
const dataset = generateDataset({ count: CERTS, seed: SEED, replacedPairs: REPLACED });

interface JsonCertificate {
  id: string;
  commonName: string | null;
  notAfter: string | null;
  state: string;
  daysLeft: number | null;
}
const certificatesOf = (stdout: string) =>
  (JSON.parse(stdout) as { schema: number; certificates: JsonCertificate[] }).certificates;

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: CERTS, seed: SEED, qps: 100, replacedPairs: REPLACED });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-scripts-'));
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '50',
    // No store: lists are live unless a test syncs into its own DATA_DIR.
    DATA_DIR: path.join(dir, 'none'),
  };
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exit codes', () => {
  test.each([
    ['no arguments (help on stderr)', [], 2],
    ['--help', ['--help'], 0],
    ['a command --help', ['list', '--help'], 0],
    ['--version', ['--version'], 0],
    ['a missing argument', ['status'], 2],
    ['an invalid choice', ['list', '--status', 'revoked'], 2],
    ['an unknown option', ['list', '--bogus'], 2],
    ['an unknown command', ['bogus'], 2],
    ['a bad option value', ['sandbox', '--port', 'abc'], 2],
    ['a negative --days', ['list', '--days', '-1'], 2],
    ['a fractional --days', ['list', '--days', '1.5'], 2],
    ['--limit 0', ['list', '--limit', '0'], 2],
    ['--json with --format csv', ['list', '--json', '--format', 'csv'], 2],
    ['an invalid --fail-on', ['list', '--fail-on', 'soon'], 2],
    ['an invalid --fail-on among valid ones', ['list', '--fail-on', 'expired,soon'], 2],
    ['status --fail-on expiring', ['status', 'AB', '--fail-on', 'expiring'], 2],
    ['a call that works', ['risk'], 0],
    ['a finding asked for', ['list', '--fail-on', 'expired'], 3],
  ])('%s', async (_name, args, code) => {
    const result = await runCli(args as string[], env);
    expect(result.code).toBe(code);
    if (code === 2) {
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toBe('');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test('no arguments prints the usage on stderr; --help on stdout, with the exit codes', async () => {
    const none = await runCli([], env);
    expect(none.stderr).toContain('Usage: cert-bot');
    const help = await runCli(['--help'], env);
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain('Usage: cert-bot');
    expect(help.stdout).toMatch(/Exit codes:\n\s+0\s+ok\n\s+1\s+a failed call/);
    expect(help.stdout).toMatch(/3\s+a finding asked for with --fail-on/);
    const list = await runCli(['list', '--help'], env);
    for (const option of ['--fail-on', '--format', '--days', '--limit', '--json'])
      expect(list.stdout).toContain(option);
  });

  test('--version prints the package version', async () => {
    const result = await runCli(['--version'], env);
    expect(result).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  test('a failed call exits 1; a malformed DATABASE_URL exits 2', async () => {
    const failed = await runCli(['list'], { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-abcdef-123' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain('SignatureDoesNotMatch');
    const config = await runCli(['list'], { ...env, DATABASE_URL: 'not a url' });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('DATABASE_URL');
  });
});

describe('status', () => {
  const revoked = dataset.certificates.find((c) => c.status === 'REVOKED');
  const good = dataset.certificates.find((c) => c.status === 'ISSUED');

  test('looks up the valid serials and names each invalid one on stderr, exit 2', async () => {
    const result = await runCli(['status', good?.serialNo ?? '', 'xyz', `${revoked?.serialNo},0x`], env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      '"xyz": not hexadecimal (only 0-9 and A-F allowed)',
      '"0x": empty',
    ]);
    expect(result.stdout).toMatch(/\bgood\b/);
    expect(result.stdout).toMatch(/revoked at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    const json = await runCli(['status', '--json', 'xyz', good?.serialNo ?? ''], env);
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as Array<{ Status: string }>).map((s) => s.Status)).toEqual(['good']);
  });

  test('status - reads the serials from standard input: any number, one a line or separated as on the command line', async () => {
    const serials = dataset.certificates.slice(0, 60).map((c) => c.serialNo);
    const input = `${serials.slice(0, 30).join('\n')}\n${serials.slice(30).join(', ')}\n`;
    const result = await runCli(['status', '--json', '-'], env, 20_000, input);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // More than the 50 of one request: a file of serials is looked up whole, in batches.
    const answers = JSON.parse(result.stdout) as Array<{ SerialNumber: string; Status: string }>;
    expect(answers.map((a) => a.SerialNumber.toUpperCase())).toEqual(serials.map((s) => s.toUpperCase()));

    // Mixed with arguments, with an invalid one named as usual.
    const mixed = await runCli(['status', good?.serialNo ?? '', '-'], env, 20_000, `${revoked?.serialNo}\nxyz\n`);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.trim()).toBe('"xyz": not hexadecimal (only 0-9 and A-F allowed)');
    expect(mixed.stdout).toMatch(/\bgood\b/);
    expect(mixed.stdout).toMatch(/revoked at /);

    const empty = await runCli(['status', '-'], env, 20_000, '\n');
    expect({ code: empty.code, stderr: empty.stderr }).toEqual({
      code: 2,
      stderr: 'error: no serials on standard input\n',
    });
  });

  test('--fail-on revoked exits 3 when a serial is revoked, and still prints the answers', async () => {
    const found = await runCli(
      ['status', '--fail-on', 'revoked', '--json', good?.serialNo ?? '', revoked?.serialNo ?? ''],
      env,
    );
    expect(found.code).toBe(3);
    expect((JSON.parse(found.stdout) as Array<{ Status: string }>).map((s) => s.Status)).toEqual(['good', 'revoked']);
    const clean = await runCli(['status', '--fail-on', 'revoked', good?.serialNo ?? ''], env);
    expect(clean.code).toBe(0);
    // Bad input comes before a finding.
    const both = await runCli(['status', '--fail-on', 'revoked', revoked?.serialNo ?? '', 'xyz'], env);
    expect(both.code).toBe(2);
  });
});

test('risk: the summary line Slack shows, counts by kind and source with their labels, dates in UTC', async () => {
  const result = await runCli(['risk'], env);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  const risk = { ...riskCounts(dataset) };
  const assets = { ...assetCounts(dataset) };
  const rows = riskRows(risk);
  const lines = result.stdout.split('\n');
  // The line Slack shows; before any sync it says there is no inventory yet (never CAS's counts as ours).
  expect(lines[0]).toBe(renderRiskSummary({ risk, assets, now: new Date() }).text);
  expect(lines[0]).toMatch(/^Certificate risk: No inventory yet: /);
  expect(result.stdout).toContain(`CAS risk counters (certificates, resources and domains): ${rows.total} in all`);
  for (const row of [...rows.byKind, ...rows.bySource])
    expect(result.stdout).toMatch(new RegExp(`\\n  ${row.label}\\s+${row.count}\\n`));
  expect(result.stdout).toContain('By kind');
  expect(result.stdout).toContain('By source');
  expect(result.stdout).toMatch(new RegExp(`Scored at\\s+${formatUtc(assets.PointTime)}`));
  expect(result.stdout).not.toContain('BuyCertificateExpireCount');
  expect(result.stdout).not.toContain(String(assets.PointTime));

  const json = await runCli(['risk', '--json'], env);
  const parsed = JSON.parse(json.stdout) as { risk: Record<string, number>; assets: Record<string, number> };
  expect(parsed.risk.BuyCertificateExpireCount).toBe(risk.BuyCertificateExpireCount);
  expect(parsed.assets.PointTime).toBe(assets.PointTime);
});

describe('list', () => {
  let all: JsonCertificate[];
  beforeAll(async () => {
    all = certificatesOf((await runCli(['list', '--json'], env)).stdout);
  });

  test('columns COMMON NAME, ID, STATE, END DATE and DAYS LEFT as words', async () => {
    const result = await runCli(['list'], env);
    expect(result.code).toBe(0);
    const [heading, ...rows] = result.stdout.trimEnd().split('\n');
    expect(heading).toMatch(/^COMMON NAME\s+ID\s+STATE\s+END DATE\s+DAYS LEFT$/);
    const now = new Date();
    for (const c of all.slice(0, 40)) {
      const row = rows.find((r) => r.includes(` ${c.id} `));
      const days = daysLeft(c.notAfter ?? undefined, now) as number;
      const words =
        days < -1
          ? `expired ${days * -1} days ago`
          : days > 1
            ? `${days} days left`
            : /expire[sd] (today|tomorrow|yesterday)/;
      expect(row).toMatch(days < 0 ? /\bexpired\s+\d{4}/ : days <= 30 ? /\bexpiring\s+\d{4}/ : /\bvalid\s+\d{4}/);
      if (typeof words === 'string') expect(row?.endsWith(words)).toBe(true);
      else expect(row).toMatch(words);
    }
    expect(result.stdout).toContain(`${all.length} certificates (all)`);
  });

  test('--days N: only those ending within N days, expired ones included', async () => {
    const result = await runCli(['list', '--days', '10', '--json'], env);
    expect(result.code).toBe(0);
    const items = certificatesOf(result.stdout);
    const expected = all.filter((c) => (c.daysLeft as number) <= 10);
    expect(items.map((i) => i.id)).toEqual(expected.map((c) => c.id));
    expect(items.some((i) => (i.daysLeft as number) < 0)).toBe(true);
    expect(items.length).toBeLessThan(all.length);
    const zero = await runCli(['list', '--days', '0', '--status', 'issued'], env);
    expect(zero.code).toBe(0);
    expect(zero.stdout).toContain('0 certificates (issued, ending within 0 days)');
  });

  test('--limit N: the first N, and the summary says how many of how many', async () => {
    const text = await runCli(['list', '--limit', '5'], env);
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(1 + 5 + 2);
    expect(text.stdout).toContain(`${all.length} certificates (all), showing 5 of ${all.length}`);
    const json = await runCli(['list', '--limit', '5', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ schema: 1, certificates: all.slice(0, 5) });
  });

  test('--json: the certificate model, every field present, with the one state of each certificate', async () => {
    const result = await runCli(['list', '--json'], env);
    const document = JSON.parse(result.stdout) as { schema: number; certificates: Array<Record<string, unknown>> };
    expect(document.schema).toBe(1);
    const fields = [
      'account',
      'id',
      'commonName',
      'sans',
      'issuer',
      'serial',
      'state',
      'daysLeft',
      'notAfter',
      'renewedBy',
      'deployment',
      'acknowledged',
      'snoozedUntil',
    ];
    for (const c of document.certificates) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(fields));
      // Live from CAS: no deployments listed, no replacement known.
      expect(c.deployment).toEqual({ state: 'unknown', resources: [] });
    }
    const now = new Date();
    const byId = new Map(dataset.certificates.map((c) => [String(c.certificateId), c]));
    for (const c of document.certificates) {
      const source = byId.get(c.id as string);
      expect(c.notAfter).toBe(source?.endDate);
      expect(c.daysLeft).toBe(daysLeft(source?.endDate, now));
      const days = c.daysLeft as number;
      expect(c.state).toBe(days < 0 ? 'expired' : days <= 30 ? 'expiring' : 'valid');
    }
  });

  test('--format csv: the columns of the model, one row per certificate, exact on stdout', async () => {
    const result = await runCli(['list', '--format', 'csv'], env);
    expect(result.code).toBe(0);
    const columns =
      'account,id,commonName,sans,issuer,serial,state,daysLeft,notAfter,renewedBy,deploymentState,resources,acknowledgedBy,snoozedUntil';
    expect(result.stdout.startsWith(`${columns}\r\n`)).toBe(true);
    const records = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => [r.id, r.commonName, r.state, r.notAfter, r.daysLeft])).toEqual(
      all.map((c) => [c.id, c.commonName ?? '', c.state, c.notAfter ?? '', String(c.daysLeft)]),
    );
    // Where the list came from goes to stderr, as with --json.
    expect(result.stderr).toContain('Listed live from CAS');
    const json = await runCli(['list', '--format', 'json', '--limit', '3'], env);
    expect(certificatesOf(json.stdout)).toEqual(all.slice(0, 3));
  });

  test('--format csv quotes what needs quoting (RFC 4180)', async () => {
    const [id] = await sandbox.addCertificates([{ commonName: 'quo"ted.example.com', endDate: '2099-01-01' }]);
    try {
      const result = await runCli(['list', '--format', 'csv', '--keyword', 'quo"ted', '--live'], env);
      expect(result.stdout).toContain(`default,${id},"quo""ted.example.com",`);
      expect((parse(result.stdout) as string[][])[1][2]).toBe('quo"ted.example.com');
    } finally {
      await sandbox.removeCertificate(id);
    }
  });
});

describe('--fail-on', () => {
  test.each([
    ['expired', ['list', '--fail-on', 'expired'], 3],
    ['expired, none in the view', ['list', '--status', 'issued', '--fail-on', 'expired'], 0],
    ['expiring', ['list', '--fail-on', 'expiring'], 3],
    ['expiring, none in the view', ['list', '--status', 'expired', '--fail-on', 'expiring'], 0],
    ['expiring, none in the view either', ['list', '--status', 'issued', '--fail-on', 'expiring'], 0],
    // CAS lists no revoked certificate in any view.
    ['revoked', ['list', '--fail-on', 'revoked'], 0],
  ])('%s', async (_name, args, code) => {
    const result = await runCli(args as string[], env);
    expect(result.code).toBe(code);
    // The list is printed all the same.
    expect(result.stdout).toMatch(/^COMMON NAME/);
    if (code === 3) expect(result.stderr).toMatch(/^--fail-on \w+: \d+ of the certificates listed are \w+\n/);
  });

  test('still prints exact JSON, and --limit hides no finding', async () => {
    const result = await runCli(['list', '--status', 'issued', '--limit', '1', '--json', '--fail-on', 'expiring'], env);
    expect(result.code).toBe(0);
    const expiring = await runCli(['list', '--limit', '1', '--json', '--fail-on', 'expiring'], env);
    expect(expiring.code).toBe(3);
    expect(certificatesOf(expiring.stdout)).toHaveLength(1);
  });

  test('a certificate renewed by another is not a finding (from the inventory)', async () => {
    const inventory = { ...env, DATA_DIR: path.join(dir, 'inventory') };
    expect((await runCli(['sync'], inventory)).code).toBe(0);
    // The expired view holds the expired state only; `all` shows renewed ones beside them, not findings.
    const result = await runCli(['list', '--status', 'all', '--fail-on', 'expired'], inventory);
    expect(result.stdout).toContain('From the inventory');
    const rows = result.stdout.split('\n').filter((line) => /^\S+\s+\d+\s+(expired|renewed|stale)\s/.test(line));
    const renewed = rows.filter((line) => /\s(renewed|stale)\s/.test(line)).length;
    const expired = rows.length - renewed;
    expect(renewed).toBeGreaterThan(0);
    expect(expired).toBeGreaterThan(0);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`--fail-on expired: ${expired} of the certificates listed are expired`);
  });
});

describe('--fail-on every state, from the inventory', () => {
  let inventory: Record<string, string>;
  let states: Map<string, number>;
  beforeAll(async () => {
    inventory = { ...env, DATA_DIR: path.join(dir, 'states') };
    expect((await runCli(['sync'], inventory)).code).toBe(0);
    const listed = certificatesOf((await runCli(['list', '--json'], inventory)).stdout);
    states = new Map<string, number>();
    for (const c of listed) states.set(c.state, (states.get(c.state) ?? 0) + 1);
  }, 60_000);

  test('stale (renewed, the old certificate still served) is a finding of its own', async () => {
    expect(states.get('stale')).toBeGreaterThan(0);
    const result = await runCli(['list', '--status', 'stale', '--fail-on', 'stale', '--json'], inventory);
    expect(result.code).toBe(3);
    const listed = certificatesOf(result.stdout);
    expect(listed.every((c) => c.state === 'stale')).toBe(true);
    expect(result.stderr).toContain(`--fail-on stale: ${states.get('stale')} of the certificates listed are stale`);
    // A stale deployment is not also expired: one state each.
    const expired = await runCli(['list', '--status', 'stale', '--fail-on', 'expired'], inventory);
    expect(expired.code).toBe(0);
  });

  test.each(['renewed', 'not-deployed', 'valid', 'expiring', 'expired'])('%s', async (state) => {
    const result = await runCli(['list', '--fail-on', state], inventory);
    const count = states.get(state) ?? 0;
    expect(result.code).toBe(count > 0 ? 3 : 0);
    if (count > 0)
      expect(result.stderr).toContain(
        `--fail-on ${state}: ${count} of the certificates listed ${count === 1 ? 'is' : 'are'} ${state}`,
      );
  });

  test('repeated or comma-separated, in any case: the findings of each state add up', async () => {
    const expected = (states.get('stale') ?? 0) + (states.get('expired') ?? 0);
    for (const args of [
      ['--fail-on', 'stale,expired'],
      ['--fail-on', 'stale', '--fail-on', 'EXPIRED'],
      ['--fail-on', ' stale , expired,stale'],
    ]) {
      const result = await runCli(['list', ...args], inventory);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`: ${expected} of the certificates listed are stale or expired`);
    }
  });

  test('a bad value is a usage error that names the allowed ones', async () => {
    const result = await runCli(['list', '--fail-on', 'stale,soon'], inventory);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"soon" is not something to fail on');
    expect(result.stderr).toContain('allowed: stale, expired, expiring, renewed, not-deployed, valid, revoked');
    const status = await runCli(['status', 'AB', '--fail-on', 'expired'], inventory);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('allowed: revoked');
  });
});

describe('stderr: warnings only unless --verbose', () => {
  test('a command logs nothing at info; --verbose (before or after the command) logs at LOG_LEVEL', async () => {
    const inventory = { ...env, DATA_DIR: path.join(dir, 'verbose'), LOG_LEVEL: 'info' };
    const quiet = await runCli(['sync'], inventory);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const verbose = await runCli(['--verbose', 'sync'], inventory);
    expect(verbose.stderr).toContain('inventory synced');
    const after = await runCli(['sync', '--verbose'], { ...inventory, LOG_LEVEL: 'debug' });
    expect(after.stderr).toContain('inventory synced');
    const json = await runCli(['list', '--json', '--verbose'], inventory);
    expect(Array.isArray(certificatesOf(json.stdout))).toBe(true);
  });
});

describe('list progress', () => {
  function terminal(): PassThrough & { isTTY: boolean; columns: number; text: () => string } {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    return Object.assign(stream, { text: () => chunks.join('') });
  }
  const client = () => ({ events: new EventEmitter<CasClientEvents>() });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('a slow listing on a terminal counts its pages on one line, cleared at the end', async () => {
    const stream = terminal();
    const cas = client();
    const result = await withListProgress({ stream, clients: [cas], delayMs: 20 }, async () => {
      await wait(60);
      cas.events.emit('call', 'ListUserCertificateOrder', 'ok', 5);
      cas.events.emit('call', 'GetRiskCount', 'ok', 5);
      cas.events.emit('call', 'ListUserCertificateOrder', 'ok', 5);
      await wait(300);
      return 'listed';
    });
    expect(result).toBe('listed');
    expect(stream.text()).toContain('Listing certificates from CAS… 2 pages');
    expect(cas.events.listenerCount('call')).toBe(0);
  });

  test('nothing when the listing is quick or stderr is not a terminal', async () => {
    const quick = terminal();
    await withListProgress({ stream: quick, clients: [client()], delayMs: 200 }, async () => wait(10));
    expect(quick.text()).toBe('');
    const piped = Object.assign(terminal(), { isTTY: false });
    await withListProgress({ stream: piped, clients: [client()], delayMs: 0 }, async () => wait(50));
    expect(piped.text()).toBe('');
  });
});
