import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parse as parseQueryString } from 'node:querystring';
import {
  addCertificates,
  type CertificateChanges,
  CertificateEditError,
  type CertificateInput,
  getCertificate,
  removeCertificate,
  updateCertificate,
} from './certificate-edits';
import { accountUserId, type CloudResource, type ResourceView } from './cloud-resources';
import { type Dataset, generateDataset, type SandboxCertificate } from './dataset';
import { type AnswerError, errorBody, newRequestId, SandboxError } from './errors';
import { OPERATIONS, type Params, resolveOperation } from './operations';
import { mulberry32, type Random } from './prng';
import { SlidingWindowLimiter } from './rate-window';
import {
  addResource,
  getResource,
  listResources,
  moveResource,
  removeResource,
  type ResourceInput,
  resourcesOf,
} from './resource-edits';
import { NonceCache, verifySignature } from './signature';

/** Path prefix of the simulator's own control routes. */
export const CONTROL_PREFIX = '/_sandbox/';

/**
 * A local CAS endpoint: real HTTP, real V3 signature check, the gateway's throttling and
 * error bodies, and switchable faults. Tests, benchmarks and the demo point the real
 * openapi-client at it instead of cas.aliyuncs.com.
 */

/** Obviously fake; documented so anyone can point a client at the sandbox. */
export const DEFAULT_ACCESS_KEY_ID = 'LTAI5tSandboxKeyId000001';
export const DEFAULT_ACCESS_KEY_SECRET = 'sandbox-secret-do-not-use-in-production';
/** The documented per-user limit of every one of the five operations. */
export const DEFAULT_QPS = 10;

export interface Faults {
  /** Added before every answer, errors included. */
  latencyMs: number;
  /** Fraction answered 503 ServiceUnavailable. */
  unavailableRate: number;
  /** Fraction never answered: the socket stays open until the client gives up or close(). */
  timeoutRate: number;
  /** Fraction answered 200 with a truncated JSON body. */
  malformedRate: number;
  /** Fraction answered 400 Throttling.User regardless of the real rate. */
  throttleRate: number;
  /**
   * Every ListUserCertificateOrder call for this page number (CurrentPage) is answered 503
   * ServiceUnavailable, retries included, so a paging sync fails there; 0 (default) is off.
   */
  failPage: number;
  /** The same for ListCloudResources: every call for this CurrentPage answers 503; 0 (default) is off. */
  failResourcePage: number;
  /**
   * Actions the caller's RAM policy does not allow (e.g. `['ListCloudResources']`; the
   * `yundun-cert:` prefix may be given too): every signed call to one answers 403 NoPermission
   * with an AccessDeniedDetail whose AuthAction is `yundun-cert:<Action>`, as CAS answers a RAM
   * user without the action. The calls still count in the QPS window. Default none.
   */
  denyActions: string[];
}

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Size of the generated data set when `dataset` is not given. */
  certs?: number;
  /** Seeds the data set and the random fault schedule. */
  seed?: number;
  /** Renewed twins in the generated data set (DatasetOptions.replacedPairs); default 0. */
  replacedPairs?: number;
  /** Simulator clock for x-acs-date and nonce checks; the QPS window always runs on real time. */
  now?: () => number;
  /** AccessKeyId → secret; replaces the default pair. */
  accessKeys?: Record<string, string>;
  /** Accepted calls per AccessKeyId in any 1000 ms; Infinity disables throttling. */
  qps?: number;
  faults?: Partial<Faults>;
  dataset?: Dataset;
}

export type InjectedFault =
  'failNext' | 'failPage' | 'failResourcePage' | 'denied' | 'unavailable' | 'throttle' | 'timeout' | 'malformed';

export interface CallRecord {
  /** Simulator clock when the request was received. */
  at: number;
  action: string;
  version: string;
  accessKeyId?: string;
  /** HTTP status; 0 when the request was deliberately never answered. */
  status: number;
  code?: string;
  /** Request parameters, decoded (query string plus any form body). */
  query: Record<string, string>;
  injected?: InjectedFault;
}

export type FailAnswer = AnswerError | 'timeout' | 'malformed';

export interface SandboxStats {
  calls: number;
  /** Answers refused by the QPS window (not injected throttling). */
  throttled: number;
  /** Answers changed by faults or failNext. */
  injected: number;
  byAction: Record<string, number>;
}

export interface Sandbox {
  /** http://HOST:PORT */
  url: string;
  /** HOST:PORT, what openapi-client wants as `endpoint`. */
  endpoint: string;
  port: number;
  /** Every request, in arrival order. */
  calls: CallRecord[];
  stats(): SandboxStats;
  setFaults(faults: Partial<Faults>): void;
  /** The next n requests that pass the signature check and the QPS window get this answer. */
  failNext(n: number, answer: FailAnswer): void;
  resetCalls(): void;
  dataset: Dataset;
  setDataset(dataset: Dataset): void;
  /**
   * Adds certificates to the running simulator, all or none (see addCertificates in
   * certificate-edits.ts for the defaults); throws CertificateEditError on bad input.
   */
  addCertificates(inputs: readonly CertificateInput[]): SandboxCertificate[];
  addCertificate(input?: CertificateInput): SandboxCertificate;
  /** Changes fields of a certificate in place; throws CertificateEditError (400 bad input, 404 unknown id). */
  updateCertificate(certificateId: number, changes: CertificateChanges): SandboxCertificate;
  /** Removes a certificate and answers it; throws CertificateEditError (404) for an unknown id. */
  removeCertificate(certificateId: number): SandboxCertificate;
  /**
   * The resources serving a certificate, in record-ID order (the live objects); throws
   * ResourceEditError (a CertificateEditError: 400 bad id, 404 unknown certificate).
   */
  resourcesOf(certificateId: number): CloudResource[];
  /** Every resource with the certificate it serves (or one certificate's), in record-ID order. */
  listResources(filter?: { certificateId?: number }): ResourceView[];
  /**
   * Points a resource at another certificate, as deploying that certificate to it would: same
   * record ID, GmtModified now; `deployed` follows on both certificates. ResourceEditError:
   * 400 bad input, 404 unknown resource or certificate.
   */
  moveResource(resourceId: number, certificateId: number): ResourceView;
  /** Adds a resource serving `input.certificateId` (defaults: an SLB listener on port 443 in cn-hangzhou). */
  addResource(input: ResourceInput): ResourceView;
  /** Removes a resource record and answers it. */
  removeResource(resourceId: number): ResourceView;
  close(): Promise<void>;
}

const NO_FAULTS: Faults = {
  latencyMs: 0,
  unavailableRate: 0,
  timeoutRate: 0,
  malformedRate: 0,
  throttleRate: 0,
  failPage: 0,
  failResourcePage: 0,
  denyActions: [],
};
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';

type Outcome =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'error'; error: AnswerError }
  | { kind: 'malformed'; body: Record<string, unknown> }
  | { kind: 'timeout' };

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new CasSandbox(options);
  await sandbox.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return sandbox;
}

class CasSandbox implements Sandbox {
  url = '';
  endpoint = '';
  port = 0;
  calls: CallRecord[] = [];

  private current: Dataset;
  private faults: Faults = { ...NO_FAULTS, denyActions: [] };
  private readonly now: () => number;
  private readonly accessKeys: Record<string, string>;
  private readonly limiter: SlidingWindowLimiter;
  private readonly nonces = new NonceCache();
  private readonly faultRandom: Random;
  private readonly server: Server;
  private readonly scripted: FailAnswer[] = [];
  /** Answers waiting out their latency or held open on purpose; close() ends them. */
  private readonly pending = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private counters = { throttled: 0, injected: 0 };

  constructor(options: SandboxOptions) {
    this.now = options.now ?? Date.now;
    const seed = options.seed ?? 42;
    this.current =
      options.dataset ??
      generateDataset({
        count: options.certs ?? 500,
        seed,
        now: this.now(),
        replacedPairs: options.replacedPairs,
      });
    this.accessKeys = { ...(options.accessKeys ?? { [DEFAULT_ACCESS_KEY_ID]: DEFAULT_ACCESS_KEY_SECRET }) };
    const qps = options.qps ?? DEFAULT_QPS;
    if (!(qps > 0)) throw new RangeError(`qps must be positive, got ${qps}`);
    this.limiter = new SlidingWindowLimiter(qps);
    // Its own stream, so changing the data set size does not change the fault schedule.
    this.faultRandom = mulberry32(seed ^ 0x5eed);
    this.setFaults(options.faults ?? {});
    this.server = createServer((req, res) => this.receive(req, res));
  }

  get dataset(): Dataset {
    return this.current;
  }

  set dataset(dataset: Dataset) {
    this.current = dataset;
  }

  setDataset(dataset: Dataset): void {
    this.current = dataset;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        const hostPart = host.includes(':') ? `[${host}]` : host;
        this.endpoint = `${hostPart}:${this.port}`;
        this.url = `http://${this.endpoint}`;
        resolve();
      });
    });
  }

  stats(): SandboxStats {
    const byAction: Record<string, number> = {};
    for (const call of this.calls) byAction[call.action] = (byAction[call.action] ?? 0) + 1;
    return { calls: this.calls.length, ...this.counters, byAction };
  }

  setFaults(faults: Partial<Faults>): void {
    if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) {
      throw new RangeError('faults must be an object of fault names and numbers');
    }
    for (const name of Object.keys(faults)) {
      if (!Object.hasOwn(NO_FAULTS, name)) {
        throw new RangeError(`unknown fault ${name}; known: ${Object.keys(NO_FAULTS).join(', ')}`);
      }
    }
    const next = { ...this.faults, ...faults };
    for (const [name, value] of Object.entries(next)) {
      if (name === 'denyActions') continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (name.endsWith('Rate') && value > 1)) {
        throw new RangeError(`fault ${name} out of range: ${String(value)}`);
      }
    }
    for (const name of ['failPage', 'failResourcePage'] as const) {
      if (!Number.isInteger(next[name])) {
        throw new RangeError(`fault ${name} must be a whole page number, got ${next[name]}`);
      }
    }
    next.denyActions = deniedActions(next.denyActions);
    if (next.unavailableRate + next.timeoutRate + next.malformedRate + next.throttleRate > 1) {
      throw new RangeError('fault rates add up to more than 1');
    }
    this.faults = next;
  }

  failNext(n: number, answer: FailAnswer): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`failNext needs a non-negative integer, got ${n}`);
    for (let i = 0; i < n; i++) this.scripted.push(answer);
  }

  resetCalls(): void {
    this.calls = [];
    this.counters = { throttled: 0, injected: 0 };
  }

  addCertificates(inputs: readonly CertificateInput[]): SandboxCertificate[] {
    return addCertificates(this.current, inputs, { now: this.now() });
  }

  addCertificate(input: CertificateInput = {}): SandboxCertificate {
    return this.addCertificates([input])[0] as SandboxCertificate;
  }

  updateCertificate(certificateId: number, changes: CertificateChanges): SandboxCertificate {
    return updateCertificate(this.current, certificateId, changes, { now: this.now() });
  }

  removeCertificate(certificateId: number): SandboxCertificate {
    return removeCertificate(this.current, certificateId);
  }

  resourcesOf(certificateId: number): CloudResource[] {
    return resourcesOf(this.current, certificateId);
  }

  listResources(filter: { certificateId?: number } = {}): ResourceView[] {
    return listResources(this.current, filter);
  }

  moveResource(resourceId: number, certificateId: number): ResourceView {
    return moveResource(this.current, resourceId, { certificateId }, { now: this.now() });
  }

  addResource(input: ResourceInput): ResourceView {
    return addResource(this.current, input, { now: this.now() });
  }

  removeResource(resourceId: number): ResourceView {
    return removeResource(this.current, resourceId);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const res of this.pending) res.destroy();
    this.pending.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // openapi-client's HTTP agent keeps idle sockets alive; without this close() waits for them.
    this.server.closeAllConnections();
    await closed;
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
      if (req.url?.startsWith(CONTROL_PREFIX)) this.control(req, res, body);
      else this.answer(req, res, body);
    });
    req.on('error', () => res.destroy());
  }

  /**
   * Unsigned control routes for a simulator running in another process (benchmarks, the
   * cluster tests, sync tests): read the counters, reset them, switch faults, add, change and
   * remove certificates, and list, move, add and remove cloud resources. Never part of the CAS
   * API. Errors answer `{ error, issues? }`: 400 bad input (naming the field), 404 unknown ids.
   */
  private control(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): void {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const route = url.pathname.slice(CONTROL_PREFIX.length);
    const method = req.method ?? '';
    let status = 200;
    let payload: unknown;
    try {
      if (body === undefined) throw new ControlError(413, `the body exceeds ${MAX_BODY_BYTES} bytes`);
      const json = () => parseJsonBody(body);
      const certificate = /^certificates\/([^/]+)$/.exec(route);
      const resource = /^resources\/([^/]+)(\/move)?$/.exec(route);
      if (method === 'GET' && route === 'stats') payload = this.stats();
      else if (method === 'GET' && route === 'calls') payload = this.calls;
      else if (method === 'POST' && route === 'reset') {
        this.resetCalls();
        payload = this.stats();
      } else if (method === 'POST' && route === 'faults') {
        this.setFaults((json() ?? {}) as Partial<Faults>);
        payload = this.faults;
      } else if (method === 'GET' && route === 'certificates') {
        payload = { totalCount: this.current.certificates.length, certificates: this.current.certificates };
      } else if (method === 'POST' && route === 'certificates') {
        const input = json();
        if (input === undefined) throw new ControlError(400, 'body: expected a certificate or an array of them');
        const added = this.addCertificates((Array.isArray(input) ? input : [input]) as CertificateInput[]);
        status = 201;
        payload = { certificateIds: added.map((c) => c.certificateId), certificates: added };
      } else if (certificate && ['GET', 'PATCH', 'DELETE'].includes(method)) {
        const id = certificateIdParam(certificate[1] as string);
        if (method === 'GET') payload = { certificate: getCertificate(this.current, id) };
        else if (method === 'PATCH')
          payload = { certificate: this.updateCertificate(id, json() as CertificateChanges) };
        else payload = { removed: id, certificate: this.removeCertificate(id) };
      } else if (method === 'GET' && route === 'resources') {
        const raw = url.searchParams.get('certificateId');
        const resources = this.listResources(raw === null ? {} : { certificateId: idParam(raw, 'certificateId') });
        payload = { totalCount: resources.length, resources };
      } else if (method === 'POST' && route === 'resources') {
        status = 201;
        payload = { resource: addResource(this.current, json(), { now: this.now() }) };
      } else if (resource && resource[2] === '/move' && method === 'POST') {
        const id = idParam(resource[1] as string, 'resourceId');
        const from = getResource(this.current, id).certificateId;
        const moved = moveResource(this.current, id, json(), { now: this.now() });
        payload = { resource: moved, from, to: moved.certificateId };
      } else if (resource && resource[2] === undefined && (method === 'GET' || method === 'DELETE')) {
        const id = idParam(resource[1] as string, 'resourceId');
        if (method === 'GET') payload = { resource: getResource(this.current, id) };
        else payload = { removed: id, resource: this.removeResource(id) };
      } else {
        status = 404;
        payload = { error: `no control route ${method} ${url.pathname}` };
      }
    } catch (error) {
      if (error instanceof CertificateEditError) {
        status = error.status;
        payload = error.issues.length > 0 ? { error: error.message, issues: error.issues } : { error: error.message };
      } else {
        status = error instanceof ControlError ? error.status : 400;
        payload = { error: error instanceof Error ? error.message : String(error) };
      }
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): void {
    const headers = req.headersDistinct;
    const record: CallRecord = {
      at: this.now(),
      action: headers['x-acs-action']?.[0] ?? '',
      version: headers['x-acs-version']?.[0] ?? '',
      status: 0,
      query: {},
    };
    this.calls.push(record);
    const requestId = newRequestId();
    const outcome = this.decide(req, body, record);

    if (outcome.kind === 'timeout') {
      record.code = 'NoAnswer';
      this.pending.add(res);
      res.on('close', () => this.pending.delete(res));
      return;
    }
    let status = 200;
    let payload: string;
    if (outcome.kind === 'error') {
      status = outcome.error.status;
      record.code = outcome.error.code;
      payload = JSON.stringify(errorBody(requestId, outcome.error));
    } else {
      payload = JSON.stringify({ RequestId: requestId, ...outcome.body });
      // Cut mid-document: a proxy dropping the connection half way, not a different format.
      if (outcome.kind === 'malformed') payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
    }
    record.status = status;
    this.send(res, status, requestId, payload);
  }

  private decide(req: IncomingMessage, body: Buffer | undefined, record: CallRecord): Outcome {
    const fail = (status: number, code: string, message: string): Outcome => ({
      kind: 'error',
      error: { status, code, message },
    });
    const method = req.method ?? '';
    if (method !== 'POST' && method !== 'GET') {
      return fail(400, 'UnsupportedHTTPMethod', `The HTTP method ${method} is not supported.`);
    }
    if (body === undefined) return fail(400, 'InvalidParameter', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    if (pathname !== '/') {
      return fail(404, 'InvalidApi.NotFound', 'Specified api is not found, please check your url and method.');
    }

    const query = decodeParams(queryAt < 0 ? '' : url.slice(queryAt + 1));
    const contentType = req.headers['content-type'] ?? '';
    const isForm = contentType.startsWith('application/x-www-form-urlencoded');
    const form = isForm ? decodeParams(body.toString('utf8')) : { params: {} };
    const repeated = (name: string) => fail(400, 'InvalidParameter', `The parameter ${name} appears more than once.`);
    if ('duplicate' in query) return repeated(query.duplicate);
    if ('duplicate' in form) return repeated(form.duplicate);
    const params: Params = { ...form.params, ...query.params };
    record.query = params;

    const verified = verifySignature(
      { method, pathname, query: query.params, headers: req.headersDistinct, body },
      {
        secretFor: (id) => (Object.hasOwn(this.accessKeys, id) ? this.accessKeys[id] : undefined),
        now: this.now(),
        nonces: this.nonces,
      },
    );
    record.accessKeyId = verified.accessKeyId;
    if (!verified.ok) return { kind: 'error', error: verified.error };

    if (!this.limiter.tryAcquire(verified.accessKeyId, performance.now())) {
      this.counters.throttled++;
      return fail(400, 'Throttling.User', 'Request was denied due to user flow control.');
    }

    const scripted = this.scripted.shift();
    if (scripted !== undefined) {
      this.counters.injected++;
      record.injected = 'failNext';
      if (scripted === 'timeout' || scripted === 'malformed') return this.garble(scripted, record, params);
      return { kind: 'error', error: scripted };
    }

    if (this.faults.denyActions.includes(record.action) && resolveOperation(record.action, record.version)) {
      this.counters.injected++;
      record.injected = 'denied';
      return { kind: 'error', error: permissionDenied(record.action, accountUserId(this.current.seed)) };
    }

    const pageFault =
      record.action === 'ListUserCertificateOrder'
        ? { limit: this.faults.failPage, name: 'failPage' as const }
        : record.action === 'ListCloudResources'
          ? { limit: this.faults.failResourcePage, name: 'failResourcePage' as const }
          : undefined;
    if (pageFault && pageFault.limit > 0) {
      const page = params.CurrentPage === undefined || params.CurrentPage === '' ? 1 : Number(params.CurrentPage);
      if (page === pageFault.limit) {
        this.counters.injected++;
        record.injected = pageFault.name;
        return fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
    }

    const injected = this.rollFault();
    if (injected) {
      this.counters.injected++;
      record.injected = injected;
      if (injected === 'unavailable') {
        return fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
      if (injected === 'throttle') return fail(400, 'Throttling.User', 'Request was denied due to user flow control.');
      return this.garble(injected, record, params);
    }
    return this.dispatch(record, params);
  }

  /** A lost or mangled answer still did the work, as in production: that is what makes retries of writes risky. */
  private garble(kind: 'timeout' | 'malformed', record: CallRecord, params: Params): Outcome {
    const outcome = this.dispatch(record, params);
    if (kind === 'timeout') return { kind: 'timeout' };
    return { kind: 'malformed', body: outcome.kind === 'ok' ? outcome.body : {} };
  }

  private dispatch(record: CallRecord, params: Params): Outcome {
    const operation = resolveOperation(record.action, record.version);
    if (!operation) {
      return {
        kind: 'error',
        error: {
          status: 404,
          code: 'InvalidApi.NotFound',
          message: `Specified api ${record.action} (version ${record.version}) is not found, please check your url and method.`,
        },
      };
    }
    try {
      return { kind: 'ok', body: operation.handle(params, this.current) };
    } catch (error) {
      if (error instanceof SandboxError) {
        return {
          kind: 'error',
          error: {
            status: error.status,
            code: error.code,
            message: error.message,
            accessDeniedDetail: error.accessDeniedDetail,
          },
        };
      }
      return { kind: 'error', error: { status: 500, code: 'InternalError', message: String(error) } };
    }
  }

  private rollFault(): 'unavailable' | 'throttle' | 'timeout' | 'malformed' | undefined {
    const { unavailableRate, throttleRate, timeoutRate, malformedRate } = this.faults;
    if (unavailableRate + throttleRate + timeoutRate + malformedRate === 0) return undefined;
    const roll = this.faultRandom();
    if (roll < unavailableRate) return 'unavailable';
    if (roll < unavailableRate + throttleRate) return 'throttle';
    if (roll < unavailableRate + throttleRate + timeoutRate) return 'timeout';
    if (roll < unavailableRate + throttleRate + timeoutRate + malformedRate) return 'malformed';
    return undefined;
  }

  private send(res: ServerResponse, status: number, requestId: string, payload: string): void {
    const write = () => {
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': JSON_CONTENT_TYPE,
        'content-length': Buffer.byteLength(payload),
        'x-acs-request-id': requestId,
      });
      res.end(payload);
    };
    const { latencyMs } = this.faults;
    if (latencyMs <= 0) {
      write();
      return;
    }
    this.pending.add(res);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.pending.delete(res);
      write();
    }, latencyMs);
    this.timers.add(timer);
  }
}

/** Decoded parameters, or the parameter given twice (the signer never sends duplicates, so we cannot guess). */
function decodeParams(raw: string): { params: Record<string, string> } | { duplicate: string } {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseQueryString(raw))) {
    if (Array.isArray(value)) return { duplicate: key };
    params[key] = value ?? '';
  }
  return { params };
}

/** A control-route failure with its HTTP status. */
class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The JSON body, or undefined when it is empty. */
function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ControlError(400, `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A positive integer from a path or query, or a 400 naming it. */
function idParam(raw: string, name: string): number {
  const id = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new ControlError(400, `${name} must be a positive integer, got "${raw}"`);
  return id;
}

/** Checks the denyActions fault: known action names, with or without the `yundun-cert:` prefix. */
function deniedActions(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new RangeError('fault denyActions must be an array of action names, e.g. ["ListCloudResources"]');
  }
  const actions = value.map((v) => v.replace(/^yundun-cert:/, ''));
  const unknown = actions.find((a) => !Object.hasOwn(OPERATIONS, a));
  if (unknown !== undefined) {
    throw new RangeError(`fault denyActions: unknown action ${unknown}; known: ${Object.keys(OPERATIONS).join(', ')}`);
  }
  return [...new Set(actions)];
}

/**
 * What CAS answers a RAM user or role whose policy lacks the action: 403 NoPermission and the
 * AccessDeniedDetail the gateway adds, whose AuthAction names the action to grant.
 */
function permissionDenied(action: string, userId: number): AnswerError {
  const authAction = `yundun-cert:${action}`;
  const diagnostic = { AuthAction: authAction, AuthResource: '*', NoPermissionType: 'ImplicitDeny' };
  return {
    status: 403,
    code: 'NoPermission',
    message: `You are not authorized to perform this operation. Action: ${authAction}, Resource: *`,
    accessDeniedDetail: {
      AuthAction: authAction,
      AuthPrincipalDisplayName: 'cert-bot',
      AuthPrincipalOwnerId: String(userId),
      AuthPrincipalType: 'SubUser',
      EncodedDiagnosticMessage: Buffer.from(JSON.stringify(diagnostic)).toString('base64'),
      NoPermissionType: 'ImplicitDeny',
      PolicyType: 'AccountLevelIdentityBasedPolicy',
    },
  };
}

function certificateIdParam(raw: string): number {
  const id = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ControlError(400, `certificate id must be a positive integer, got "${raw}"`);
  }
  return id;
}
