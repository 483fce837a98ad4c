import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import readline from 'node:readline';
import type { CallRecord, Faults, SandboxStats } from './account';
import type { CertificateChanges, CertificateInput } from './certificate-edits';
import type { ResourceView } from './cloud-resources';
import type { SandboxCertificate } from './dataset';
import type { ResourceInput } from './resource-edits';
import { CONTROL_PREFIX, type SandboxAccountInfo } from './server';

export interface SandboxProcessOptions {
  certs?: number;
  seed?: number;
  qps?: number;
  latencyMs?: number;
  profile?: 'mixed' | 'healthy';
  /** Renewed twins in the data set (`--replaced`); default 0, unlike the CLI's. */
  replacedPairs?: number;
  /** Account names (`--accounts`), lowercase; default one account, as without it. */
  accounts?: string[];
  /** HTTPS with a self-signed certificate (`--tls`); its PEM file is `caCertPath`. */
  tls?: boolean;
  /** Also serve the wire (`--wire`): see SandboxProcess.wire. */
  wire?: boolean;
}

export interface SandboxConnectOptions {
  /** Bind the control to this account (`?account=NAME` on every route); default the first account. */
  account?: string;
  /** PEM certificate to trust for an https:// simulator (e.g. the contents of caCertPath). */
  ca?: string;
}

/** A running simulator driven through its control routes (any process, any host). */
export interface SandboxControl {
  url: string;
  /** The account this control is bound to; undefined: the first one (and every account for calls/stats/reset). */
  account?: string;
  /** The same simulator, bound to another account. */
  forAccount(name: string): SandboxControl;
  /** GET /_sandbox/accounts: names, AccessKey IDs, roles, qps and certificate counts (no secrets). */
  accounts(): Promise<SandboxAccountInfo[]>;
  stats(): Promise<SandboxStats>;
  calls(): Promise<CallRecord[]>;
  reset(): Promise<void>;
  setFaults(faults: Partial<Faults>): Promise<void>;
  /** POST /_sandbox/certificates: answers the new CertificateIds. */
  addCertificates(inputs: readonly CertificateInput[]): Promise<number[]>;
  /** PATCH /_sandbox/certificates/<id>: answers the changed certificate. */
  updateCertificate(certificateId: number, changes: CertificateChanges): Promise<SandboxCertificate>;
  /** DELETE /_sandbox/certificates/<id>. */
  removeCertificate(certificateId: number): Promise<void>;
  /** GET /_sandbox/resources[?certificateId=]: every resource (or one certificate's), in record-ID order. */
  resources(certificateId?: number): Promise<ResourceView[]>;
  /** POST /_sandbox/resources/<id>/move: answers the moved resource. */
  moveResource(resourceId: number, certificateId: number): Promise<ResourceView>;
  /** POST /_sandbox/resources: answers the new resource. */
  addResource(input: ResourceInput): Promise<ResourceView>;
  /** DELETE /_sandbox/resources/<id>. */
  removeResource(resourceId: number): Promise<void>;
}

/** A simulator in its own process, driven through its control routes. */
export interface SandboxProcess extends SandboxControl {
  /** With `tls`: the file holding the certificate PEM, for NODE_EXTRA_CA_CERTS of the processes that call it. */
  caCertPath?: string;
  /** With `wire`: the TLS listener (HOST:PORT) and the file holding its CA, for PROBE_RESOLVE and PROBE_CA_FILE. */
  wire?: { endpoint: string; port: number; caFile: string };
  close(): Promise<void>;
}

/** The built CLI, found from the package root whether this file runs from src/ or dist/src/. */
function builtCli(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the cas-cert-bot package root');
    dir = parent;
  }
  const cli = path.join(dir, 'dist', 'src', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first`);
  return cli;
}

/**
 * Starts `cert-bot sandbox` as a child process (from the built CLI). Benchmarks use this so the
 * simulator does not share an event loop with the client it measures: in one process a busy
 * loop delays the server's view of arrivals and distorts the one-second window.
 */
export async function spawnSandbox(options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
  const cli = builtCli();
  const args = [
    cli,
    'sandbox',
    '--port',
    '0',
    '--certs',
    String(options.certs ?? 500),
    '--seed',
    String(options.seed ?? 42),
    '--qps',
    String(options.qps ?? 10),
    '--latency',
    String(options.latencyMs ?? 0),
    '--profile',
    options.profile ?? 'mixed',
    '--replaced',
    String(options.replacedPairs ?? 0),
  ];
  if (options.accounts !== undefined) args.push('--accounts', options.accounts.join(','));
  if (options.tls) args.push('--tls');
  if (options.wire) args.push('--wire');
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const { url, caCertPath, wire } = await new Promise<{
    url: string;
    caCertPath?: string;
    wire?: SandboxProcess['wire'];
  }>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let url: string | undefined;
    let caCertPath: string | undefined;
    let wire: SandboxProcess['wire'];
    lines.on('line', (line) => {
      url ??= /listening on (https?:\/\/\S+)/.exec(line)?.[1];
      caCertPath ??= /^\s*export NODE_EXTRA_CA_CERTS=(\S+)/.exec(line)?.[1];
      const served = /^Wire .* on (\S+:(\d+)); CA file (\S+)$/.exec(line);
      if (served) wire = { endpoint: served[1] as string, port: Number(served[2]), caFile: served[3] as string };
      if (url !== undefined && (!options.tls || caCertPath !== undefined) && (!options.wire || wire !== undefined))
        resolve({ url, caCertPath, wire });
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited early with code ${code}`)));
  });
  const ca = caCertPath === undefined ? undefined : fs.readFileSync(caCertPath, 'utf8');
  return {
    ...connectSandbox(url, { ca }),
    caCertPath,
    wire,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The control routes of a simulator already running at `url` (`cert-bot sandbox` in another
 * terminal, or startSandbox's `url`), bound to `options.account` (default the first account).
 * Each method throws on a non-2xx answer, with its body.
 */
export function connectSandbox(url: string, options: SandboxConnectOptions = {}): SandboxControl {
  const { account, ca } = options;
  const control = async (method: string, route: string, body?: unknown) => {
    const target = new URL(`${url}${CONTROL_PREFIX}${route}`);
    if (account !== undefined) target.searchParams.set('account', account);
    const res = await controlRequest(target, method, body ? JSON.stringify(body) : undefined, ca);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`sandbox control ${method} ${route}: HTTP ${res.status} ${res.text}`.trim());
    }
    return JSON.parse(res.text) as unknown;
  };
  return {
    url,
    account,
    forAccount: (name) => connectSandbox(url, { ...options, account: name }),
    accounts: async () => ((await control('GET', 'accounts')) as { accounts: SandboxAccountInfo[] }).accounts,
    stats: () => control('GET', 'stats') as Promise<SandboxStats>,
    calls: () => control('GET', 'calls') as Promise<CallRecord[]>,
    reset: async () => {
      await control('POST', 'reset');
    },
    setFaults: async (faults) => {
      await control('POST', 'faults', faults);
    },
    addCertificates: async (inputs) => {
      const answer = (await control('POST', 'certificates', inputs)) as { certificateIds: number[] };
      return answer.certificateIds;
    },
    updateCertificate: async (certificateId, changes) => {
      const answer = (await control('PATCH', `certificates/${certificateId}`, changes)) as {
        certificate: SandboxCertificate;
      };
      return answer.certificate;
    },
    removeCertificate: async (certificateId) => {
      await control('DELETE', `certificates/${certificateId}`);
    },
    resources: async (certificateId) => {
      const query = certificateId === undefined ? '' : `?certificateId=${encodeURIComponent(String(certificateId))}`;
      const answer = (await control('GET', `resources${query}`)) as { resources: ResourceView[] };
      return answer.resources;
    },
    moveResource: async (resourceId, certificateId) => {
      const answer = (await control('POST', `resources/${resourceId}/move`, { certificateId })) as {
        resource: ResourceView;
      };
      return answer.resource;
    },
    addResource: async (input) => {
      const answer = (await control('POST', 'resources', input)) as { resource: ResourceView };
      return answer.resource;
    },
    removeResource: async (resourceId) => {
      await control('DELETE', `resources/${resourceId}`);
    },
  };
}

/** One control request over node:http(s) (fetch cannot be told to trust one more certificate). */
export function controlRequest(
  target: URL,
  method: string,
  body: string | undefined,
  ca: string | undefined,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string | number> =
    body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req =
      target.protocol === 'https:'
        ? httpsRequest(target, { method, headers, agent: false, ca }, onResponse)
        : httpRequest(target, { method, headers, agent: false }, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}
