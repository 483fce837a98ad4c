import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { CertificateChanges, CertificateInput } from './certificate-edits';
import type { ResourceView } from './cloud-resources';
import type { SandboxCertificate } from './dataset';
import type { ResourceInput } from './resource-edits';
import type { Faults, SandboxStats } from './server';
import { CONTROL_PREFIX } from './server';

export interface SandboxProcessOptions {
  certs?: number;
  seed?: number;
  qps?: number;
  latencyMs?: number;
  profile?: 'mixed' | 'healthy';
  /** Renewed twins in the data set (`--replaced`); default 0, unlike the CLI's. */
  replacedPairs?: number;
}

/** A running simulator driven through its control routes (any process, any host). */
export interface SandboxControl {
  url: string;
  stats(): Promise<SandboxStats>;
  calls(): Promise<Array<{ at: number; action: string; status: number }>>;
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
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited early with code ${code}`)));
  });
  return {
    ...connectSandbox(url),
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
 * terminal, or startSandbox's `url`). Each method throws on a non-2xx answer, with its body.
 */
export function connectSandbox(url: string): SandboxControl {
  const control = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}${CONTROL_PREFIX}${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) {
      const detail = await res.text().catch(() => '');
      throw new Error(`sandbox control ${method} ${route}: HTTP ${res.status} ${detail}`.trim());
    }
    return res.json() as Promise<unknown>;
  };
  return {
    url,
    stats: () => control('GET', 'stats') as Promise<SandboxStats>,
    calls: () => control('GET', 'calls') as Promise<Array<{ at: number; action: string; status: number }>>,
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
