import { describeError } from '../domain/error-description';
import type { DeploymentApi } from '../cas/deployment-operations';
import { CasError } from '../cas/errors';
import type { CasApi } from '../cas/types';
import { type ChangeWindow, deploymentTime } from '../domain/change-window';
import { describeResource } from '../domain/deployment';
import { deploymentJobName } from '../domain/deployment-job';
import { type DeploymentTarget, stillStale } from '../domain/deployment-plan';
import {
  type DeploymentProgress,
  type DeploymentRequest,
  type DeploymentRequestState,
  isExpired,
} from '../domain/deployment-request';
import type { Logger } from '../ops/logger';
import type { DeploymentRequestPatch } from '../store/deployment-requests';
import type { AuditOutcome, Store } from '../store/types';
import { createDeploymentJobOnce, mayHaveRun, startDeploymentJob } from './create-job';
import { readDeploymentStatus } from './job-status';
import { resourcesServing } from './plan';
import { deploymentEndpoints, type ProbeEndpoints, probeSummary } from './probe-after';

/**
 * A deployment request after its approval, one step at a time: re-read the resources, create the
 * job once, start it, follow it to the end. Every step is a conditional state change in the store,
 * so the approval handler, the tracker of this process and another replica can all call `advance`:
 * a per-request lease keeps two of them from working on it at once, and a step a dead process left
 * half done is taken up again from what the store says (the job is found by its name).
 */

export type DeployCas = Pick<
  DeploymentApi,
  | 'createDeploymentJob'
  | 'findDeploymentJobByName'
  | 'describeDeploymentJob'
  | 'updateDeploymentJobStatus'
  | 'describeDeploymentJobStatus'
  | 'listWorkerResources'
  | 'listContacts'
  | 'rollbackWorker'
> &
  Pick<CasApi, 'listCloudResourcePage'>;

export interface DeployFlowDeps {
  store: Pick<Store, 'deployments' | 'audit' | 'claims'>;
  /** The CAS client of a configured account; undefined for an account no longer configured. */
  cas(account: string): Promise<DeployCas | undefined>;
  settings: {
    /** DEPLOY_CONTACT_IDS; empty: the first ListContact returns. */
    contactIds: readonly string[];
    /** DEPLOY_HOURS in ALERT_TIMEZONE. */
    window?: ChangeWindow;
  };
  now: () => Date;
  instanceId: string;
  logger: Logger;
  /** Shows the request's new state in its message (chat.update); a failure is logged, never lost work. */
  showRequest(request: DeploymentRequest): Promise<void>;
  /** After a job ended: what is left on the old certificate (resources re-read, alerts refreshed). */
  afterFinished?(request: DeploymentRequest): Promise<void>;
  /** Live probing (PROBE_INTERVAL_MINUTES > 0): after a job ended, its resources' endpoints are probed. */
  probe?: ProbeEndpoints;
  observe?: {
    deploymentFinished?(outcome: string): void;
    deploymentWorkers?(outcome: 'deployed' | 'failed', count: number): void;
  };
  /** How long one process may hold a request's steps without renewing (default one minute). */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 60_000;
const leaseKey = (id: string) => ({ kind: 'deployment-request', subject: id, period: 'steps' });

export const WORKING_STATES: readonly DeploymentRequestState[] = [
  'approved',
  'creating',
  'created',
  'started',
  'tracking',
  'rolling-back',
];

async function audit(
  deps: DeployFlowDeps,
  request: DeploymentRequest,
  action: string,
  outcome: AuditOutcome,
  details: Record<string, unknown> = {},
  requestId?: string,
): Promise<void> {
  await deps.store.audit.record({
    at: deps.now(),
    userId: request.approver ?? request.requester,
    channelId: request.channel,
    action,
    outcome,
    details: {
      request: request.id,
      account: request.account,
      oldCertificateId: request.oldCertificateId,
      newCertificateId: request.newCertificateId,
      ...(request.jobId !== undefined ? { jobId: request.jobId } : {}),
      ...details,
    },
    requestId,
  });
}

/** A CAS failure that certainly changed nothing and will not pass on a retry (refused, denied, bad input). */
function definiteRefusal(error: unknown): boolean {
  return error instanceof CasError && !mayHaveRun(error) && error.kind !== 'throttled';
}

const problemText = (error: unknown) =>
  error instanceof CasError ? error.message : 'an unexpected error (see the bot log)';

/**
 * Moves the request as far as it goes now. Returns the request as it stands afterwards (or
 * undefined when another process holds it). Never throws for CAS or Slack failures: the request
 * stays in a state that the next call takes up again.
 */
export async function advanceRequest(deps: DeployFlowDeps, id: string): Promise<DeploymentRequest | undefined> {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const key = leaseKey(id);
  const claimed = await deps.store.claims.claim({ ...key, holder: deps.instanceId, now: deps.now(), leaseMs });
  if (!claimed) return undefined;
  try {
    return await steps(deps, id);
  } finally {
    await deps.store.claims.release(key, deps.instanceId).catch(() => undefined);
  }
}

async function steps(deps: DeployFlowDeps, id: string): Promise<DeploymentRequest | undefined> {
  const log = deps.logger.child({ module: 'deployment', request: id });
  let request = await deps.store.deployments.get(id);
  const move = async (
    from: DeploymentRequestState,
    to: DeploymentRequestState,
    patch: DeploymentRequestPatch = {},
  ): Promise<DeploymentRequest | undefined> => {
    const moved = await deps.store.deployments.transition(id, [from], to, patch, deps.now());
    if (moved) await deps.showRequest(moved);
    return moved;
  };
  const fail = async (from: DeploymentRequestState, problem: string, error: unknown, action: string) => {
    const current = request as DeploymentRequest;
    const progress: DeploymentProgress = { ...(current.progress ?? emptyProgress(current)), problem };
    const moved = await move(from, 'failed', { progress });
    if (moved) {
      await audit(deps, moved, action, 'failed', { error: problemText(error) }, (error as CasError)?.requestId);
      deps.observe?.deploymentFinished?.('failed');
    }
    return moved;
  };
  // Bounded: each state is left at most once per call, and tracking reads once.
  for (let step = 0; step < 8 && request; step++) {
    const cas = await deps.cas(request.account);
    if (request.state === 'requested') {
      if (!isExpired(request, deps.now())) return request;
      const moved = await move('requested', 'expired');
      if (moved) {
        await audit(deps, moved, 'cert-deploy', 'expired');
        deps.observe?.deploymentFinished?.('expired');
      }
      return moved;
    }
    if (!cas) {
      log.warn({ account: request.account }, 'deployment request of an account no longer configured; left as it is');
      return request;
    }
    try {
      switch (request.state) {
        case 'approved':
          request = await recheck(deps, request, cas, move);
          break;
        case 'creating':
          request = await create(deps, request, cas, move, fail);
          break;
        case 'created':
          request = await start(deps, request, cas, move, fail);
          break;
        case 'started':
        case 'tracking': {
          const after = await track(deps, request, cas, move);
          return after;
        }
        case 'rolling-back':
          return await rollBack(deps, request, cas, move);
        default:
          return request;
      }
    } catch (error) {
      // A failure that may pass (throttling, a timeout, a 5xx): the state stays, the next tick retries.
      log.warn(
        { state: request?.state, err: describeError(error) },
        'deployment step failed; retried on the next tick',
      );
      return request;
    }
  }
  return request;
}

type Move = (
  from: DeploymentRequestState,
  to: DeploymentRequestState,
  patch?: DeploymentRequestPatch,
) => Promise<DeploymentRequest | undefined>;
type Fail = (
  from: DeploymentRequestState,
  problem: string,
  error: unknown,
  action: string,
) => Promise<DeploymentRequest | undefined>;

function emptyProgress(request: DeploymentRequest): DeploymentProgress {
  const total = request.resources.length;
  return { summary: '', total, deployed: 0, failed: 0, failedWorkers: [] };
}

const words = (targets: readonly DeploymentTarget[]) => targets.map((t) => describeResource(t));

/** Approved: the resources are read again, and those no longer on the old certificate are dropped. */
async function recheck(
  deps: DeployFlowDeps,
  request: DeploymentRequest,
  cas: DeployCas,
  move: Move,
): Promise<DeploymentRequest | undefined> {
  const current = await resourcesServing(cas, request.account, [request.oldCertificateId]);
  const { kept, gone } = stillStale(
    {
      old: {
        id: request.oldCertificateId,
        certificateId: request.oldCertificateId,
        sans: [],
        expired: false,
        uploaded: false,
        account: request.account,
      },
      resources: request.resources,
    },
    current,
  );
  const progress: DeploymentProgress = { ...emptyProgress(request), total: kept.length };
  if (gone.length > 0) progress.dropped = words(gone);
  if (kept.length === 0) {
    progress.problem =
      'Nothing left to deploy: every selected resource has left the old certificate since the request.';
    const moved = await move('approved', 'succeeded', { resources: kept, progress });
    if (moved) {
      await audit(deps, moved, 'cert-deploy', 'succeeded', { dropped: progress.dropped, resources: 0 });
      deps.observe?.deploymentFinished?.('nothing-left');
    }
    return moved;
  }
  return move('approved', 'creating', { resources: kept, progress });
}

/** Creating: the job named after the request, found or created; never a second one. */
async function create(
  deps: DeployFlowDeps,
  request: DeploymentRequest,
  cas: DeployCas,
  move: Move,
  fail: Fail,
): Promise<DeploymentRequest | undefined> {
  const when = deploymentTime(deps.settings.window, deps.now());
  const scheduleAt = when.now ? undefined : when.scheduleAt;
  let contactIds = [...deps.settings.contactIds];
  let contact: string | undefined;
  if (contactIds.length === 0) {
    const [first] = await cas.listContacts();
    if (!first)
      return fail(
        'creating',
        'CAS lists no contact for the job to notify: add one in the CAS console (or set DEPLOY_CONTACT_IDS).',
        undefined,
        'cert-deploy',
      );
    contactIds = [String(first.ContactId)];
    contact = `${first.Name ?? 'contact'} (${first.ContactId})`;
  }
  const name = deploymentJobName({
    requestId: request.id,
    oldCertificateId: request.oldCertificateId,
    newCertificateId: request.newCertificateId,
  });
  let created;
  try {
    created = await createDeploymentJobOnce(cas, {
      name,
      jobType: 'user',
      certIds: [request.newCertificateId],
      resourceIds: request.resources.map((r) => r.id),
      contactIds,
      scheduleTime: scheduleAt,
    });
  } catch (error) {
    if (definiteRefusal(error))
      return fail('creating', `CAS refused to create the job: ${problemText(error)}`, error, 'cert-deploy');
    throw error;
  }
  const progress = contact ? { ...(request.progress ?? emptyProgress(request)), contact } : request.progress;
  const moved = await move('creating', 'created', { jobId: created.jobId, scheduleAt, progress });
  if (moved)
    await audit(
      deps,
      moved,
      'cert-deploy',
      'created',
      {
        jobId: created.jobId,
        how: created.outcome,
        contactIds,
        scheduleAt: scheduleAt?.toISOString(),
      },
      created.requestId,
    );
  return moved;
}

/** Created: started unless it started on its own; `pending` when it waits for the change window. */
async function start(
  deps: DeployFlowDeps,
  request: DeploymentRequest,
  cas: DeployCas,
  move: Move,
  fail: Fail,
): Promise<DeploymentRequest | undefined> {
  const jobId = request.jobId as number;
  let started;
  try {
    started = await startDeploymentJob(cas, jobId, { scheduled: request.scheduleAt !== undefined });
  } catch (error) {
    if (definiteRefusal(error))
      return fail('created', `CAS refused to start job ${jobId}: ${problemText(error)}`, error, 'cert-deploy');
    throw error;
  }
  const progress: DeploymentProgress = {
    ...(request.progress ?? emptyProgress(request)),
    jobStatus: started.status,
    summary: started.status === 'pending' ? 'scheduled' : 'starting',
  };
  const moved = await move('created', 'started', { progress });
  if (moved)
    await audit(deps, moved, 'cert-deploy', 'started', {
      action: started.action,
      status: started.status,
    });
  return moved;
}

/** Started or tracking: one read of the job; at the end, the outcome, the workers and what is left. */
async function track(
  deps: DeployFlowDeps,
  request: DeploymentRequest,
  cas: DeployCas,
  move: Move,
): Promise<DeploymentRequest | undefined> {
  const jobId = request.jobId as number;
  // A job waiting for the change window is read again when the window opens, not every tick.
  if (request.scheduleAt && request.scheduleAt.getTime() > deps.now().getTime() && request.state === 'started')
    return request;
  const report = await readDeploymentStatus(cas, jobId, { priority: 'tracking' });
  const progress: DeploymentProgress = {
    ...(request.progress ?? emptyProgress(request)),
    summary: report.summary,
    total: report.progress.total,
    deployed: report.progress.deployed,
    failed: report.progress.failed,
    jobStatus: report.job.Status,
    failedWorkers: report.failed.map((f) => ({
      workerId: f.workerId,
      status: f.status,
      where: describeResource(f.target),
      ...(f.error ? { error: f.error } : {}),
    })),
  };
  if (!report.progress.settled) {
    const unchanged =
      request.state === 'tracking' &&
      request.progress?.summary === progress.summary &&
      request.progress?.failedWorkers.length === progress.failedWorkers.length;
    if (unchanged) return request;
    if (request.state === 'tracking') return saveProgress(deps, request, progress);
    return move('started', 'tracking', { progress });
  }
  const outcome = report.progress.outcome ?? 'failed';
  const to: DeploymentRequestState = outcome === 'deployed' ? 'succeeded' : 'failed';
  progress.counted = true;
  const moved = await move(request.state, to, { progress });
  if (!moved) return moved;
  if (!request.progress?.counted) {
    deps.observe?.deploymentFinished?.(outcome);
    if (progress.deployed > 0) deps.observe?.deploymentWorkers?.('deployed', progress.deployed);
    if (progress.failed > 0) deps.observe?.deploymentWorkers?.('failed', progress.failed);
  }
  for (const worker of progress.failedWorkers)
    await audit(deps, moved, 'cert-deploy-worker', 'failed', {
      workerId: worker.workerId,
      where: worker.where,
      status: worker.status,
    });
  await audit(deps, moved, 'cert-deploy', to === 'succeeded' ? 'succeeded' : 'failed', {
    summary: progress.summary,
    deployed: progress.deployed,
    failed: progress.failed,
  });
  return afterEnd(deps, moved, cas);
}

/** The request's new progress, stored and then shown in its message; the request as it now stands. */
async function saveProgress(
  deps: DeployFlowDeps,
  request: DeploymentRequest,
  progress: DeploymentProgress,
): Promise<DeploymentRequest> {
  await deps.store.deployments.update(request.id, { progress }, deps.now());
  const updated = { ...request, progress };
  await deps.showRequest(updated);
  return updated;
}

/** After the job: what is still on the old certificate, in the message; the alerts are refreshed. */
async function afterEnd(deps: DeployFlowDeps, request: DeploymentRequest, cas: DeployCas): Promise<DeploymentRequest> {
  try {
    const left = (await resourcesServing(cas, request.account, [request.oldCertificateId], 'tracking')).filter(
      (r) => r.certificateId === request.oldCertificateId,
    );
    // What an earlier end probed (before a rollback) is no longer what is served.
    const progress = {
      ...(request.progress as DeploymentProgress),
      left: words(left),
      probed: undefined,
      probedAt: undefined,
    };
    request = await saveProgress(deps, request, progress);
  } catch (error) {
    deps.logger.warn(
      { request: request.id, err: describeError(error) },
      'could not read what is left on the old certificate after the deployment',
    );
  }
  try {
    await deps.afterFinished?.(request);
  } catch (error) {
    deps.logger.warn(
      { request: request.id, err: describeError(error) },
      'could not refresh the alerts after the deployment; the next sync does',
    );
  }
  return probeEndpoints(deps, request);
}

/** With live probing: what the resources' endpoints serve now, in the message and the stored probe results. */
async function probeEndpoints(deps: DeployFlowDeps, request: DeploymentRequest): Promise<DeploymentRequest> {
  if (!deps.probe || request.jobId === undefined) return request;
  const endpoints = deploymentEndpoints(request, deps.now());
  if (endpoints.length === 0) return request;
  try {
    const verdicts = await deps.probe(endpoints);
    const progress: DeploymentProgress = {
      ...(request.progress ?? emptyProgress(request)),
      probed: verdicts.map(probeSummary),
      probedAt: deps.now().toISOString(),
    };
    request = await saveProgress(deps, request, progress);
  } catch (error) {
    deps.logger.warn(
      { request: request.id, err: describeError(error) },
      'could not probe the endpoints after the deployment; the next probe pass does',
    );
  }
  return request;
}

/**
 * Rolling back: every worker still deployed is rolled back (UpdateWorkerResourceStatus), then
 * the job is read until no rollback is in flight. Asking again after a restart is safe: only
 * workers still in `success` are asked, and CAS refuses a second rollback of one.
 */
async function rollBack(
  deps: DeployFlowDeps,
  request: DeploymentRequest,
  cas: DeployCas,
  move: Move,
): Promise<DeploymentRequest | undefined> {
  const jobId = request.jobId as number;
  const deployed = await cas.listWorkerResources(jobId, { status: 'success', priority: 'tracking' });
  for (const worker of deployed) {
    try {
      await cas.rollbackWorker(jobId, worker.Id);
    } catch (error) {
      // Refused: it is rolling back already (an earlier attempt) or no longer deployed.
      if (!(error instanceof CasError && error.kind === 'bad_input')) throw error;
    }
  }
  const report = await readDeploymentStatus(cas, jobId, { priority: 'tracking' });
  const progress: DeploymentProgress = {
    ...(request.progress ?? emptyProgress(request)),
    summary: report.summary,
    jobStatus: report.job.Status,
    failedWorkers: report.failed.map((f) => ({
      workerId: f.workerId,
      status: f.status,
      where: describeResource(f.target),
      ...(f.error ? { error: f.error } : {}),
    })),
  };
  if (deployed.length > 0 || report.progress.rollingBack > 0) {
    if (request.progress?.summary !== progress.summary) return saveProgress(deps, request, progress);
    return { ...request, progress };
  }
  const moved = await move('rolling-back', 'rolled-back', { progress });
  if (!moved) return moved;
  deps.observe?.deploymentFinished?.('rolled-back');
  await audit(deps, moved, 'cert-deploy-rollback', report.progress.rollbackFailed > 0 ? 'failed' : 'succeeded', {
    summary: progress.summary,
    rolledBack: report.progress.rolledBack,
    rollbackFailed: report.progress.rollbackFailed,
  });
  return afterEnd(deps, moved, cas);
}
