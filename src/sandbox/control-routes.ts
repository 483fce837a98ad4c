import type { AccountState, CallRecord, Faults, SandboxStats } from './account';
import {
  type CertificateChanges,
  CertificateEditError,
  type CertificateInput,
  getCertificate,
} from './certificate-edits';
import { deploymentRoute } from './deployment-control';
import { advanceDeployments } from './deployment-jobs';
import { addResource, getResource, moveResource } from './resource-edits';
import type { WireListener } from './wire/listener';
import { wireRoutes } from './wire/routes';

/**
 * The simulator's control routes: unsigned routes for a simulator running in another process
 * (benchmarks, the cluster tests, sync tests) to read the counters, reset them, switch faults,
 * add, change and remove certificates, list, move, add and remove cloud resources, drive
 * deployment jobs (deployment-control.ts) and the wire (wire/routes.ts). Never part of the CAS
 * API. Every route takes `?account=NAME` (default the first account; calls, stats and reset
 * without it cover every account). Errors answer `{ error, issues? }`: 400 bad input (naming
 * the field), 404 unknown ids or account, 413 a body over the limit.
 */

/** Path prefix of the simulator's own control routes. */
export const CONTROL_PREFIX = '/_sandbox/';

/** What GET /_sandbox/accounts lists for each account (never a secret). */
export interface SandboxAccountInfo {
  name: string;
  accessKeyIds: string[];
  roles: string[];
  /** null when unlimited (Infinity does not survive JSON). */
  qps: number | null;
  certificates: number;
}

/** A control request as a route sees it. */
export interface ControlRequest {
  method: string;
  /** The path after /_sandbox/, e.g. `wire/names/www.example.com`. */
  route: string;
  url: URL;
  /** The JSON body, or undefined when it is empty (a 400 when it is not JSON). */
  body(): unknown;
}

export interface ControlAnswer {
  status: number;
  payload: unknown;
}

/**
 * A module's own control routes under one path (the wire's, wire/routes.ts): answers the routes
 * it knows, undefined for the others; throws RangeError for bad input (answered 400 with its
 * message).
 */
export type ControlRouteHandler = (request: ControlRequest) => ControlAnswer | undefined;

/** The simulator as its control routes see it. */
export interface ControlledSandbox {
  /** Every account, the default (first) one first. */
  readonly accounts: readonly AccountState[];
  accountNamed(name: string): AccountState | undefined;
  /** Every call of every account. */
  calls(): CallRecord[];
  stats(): SandboxStats;
  resetCalls(): void;
  now(): number;
  wire(): WireListener | undefined;
}

/** One control request, its account resolved. */
export interface ScopedControlRequest extends ControlRequest {
  sandbox: ControlledSandbox;
  /** The account named by `?account=`, undefined without it. */
  scoped: AccountState | undefined;
  /** The account named, or the default one. */
  account: AccountState;
  now: number;
}

interface ControlRoute {
  /** The methods it answers; undefined: every method (a module's own routes, which tell them apart). */
  methods?: readonly string[];
  /** Matched against the path after /_sandbox/. */
  path: RegExp;
  /** Its answer; undefined passes the request on to the next route of the table. */
  answer(request: ScopedControlRequest, match: RegExpExecArray): ControlAnswer | undefined;
}

const ok = (payload: unknown): ControlAnswer => ({ status: 200, payload });

/** The routes, tried in this order; the first answer wins. */
const CONTROL_ROUTES: readonly ControlRoute[] = [
  {
    path: /^deployments(\/.*)?$/,
    answer: ({ method, route, body, account, now }) => deploymentRoute(method, route, body, account.dataset, now),
  },
  {
    path: /^wire(\/.*)?$/,
    answer: (request) => wireRoutes(request.sandbox.wire)(request),
  },
  {
    methods: ['GET'],
    path: /^stats$/,
    answer: ({ scoped, sandbox }) => ok(scoped ? scoped.stats() : sandbox.stats()),
  },
  {
    methods: ['GET'],
    path: /^calls$/,
    answer: ({ scoped, sandbox }) => ok(scoped ? scoped.calls : sandbox.calls()),
  },
  {
    methods: ['POST'],
    path: /^reset$/,
    answer: ({ scoped, sandbox }) => {
      if (scoped) scoped.resetCalls();
      else sandbox.resetCalls();
      return ok(scoped ? scoped.stats() : sandbox.stats());
    },
  },
  {
    methods: ['GET'],
    path: /^accounts$/,
    answer: ({ sandbox }) => ok({ accounts: sandbox.accounts.map(accountInfo) }),
  },
  {
    methods: ['POST'],
    path: /^faults$/,
    answer: ({ account, body }) => {
      account.setFaults((body() ?? {}) as Partial<Faults>);
      return ok(account.faults());
    },
  },
  {
    methods: ['GET'],
    path: /^certificates$/,
    answer: ({ account }) =>
      ok({ totalCount: account.dataset.certificates.length, certificates: account.dataset.certificates }),
  },
  {
    methods: ['POST'],
    path: /^certificates$/,
    answer: ({ account, body }) => {
      const input = body();
      if (input === undefined) throw new ControlError(400, 'body: expected a certificate or an array of them');
      const added = account.addCertificates((Array.isArray(input) ? input : [input]) as CertificateInput[]);
      return { status: 201, payload: { certificateIds: added.map((c) => c.certificateId), certificates: added } };
    },
  },
  {
    methods: ['GET'],
    path: /^certificates\/([^/]+)$/,
    answer: ({ account }, match) =>
      ok({ certificate: getCertificate(account.dataset, certificateIdParam(match[1] as string)) }),
  },
  {
    methods: ['PATCH'],
    path: /^certificates\/([^/]+)$/,
    answer: ({ account, body }, match) => {
      const id = certificateIdParam(match[1] as string);
      return ok({ certificate: account.updateCertificate(id, body() as CertificateChanges) });
    },
  },
  {
    methods: ['DELETE'],
    path: /^certificates\/([^/]+)$/,
    answer: ({ account }, match) => {
      const id = certificateIdParam(match[1] as string);
      return ok({ removed: id, certificate: account.removeCertificate(id) });
    },
  },
  {
    methods: ['GET'],
    path: /^resources$/,
    answer: ({ account, url }) => {
      const raw = url.searchParams.get('certificateId');
      const resources = account.listResources(raw === null ? {} : { certificateId: idParam(raw, 'certificateId') });
      return ok({ totalCount: resources.length, resources });
    },
  },
  {
    methods: ['POST'],
    path: /^resources$/,
    answer: ({ account, body, now }) => ({
      status: 201,
      payload: { resource: addResource(account.dataset, body(), { now }) },
    }),
  },
  {
    methods: ['POST'],
    path: /^resources\/([^/]+)\/move$/,
    answer: ({ account, body, now }, match) => {
      const id = idParam(match[1] as string, 'resourceId');
      const from = getResource(account.dataset, id).certificateId;
      const moved = moveResource(account.dataset, id, body(), { now });
      return ok({ resource: moved, from, to: moved.certificateId });
    },
  },
  {
    methods: ['GET'],
    path: /^resources\/([^/]+)$/,
    answer: ({ account }, match) =>
      ok({ resource: getResource(account.dataset, idParam(match[1] as string, 'resourceId')) }),
  },
  {
    methods: ['DELETE'],
    path: /^resources\/([^/]+)$/,
    answer: ({ account }, match) => {
      const id = idParam(match[1] as string, 'resourceId');
      return ok({ removed: id, resource: account.removeResource(id) });
    },
  },
];

/**
 * The answer to a control request (`url` starts with CONTROL_PREFIX); `body` is undefined when
 * it was larger than `bodyLimit` bytes.
 */
export function answerControl(
  sandbox: ControlledSandbox,
  request: { method: string; url: string; body: Buffer | undefined; bodyLimit: number },
): ControlAnswer {
  const url = new URL(request.url, 'http://sandbox');
  const route = url.pathname.slice(CONTROL_PREFIX.length);
  const { method } = request;
  try {
    const { body } = request;
    if (body === undefined) throw new ControlError(413, `the body exceeds ${request.bodyLimit} bytes`);
    const named = url.searchParams.get('account');
    const scoped = named === null ? undefined : sandbox.accountNamed(named);
    if (named !== null && !scoped) {
      const known = sandbox.accounts.map((account) => account.name).join(', ');
      throw new ControlError(404, `no account ${named}; known: ${known}`);
    }
    const account = scoped ?? (sandbox.accounts[0] as AccountState);
    const now = sandbox.now();
    // Deployment jobs move on with the clock; every control route sees them where they are now.
    advanceDeployments(account.dataset, now);
    const scopedRequest: ScopedControlRequest = {
      method,
      route,
      url,
      body: () => parseJsonBody(body),
      sandbox,
      scoped,
      account,
      now,
    };
    for (const candidate of CONTROL_ROUTES) {
      if (candidate.methods !== undefined && !candidate.methods.includes(method)) continue;
      const match = candidate.path.exec(route);
      const answer = match ? candidate.answer(scopedRequest, match) : undefined;
      if (answer) return answer;
    }
    return { status: 404, payload: { error: `no control route ${method} ${url.pathname}` } };
  } catch (error) {
    if (error instanceof CertificateEditError) {
      const payload =
        error.issues.length > 0 ? { error: error.message, issues: error.issues } : { error: error.message };
      return { status: error.status, payload };
    }
    const status = error instanceof ControlError ? error.status : 400;
    return { status, payload: { error: error instanceof Error ? error.message : String(error) } };
  }
}

function accountInfo(account: AccountState): SandboxAccountInfo {
  return {
    name: account.name,
    accessKeyIds: account.accessKeyIds,
    roles: [...account.roles],
    qps: Number.isFinite(account.qps) ? account.qps : null,
    certificates: account.dataset.certificates.length,
  };
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

function certificateIdParam(raw: string): number {
  const id = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ControlError(400, `certificate id must be a positive integer, got "${raw}"`);
  }
  return id;
}
