import {
  addCertificates,
  type CertificateChanges,
  type CertificateInput,
  removeCertificate,
  updateCertificate,
} from './certificate-edits';
import { accountUserId, type CloudResource, type ResourceView } from './cloud-resources';
import { advanceDeployments } from './deployment-jobs';
import type { AnswerError } from './errors';
import type { Dataset, SandboxCertificate } from './dataset';
import { OPERATIONS } from './operations';
import { mulberry32, type Random } from './prng';
import { SlidingWindowLimiter } from './rate-window';
import {
  addResource,
  listResources,
  moveResource,
  removeResource,
  type ResourceInput,
  resourcesOf,
} from './resource-edits';

/**
 * One Alibaba Cloud account ("tenant") of the simulator: its data set, its RAM user's key
 * pairs, the RAM roles STS lets callers assume into it, its QPS window and its faults. CAS
 * limits calls per account, so every key of the account (and every STS key of its roles)
 * shares one window.
 */

/** Obviously fake; documented so anyone can point a client at the sandbox. */
export const DEFAULT_ACCESS_KEY_ID = 'LTAI5tSandboxKeyId000001';
export const DEFAULT_ACCESS_KEY_SECRET = 'sandbox-secret-do-not-use-in-production';
/** The documented per-user limit of every one of the five operations. */
export const DEFAULT_QPS = 10;
/** The account a simulator built without `accounts` serves. */
export const DEFAULT_ACCOUNT = 'default';

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

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  unavailableRate: 0,
  timeoutRate: 0,
  malformedRate: 0,
  throttleRate: 0,
  failPage: 0,
  failResourcePage: 0,
  denyActions: [],
};

export type InjectedFault =
  'failNext' | 'failPage' | 'failResourcePage' | 'denied' | 'unavailable' | 'throttle' | 'timeout' | 'malformed';

export interface CallRecord {
  /** Simulator clock when the request was received. */
  at: number;
  action: string;
  version: string;
  accessKeyId?: string;
  /** The account the call was routed to; undefined when the signature (or security token) failed. */
  account?: string;
  /** HTTP status; 0 when the request was deliberately never answered. */
  status: number;
  code?: string;
  /**
   * Request parameters, decoded (query string plus any form body); for an RPC-signed request
   * without the signature protocol's own (AccessKeyId, Signature, Timestamp...).
   */
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

export interface SandboxAccountOptions {
  /** Lowercase, e.g. 'prod': letters, digits and '-', starting with a letter, at most 32 characters. */
  name: string;
  /**
   * AccessKeyId → secret of this account's RAM user. Default: the n-th account (1-based) gets
   * sandboxAccessKey(n), so the first keeps DEFAULT_ACCESS_KEY_ID.
   */
  accessKeys?: Record<string, string>;
  dataset?: Dataset;
  /** Size of the generated data set; default the top-level `certs`. */
  certs?: number;
  /** Seed of the generated data set; default the top-level seed + n − 1 for the n-th account. */
  seed?: number;
  replacedPairs?: number;
  profile?: 'mixed' | 'healthy';
  /** Accepted calls per 1000 ms for the whole account; default the top-level qps. */
  qps?: number;
  /** RAM role ARNs of this account that AssumeRole accepts, e.g. 'acs:ram::1234567890123456:role/cert-bot'. */
  roles?: string[];
  /** Initial faults; default the top-level `faults`. */
  faults?: Partial<Faults>;
}

/** The n-th account's key pair (1-based): n = 1 is DEFAULT_ACCESS_KEY_ID / DEFAULT_ACCESS_KEY_SECRET. */
export function sandboxAccessKey(n: number): { accessKeyId: string; accessKeySecret: string } {
  if (!Number.isInteger(n) || n < 1 || n > 999_999) throw new RangeError(`account number out of range: ${n}`);
  if (n === 1) return { accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET };
  return {
    accessKeyId: `LTAI5tSandboxKeyId${String(n).padStart(6, '0')}`,
    accessKeySecret: `sandbox-secret-${n}-do-not-use-in-production`,
  };
}

/** The ARN of a role in the account whose data set has this seed (its uid is accountUserId(seed)). */
export function sandboxRoleArn(seed: number, roleName = 'cert-bot'): string {
  return `acs:ram::${accountUserId(seed)}:role/${roleName}`;
}

/**
 * What the simulator lets tests do with one account's data and faults. The top-level Sandbox
 * methods of the same names act on the first (default) account.
 */
export interface SandboxAccount {
  readonly name: string;
  /** The account's own AccessKey IDs (not the STS keys issued for its roles). */
  readonly accessKeyIds: readonly string[];
  readonly roles: readonly string[];
  readonly qps: number;
  /** The account's uid, as it appears in ARNs and AccessDeniedDetail. */
  readonly userId: number;
  /** The calls routed to this account, in arrival order. */
  readonly calls: CallRecord[];
  /** The calls routed to this account (its QPS refusals and injected faults among them). */
  stats(): SandboxStats;
  /** Forgets this account's calls. */
  resetCalls(): void;
  /** The faults in force for this account. */
  faults(): Faults;
  setFaults(faults: Partial<Faults>): void;
  /** The next n requests of this account that pass the signature check and the QPS window get this answer. */
  failNext(n: number, answer: FailAnswer): void;
  dataset: Dataset;
  setDataset(dataset: Dataset): void;
  addCertificates(inputs: readonly CertificateInput[]): SandboxCertificate[];
  addCertificate(input?: CertificateInput): SandboxCertificate;
  updateCertificate(certificateId: number, changes: CertificateChanges): SandboxCertificate;
  removeCertificate(certificateId: number): SandboxCertificate;
  resourcesOf(certificateId: number): CloudResource[];
  listResources(filter?: { certificateId?: number }): ResourceView[];
  moveResource(resourceId: number, certificateId: number): ResourceView;
  addResource(input: ResourceInput): ResourceView;
  removeResource(resourceId: number): ResourceView;
}

/** What an account needs from the simulator around it. */
export interface AccountHost {
  calls: CallRecord[];
  now(): number;
}

export interface AccountInit {
  name: string;
  accessKeys: Record<string, string>;
  roles: string[];
  qps: number;
  dataset: Dataset;
  faults: Partial<Faults>;
  /** Seeds the account's fault schedule. */
  seed: number;
}

export class AccountState implements SandboxAccount {
  readonly name: string;
  readonly accessKeys: Readonly<Record<string, string>>;
  readonly roles: readonly string[];
  readonly qps: number;
  readonly limiter: SlidingWindowLimiter;
  readonly faultRandom: Random;
  readonly scripted: FailAnswer[] = [];
  current: Dataset;
  activeFaults: Faults = { ...NO_FAULTS, denyActions: [] };

  constructor(
    private readonly host: AccountHost,
    init: AccountInit,
  ) {
    this.name = init.name;
    this.accessKeys = { ...init.accessKeys };
    this.roles = [...init.roles];
    if (!(init.qps > 0)) throw new RangeError(`qps must be positive, got ${init.qps}`);
    this.qps = init.qps;
    this.limiter = new SlidingWindowLimiter(init.qps);
    this.current = init.dataset;
    // Its own stream, so changing the data set size does not change the fault schedule.
    this.faultRandom = mulberry32(init.seed ^ 0x5eed);
    this.setFaults(init.faults);
  }

  get accessKeyIds(): string[] {
    return Object.keys(this.accessKeys);
  }

  get userId(): number {
    return accountUserId(this.current.seed);
  }

  get calls(): CallRecord[] {
    return this.host.calls.filter((call) => call.account === this.name);
  }

  stats(): SandboxStats {
    return statsOf(this.calls);
  }

  resetCalls(): void {
    this.host.calls = this.host.calls.filter((call) => call.account !== this.name);
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

  faults(): Faults {
    return { ...this.activeFaults, denyActions: [...this.activeFaults.denyActions] };
  }

  setFaults(faults: Partial<Faults>): void {
    this.activeFaults = mergeFaults(this.activeFaults, faults);
  }

  failNext(n: number, answer: FailAnswer): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`failNext needs a non-negative integer, got ${n}`);
    for (let i = 0; i < n; i++) this.scripted.push(answer);
  }

  addCertificates(inputs: readonly CertificateInput[]): SandboxCertificate[] {
    return addCertificates(this.current, inputs, { now: this.host.now() });
  }

  addCertificate(input: CertificateInput = {}): SandboxCertificate {
    return this.addCertificates([input])[0] as SandboxCertificate;
  }

  updateCertificate(certificateId: number, changes: CertificateChanges): SandboxCertificate {
    return updateCertificate(this.current, certificateId, changes, { now: this.host.now() });
  }

  removeCertificate(certificateId: number): SandboxCertificate {
    return removeCertificate(this.current, certificateId);
  }

  resourcesOf(certificateId: number): CloudResource[] {
    // Deployment jobs move resources as time passes: show where they are now.
    advanceDeployments(this.current, this.host.now());
    return resourcesOf(this.current, certificateId);
  }

  listResources(filter: { certificateId?: number } = {}): ResourceView[] {
    advanceDeployments(this.current, this.host.now());
    return listResources(this.current, filter);
  }

  moveResource(resourceId: number, certificateId: number): ResourceView {
    return moveResource(this.current, resourceId, { certificateId }, { now: this.host.now() });
  }

  addResource(input: ResourceInput): ResourceView {
    return addResource(this.current, input, { now: this.host.now() });
  }

  removeResource(resourceId: number): ResourceView {
    return removeResource(this.current, resourceId);
  }
}

/** Counters over a list of calls: QPS refusals are the Throttling.User answers no fault injected. */
export function statsOf(calls: readonly CallRecord[]): SandboxStats {
  const byAction: Record<string, number> = {};
  let throttled = 0;
  let injected = 0;
  for (const call of calls) {
    byAction[call.action] = (byAction[call.action] ?? 0) + 1;
    if (call.injected !== undefined) injected++;
    else if (call.code === 'Throttling.User') throttled++;
  }
  return { calls: calls.length, throttled, injected, byAction };
}

/** `current` with `faults` applied, or a RangeError naming what is wrong (nothing changes then). */
export function mergeFaults(current: Faults, faults: Partial<Faults>): Faults {
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) {
    throw new RangeError('faults must be an object of fault names and numbers');
  }
  for (const name of Object.keys(faults)) {
    if (!Object.hasOwn(NO_FAULTS, name)) {
      throw new RangeError(`unknown fault ${name}; known: ${Object.keys(NO_FAULTS).join(', ')}`);
    }
  }
  const next = { ...current, ...faults };
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
  return next;
}

/** Checks the denyActions fault: known action names, with or without the `yundun-cert:` prefix. */
function deniedActions(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new RangeError('fault denyActions must be an array of action names, e.g. ["ListCloudResources"]');
  }
  // A RAM action names its operation (yundun-cert:DescribeDeployment is DescribeDeploymentJob's).
  const byRamAction = (v: string) => Object.keys(OPERATIONS).find((a) => OPERATIONS[a]?.ramAction === v);
  const actions = value.map((v) => byRamAction(v) ?? v.replace(/^yundun-cert:/, ''));
  const unknown = actions.find((a) => !Object.hasOwn(OPERATIONS, a));
  if (unknown !== undefined) {
    throw new RangeError(`fault denyActions: unknown action ${unknown}; known: ${Object.keys(OPERATIONS).join(', ')}`);
  }
  return [...new Set(actions)];
}
