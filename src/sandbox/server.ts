import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parse as parseQueryString } from 'node:querystring';
import {
  AccountState,
  type CallRecord,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  DEFAULT_ACCOUNT,
  DEFAULT_QPS,
  type FailAnswer,
  type Faults,
  type SandboxAccount,
  type SandboxAccountOptions,
  type SandboxStats,
  sandboxAccessKey,
  statsOf,
  type AccountInit,
} from './account';
import type { CertificateChanges, CertificateInput } from './certificate-edits';
import type { CloudResource, ResourceView } from './cloud-resources';
import { type Dataset, generateDataset, type SandboxCertificate } from './dataset';
import { advanceDeployments } from './deployment-jobs';
import {
  type AnswerError,
  CAS_SERVICE,
  errorBody,
  missingParameter,
  newRequestId,
  SandboxError,
  type ServiceHost,
  STS_SERVICE,
} from './errors';
import { answerControl, CONTROL_PREFIX } from './control-routes';
import { type Params, ramActionOf, resolveOperation } from './operations';
import type { ResourceInput } from './resource-edits';
import { isRpcSigned, operationParams, verifyRpcSignature } from './rpc-signature';
import { NonceCache, verifySignature, type VerifyResult } from './signature';
import {
  ASSUME_ROLE_ACTION,
  assumeRoleBody,
  parseAssumeRole,
  ROLE_ARN,
  roleNotFound,
  StsIssuer,
  STS_VERSION,
} from './sts';
import { startWireListener, type WireListener } from './wire/listener';

export {
  type CallRecord,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  DEFAULT_ACCOUNT,
  DEFAULT_QPS,
  type FailAnswer,
  type Faults,
  type InjectedFault,
  type SandboxAccount,
  type SandboxAccountOptions,
  type SandboxStats,
} from './account';

export { CONTROL_PREFIX, type SandboxAccountInfo } from './control-routes';

/**
 * A local CAS endpoint: real HTTP (or HTTPS), the real V3 and RPC (HMAC-SHA1) signature checks,
 * STS AssumeRole, the gateway's throttling and error bodies, and switchable faults, for one or
 * several accounts. Tests, benchmarks and the demo point the real openapi-client (and
 * @alicloud/credentials' STS client) at it instead of cas.aliyuncs.com and sts.aliyuncs.com.
 */

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Size of the generated data set when `dataset` is not given (with `accounts`: their default). */
  certs?: number;
  /** Seeds the data set and the random fault schedule (with `accounts`: account n's default is seed + n − 1). */
  seed?: number;
  /** Renewed twins in the generated data set (DatasetOptions.replacedPairs); default 0. */
  replacedPairs?: number;
  /** Simulator clock for x-acs-date, Timestamp, nonce and STS expiry checks; the QPS window runs on `rateClock`. */
  now?: () => number;
  /**
   * The clock of the QPS window, in ms (default the monotonic clock, real time). A test that holds
   * it still sees a burst fall in one second however long a busy machine takes to send it.
   */
  rateClock?: () => number;
  /** AccessKeyId → secret; replaces the default pair. Only without `accounts` (give them per account). */
  accessKeys?: Record<string, string>;
  /** Accepted calls per account in any 1000 ms; Infinity disables throttling (with `accounts`: their default). */
  qps?: number;
  /** Initial faults (with `accounts`: of every account that gives none). */
  faults?: Partial<Faults>;
  /** Only without `accounts` (give it per account). */
  dataset?: Dataset;
  /**
   * Several accounts ("tenants") in one simulator; the first is the default one of the top-level
   * methods and the control routes. Without it the simulator serves one account named 'default'
   * built from the top-level options.
   */
  accounts?: SandboxAccountOptions[];
  /** Listen with HTTPS (PEM key and certificate, e.g. from createSandboxCertificate()) instead of HTTP. */
  tls?: { key: string; cert: string };
  /**
   * Also serve the wire: a TLS listener answering each SNI name with the certificate deployed
   * there (wire/listener.ts), controlled through /_sandbox/wire. Port 0 (default): a free one.
   */
  wire?: boolean | { host?: string; port?: number };
}

export interface Sandbox {
  /** http://HOST:PORT, or https://HOST:PORT with `tls`. */
  url: string;
  /** HOST:PORT, what openapi-client wants as `endpoint`. */
  endpoint: string;
  port: number;
  /** Every request, in arrival order, each with the account it was routed to. */
  calls: CallRecord[];
  /** Counters over every call (all accounts and the unauthenticated ones). */
  stats(): SandboxStats;
  /** The accounts' names, the default (first) one first. */
  readonly accountNames: string[];
  /** One account's data and faults; a RangeError naming the known accounts for an unknown name. */
  account(name: string): SandboxAccount;
  /** Changes the default account's faults. */
  setFaults(faults: Partial<Faults>): void;
  /** The next n requests of the default account that pass the signature check and the QPS window get this answer. */
  failNext(n: number, answer: FailAnswer): void;
  /** Forgets every call. */
  resetCalls(): void;
  /** The default account's data set. */
  dataset: Dataset;
  setDataset(dataset: Dataset): void;
  /**
   * Adds certificates to the default account, all or none (see addCertificates in
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
  /** The TLS listener of SandboxOptions.wire (undefined without it). */
  readonly wire?: WireListener;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';
const ACCOUNT_NAME = /^[a-z][a-z0-9-]{0,31}$/;

type Outcome =
  /** `holdMs`: the operation holds its answer that much longer (its work is done already). */
  | { kind: 'ok'; body: Record<string, unknown>; holdMs?: number }
  | { kind: 'error'; error: AnswerError }
  | { kind: 'malformed'; body: Record<string, unknown> }
  | { kind: 'timeout' };

/** Where a request went: its account once authenticated, and which service answers. */
interface Routing {
  account?: AccountState;
  service: ServiceHost;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new CasSandbox(options);
  await sandbox.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  if (options.wire) await sandbox.startWire(options.wire === true ? {} : options.wire);
  return sandbox;
}

/** The accounts a simulator is built with, checked: names, keys, roles and seeds are unique. */
function accountInits(options: SandboxOptions, now: number): AccountInit[] {
  const baseSeed = options.seed ?? 42;
  const baseQps = options.qps ?? DEFAULT_QPS;
  const baseCerts = options.certs ?? 500;
  if (options.accounts === undefined) {
    return [
      {
        name: DEFAULT_ACCOUNT,
        accessKeys: options.accessKeys ?? { [DEFAULT_ACCESS_KEY_ID]: DEFAULT_ACCESS_KEY_SECRET },
        roles: [],
        qps: baseQps,
        dataset:
          options.dataset ??
          generateDataset({ count: baseCerts, seed: baseSeed, now, replacedPairs: options.replacedPairs }),
        faults: options.faults ?? {},
        seed: baseSeed,
      },
    ];
  }
  if (!Array.isArray(options.accounts) || options.accounts.length === 0) {
    throw new RangeError('accounts must list at least one account');
  }
  if (options.accessKeys !== undefined || options.dataset !== undefined) {
    throw new RangeError('with accounts, give accessKeys and dataset per account, not at the top level');
  }
  const names = new Set<string>();
  const keyOwners = new Map<string, string>();
  const roleOwners = new Map<string, string>();
  const seedOwners = new Map<number, string>();
  const serialOwners = new Map<string, string>();
  return options.accounts.map((account, index) => {
    const { name } = account;
    if (typeof name !== 'string' || !ACCOUNT_NAME.test(name)) {
      throw new RangeError(
        `account name ${JSON.stringify(name)} must be lowercase letters, digits and '-', starting with a letter (at most 32)`,
      );
    }
    if (names.has(name)) throw new RangeError(`account ${name} is listed twice`);
    names.add(name);

    const fallback = sandboxAccessKey(index + 1);
    const accessKeys = account.accessKeys ?? { [fallback.accessKeyId]: fallback.accessKeySecret };
    for (const [id, secret] of Object.entries(accessKeys)) {
      if (id === '' || id.startsWith('STS.'))
        throw new RangeError(`account ${name}: AccessKeyId "${id}" is not allowed`);
      if (typeof secret !== 'string' || secret === '')
        throw new RangeError(`account ${name}: the secret of ${id} is empty`);
      const owner = keyOwners.get(id);
      if (owner !== undefined) throw new RangeError(`AccessKeyId ${id} belongs to both ${owner} and ${name}`);
      keyOwners.set(id, name);
    }

    const roles = account.roles ?? [];
    for (const role of roles) {
      if (!ROLE_ARN.test(role)) {
        throw new RangeError(`account ${name}: role ${role} is not an ARN like acs:ram::<uid>:role/<name>`);
      }
      const owner = roleOwners.get(role.toLowerCase());
      if (owner !== undefined) throw new RangeError(`role ${role} belongs to both ${owner} and ${name}`);
      roleOwners.set(role.toLowerCase(), name);
    }

    const seed = account.seed ?? account.dataset?.seed ?? baseSeed + index;
    const generated = account.dataset === undefined;
    const dataset =
      account.dataset ??
      generateDataset({
        count: account.certs ?? baseCerts,
        seed,
        now,
        profile: account.profile,
        replacedPairs: account.replacedPairs ?? options.replacedPairs,
      });
    // Different seeds make different certificates and a different uid in ARNs and AccessDeniedDetail.
    const seedOwner = seedOwners.get(dataset.seed);
    if (seedOwner !== undefined) {
      throw new RangeError(`accounts ${seedOwner} and ${name} have data sets with the same seed ${dataset.seed}`);
    }
    seedOwners.set(dataset.seed, name);
    if (generated) {
      // A serial number known to one account only must answer 'unknown' from the others.
      for (const cert of dataset.certificates) {
        const owner = serialOwners.get(cert.serialNo);
        if (owner !== undefined) {
          throw new RangeError(`accounts ${owner} and ${name} share serial ${cert.serialNo}: pick another seed`);
        }
        serialOwners.set(cert.serialNo, name);
      }
    }
    return {
      name,
      accessKeys,
      roles,
      qps: account.qps ?? baseQps,
      dataset,
      faults: account.faults ?? options.faults ?? {},
      seed,
    };
  });
}

class CasSandbox implements Sandbox {
  url = '';
  endpoint = '';
  port = 0;
  calls: CallRecord[] = [];

  private readonly clock: () => number;
  private readonly rateClock: () => number;
  private readonly accounts: AccountState[];
  private readonly byName = new Map<string, AccountState>();
  /** Every account's own key pairs: AccessKeyId → account and secret. */
  private readonly keys = new Map<string, { account: AccountState; secret: string }>();
  /** Role ARN (lowercase) → the account it belongs to. */
  private readonly roleOwners = new Map<string, AccountState>();
  private readonly sts = new StsIssuer();
  private readonly nonces = new NonceCache();
  private readonly server: Server;
  private readonly scheme: 'http' | 'https';
  /** Answers waiting out their latency or held open on purpose; close() ends them. */
  private readonly pending = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  wire?: WireListener;

  constructor(options: SandboxOptions) {
    this.clock = options.now ?? Date.now;
    this.rateClock = options.rateClock ?? (() => performance.now());
    this.accounts = accountInits(options, this.clock()).map((init) => new AccountState(this, init));
    for (const account of this.accounts) {
      this.byName.set(account.name, account);
      for (const [id, secret] of Object.entries(account.accessKeys)) this.keys.set(id, { account, secret });
      for (const role of account.roles) this.roleOwners.set(role.toLowerCase(), account);
    }
    const handler = (req: IncomingMessage, res: ServerResponse) => this.receive(req, res);
    this.scheme = options.tls ? 'https' : 'http';
    this.server = options.tls
      ? (createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) as unknown as Server)
      : createServer(handler);
  }

  now(): number {
    return this.clock();
  }

  /** The default (first) account. */
  private get primary(): AccountState {
    return this.accounts[0] as AccountState;
  }

  get accountNames(): string[] {
    return this.accounts.map((account) => account.name);
  }

  account(name: string): SandboxAccount {
    const account = this.byName.get(name);
    if (!account) throw new RangeError(`no account ${name}; known: ${this.accountNames.join(', ')}`);
    return account;
  }

  get dataset(): Dataset {
    return this.primary.dataset;
  }

  set dataset(dataset: Dataset) {
    this.primary.dataset = dataset;
  }

  setDataset(dataset: Dataset): void {
    this.primary.setDataset(dataset);
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        const hostPart = host.includes(':') ? `[${host}]` : host;
        this.endpoint = `${hostPart}:${this.port}`;
        this.url = `${this.scheme}://${this.endpoint}`;
        resolve();
      });
    });
  }

  stats(): SandboxStats {
    return statsOf(this.calls);
  }

  setFaults(faults: Partial<Faults>): void {
    this.primary.setFaults(faults);
  }

  failNext(n: number, answer: FailAnswer): void {
    this.primary.failNext(n, answer);
  }

  resetCalls(): void {
    this.calls = [];
  }

  addCertificates(inputs: readonly CertificateInput[]): SandboxCertificate[] {
    return this.primary.addCertificates(inputs);
  }

  addCertificate(input: CertificateInput = {}): SandboxCertificate {
    return this.primary.addCertificate(input);
  }

  updateCertificate(certificateId: number, changes: CertificateChanges): SandboxCertificate {
    return this.primary.updateCertificate(certificateId, changes);
  }

  removeCertificate(certificateId: number): SandboxCertificate {
    return this.primary.removeCertificate(certificateId);
  }

  resourcesOf(certificateId: number): CloudResource[] {
    return this.primary.resourcesOf(certificateId);
  }

  listResources(filter: { certificateId?: number } = {}): ResourceView[] {
    return this.primary.listResources(filter);
  }

  moveResource(resourceId: number, certificateId: number): ResourceView {
    return this.primary.moveResource(resourceId, certificateId);
  }

  addResource(input: ResourceInput): ResourceView {
    return this.primary.addResource(input);
  }

  removeResource(resourceId: number): ResourceView {
    return this.primary.removeResource(resourceId);
  }

  async startWire(options: { host?: string; port?: number }): Promise<void> {
    this.wire = await startWireListener({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      world: () => ({ accounts: this.accounts, now: this.now() }),
    });
  }

  async close(): Promise<void> {
    await this.wire?.close();
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

  /** A control route (control-routes.ts): never signed, never part of the CAS API. */
  private control(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): void {
    const { status, payload } = answerControl(
      {
        accounts: this.accounts,
        accountNamed: (name) => this.byName.get(name),
        calls: () => this.calls,
        stats: () => this.stats(),
        resetCalls: () => this.resetCalls(),
        now: () => this.now(),
        wire: () => this.wire,
      },
      { method: req.method ?? '', url: req.url ?? '/', body, bodyLimit: MAX_BODY_BYTES },
    );
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
    const routing: Routing = { service: CAS_SERVICE };
    const outcome = this.decide(req, body, record, routing);

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
      payload = JSON.stringify(errorBody(requestId, outcome.error, routing.service));
    } else {
      payload = JSON.stringify({ RequestId: requestId, ...outcome.body });
      // Cut mid-document: a proxy dropping the connection half way, not a different format.
      if (outcome.kind === 'malformed') payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
    }
    record.status = status;
    // STS is another service: CAS faults (latency included) are not its. Unauthenticated
    // answers wait out the default account's latency.
    const latencyMs = routing.service === STS_SERVICE ? 0 : (routing.account ?? this.primary).activeFaults.latencyMs;
    this.send(res, status, requestId, payload, latencyMs + (outcome.kind === 'ok' ? (outcome.holdMs ?? 0) : 0));
  }

  private decide(req: IncomingMessage, body: Buffer | undefined, record: CallRecord, routing: Routing): Outcome {
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
    const allParams: Params = { ...form.params, ...query.params };

    // The older RPC signature travels in the parameters; without an Authorization header and
    // without them the V3 check answers what it always did (MissingAuthorization).
    const rpc = req.headers.authorization === undefined && isRpcSigned(allParams);
    if (rpc) {
      record.action = allParams.Action ?? '';
      record.version = allParams.Version ?? '';
    }
    const params = rpc ? operationParams(allParams) : allParams;
    record.query = params;
    if (record.action === ASSUME_ROLE_ACTION) routing.service = STS_SERVICE;

    let verified: VerifyResult;
    const secretFor = (id: string) => this.secretFor(id);
    if (rpc) {
      if (!allParams.Action) return { kind: 'error', error: missingParameter('Action') };
      if (!allParams.Version) return { kind: 'error', error: missingParameter('Version') };
      verified = verifyRpcSignature(method, allParams, { secretFor, now: this.now(), nonces: this.nonces });
    } else {
      verified = verifySignature(
        { method, pathname, query: query.params, headers: req.headersDistinct, body },
        { secretFor, now: this.now(), nonces: this.nonces },
      );
    }
    record.accessKeyId = verified.accessKeyId;
    if (!verified.ok) return { kind: 'error', error: verified.error };

    const token = rpc ? allParams.SecurityToken : req.headersDistinct['x-acs-security-token']?.[0];
    const principal = this.principal(verified.accessKeyId, token);
    if ('error' in principal) return { kind: 'error', error: principal.error };
    const account = principal.account;
    record.account = account.name;
    routing.account = account;

    if (record.action === ASSUME_ROLE_ACTION) return this.assumeRole(record, params, routing);

    if (!account.limiter.tryAcquire(account.name, this.rateClock())) {
      return fail(400, 'Throttling.User', 'Request was denied due to user flow control.');
    }

    const scripted = account.scripted.shift();
    if (scripted !== undefined) {
      record.injected = 'failNext';
      if (scripted === 'timeout' || scripted === 'malformed') return this.garble(scripted, record, params, account);
      return { kind: 'error', error: scripted };
    }

    const faults = account.activeFaults;
    if (faults.denyActions.includes(record.action) && resolveOperation(record.action, record.version)) {
      record.injected = 'denied';
      return { kind: 'error', error: permissionDenied(ramActionOf(record.action), account.userId) };
    }

    const pageFault =
      record.action === 'ListUserCertificateOrder'
        ? { limit: faults.failPage, name: 'failPage' as const }
        : record.action === 'ListCloudResources'
          ? { limit: faults.failResourcePage, name: 'failResourcePage' as const }
          : undefined;
    if (pageFault && pageFault.limit > 0) {
      const page = params.CurrentPage === undefined || params.CurrentPage === '' ? 1 : Number(params.CurrentPage);
      if (page === pageFault.limit) {
        record.injected = pageFault.name;
        return fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
    }

    const injected = rollFault(account);
    if (injected) {
      record.injected = injected;
      if (injected === 'unavailable') {
        return fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
      if (injected === 'throttle') return fail(400, 'Throttling.User', 'Request was denied due to user flow control.');
      return this.garble(injected, record, params, account);
    }
    return this.dispatch(record, params, account);
  }

  /** An account's own key, or a temporary key STS issued (expired ones included: the token check refuses them). */
  private secretFor(accessKeyId: string): string | undefined {
    return this.keys.get(accessKeyId)?.secret ?? this.sts.get(accessKeyId)?.secret;
  }

  /**
   * The account a verified key acts for. A temporary key needs the SecurityToken issued with it
   * (the x-acs-security-token header, or the SecurityToken parameter of an RPC call) and is
   * refused after its Expiration on the simulator clock; an account's own key takes none.
   */
  private principal(
    accessKeyId: string,
    token: string | undefined,
  ): { account: AccountState } | { error: AnswerError } {
    const mismatch = {
      error: {
        status: 400,
        code: 'InvalidSecurityToken.Mismatch',
        message: 'Specified SecurityToken mismatch with the AccessKey.',
      },
    };
    const own = this.keys.get(accessKeyId);
    if (own) return token === undefined || token === '' ? { account: own.account } : mismatch;
    const temporary = this.sts.get(accessKeyId);
    const account = temporary && this.byName.get(temporary.account);
    if (!temporary || !account) {
      return {
        error: { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' },
      };
    }
    if (token !== temporary.securityToken) return mismatch;
    if (this.now() >= temporary.expiresAt) {
      return {
        error: { status: 400, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired.' },
      };
    }
    return { account };
  }

  /** STS AssumeRole: not throttled by the CAS window and not subject to CAS faults. */
  private assumeRole(record: CallRecord, params: Params, routing: Routing): Outcome {
    if (record.version !== STS_VERSION) {
      return {
        kind: 'error',
        error: {
          status: 400,
          code: 'InvalidVersion',
          message: `Specified parameter Version "${record.version}" is not valid; STS AssumeRole is ${STS_VERSION}.`,
        },
      };
    }
    try {
      const request = parseAssumeRole(params);
      const owner = this.roleOwners.get(request.roleArn.toLowerCase());
      if (!owner) throw roleNotFound(request.roleArn);
      record.account = owner.name;
      routing.account = owner;
      return { kind: 'ok', body: assumeRoleBody(this.sts.issue(request, owner.name, this.now())) };
    } catch (error) {
      if (error instanceof SandboxError) {
        return { kind: 'error', error: { status: error.status, code: error.code, message: error.message } };
      }
      throw error;
    }
  }

  /** A lost or mangled answer still did the work, as in production: that is what makes retries of writes risky. */
  private garble(kind: 'timeout' | 'malformed', record: CallRecord, params: Params, account: AccountState): Outcome {
    const outcome = this.dispatch(record, params, account);
    if (kind === 'timeout') return { kind: 'timeout' };
    return { kind: 'malformed', body: outcome.kind === 'ok' ? outcome.body : {} };
  }

  private dispatch(record: CallRecord, params: Params, account: AccountState): Outcome {
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
      advanceDeployments(account.dataset, this.now());
      const body = operation.handle(params, account.dataset, this.now());
      return { kind: 'ok', body, holdMs: operation.holdMs?.(account.dataset) };
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

  private send(res: ServerResponse, status: number, requestId: string, payload: string, latencyMs: number): void {
    const write = () => {
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': JSON_CONTENT_TYPE,
        'content-length': Buffer.byteLength(payload),
        'x-acs-request-id': requestId,
      });
      res.end(payload);
    };
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

function rollFault(account: AccountState): 'unavailable' | 'throttle' | 'timeout' | 'malformed' | undefined {
  const { unavailableRate, throttleRate, timeoutRate, malformedRate } = account.activeFaults;
  if (unavailableRate + throttleRate + timeoutRate + malformedRate === 0) return undefined;
  const roll = account.faultRandom();
  if (roll < unavailableRate) return 'unavailable';
  if (roll < unavailableRate + throttleRate) return 'throttle';
  if (roll < unavailableRate + throttleRate + timeoutRate) return 'timeout';
  if (roll < unavailableRate + throttleRate + timeoutRate + malformedRate) return 'malformed';
  return undefined;
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

/**
 * What CAS answers a RAM user or role whose policy lacks the action: 403 NoPermission and the
 * AccessDeniedDetail the gateway adds, whose AuthAction names the action to grant.
 */
function permissionDenied(authAction: string, userId: number): AnswerError {
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
