import type { CreateDeploymentJobInput, DeploymentApi } from '../cas/deployment-operations';
import { CasError } from '../cas/errors';
import { LIMITER_UNAVAILABLE_CODE } from '../cas/redis-limiter';

/**
 * Creating and starting a deployment job exactly once, whatever CAS answers. CreateDeploymentJob
 * takes no idempotency token, and a job's name is the only thing the caller chooses that CAS
 * lists again: so the name carries the request (domain/deployment-job.ts), a job with that name
 * is looked for before one is created, and a create whose answer may hide an executed call is
 * resolved by looking again instead of by sending it again.
 */

/**
 * Whether a failed call may still have been executed by CAS: no answer (timeout, connection cut),
 * a 5xx, or an answer that could not be read. Throttling, refusals and calls the limiter never
 * sent were certainly not executed.
 */
export function mayHaveRun(error: unknown): boolean {
  if (!(error instanceof CasError)) return true;
  if (error.code === LIMITER_UNAVAILABLE_CODE) return false;
  return error.kind === 'unavailable' || error.kind === 'invalid_response';
}

export interface CreateOnceOptions {
  /** Looks for the job after an uncertain create, this many times (default 3). */
  lookups?: number;
  /** Between those looks, in ms (default 1000): CAS may list a new job a moment after creating it. */
  lookupDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** `created`: by this call; `found`: it existed already (an earlier attempt); `recovered`: created by this call, whose answer was lost. */
export type CreatedJob = { jobId: number; outcome: 'created' | 'found' | 'recovered'; requestId?: string };

/**
 * The job named `input.name`: the existing one, or a new one. After a create that may have run
 * and is not found in `lookups` looks, the create's error is thrown: the outcome is unknown, and
 * calling this again (it looks first) is the safe retry.
 */
export async function createDeploymentJobOnce(
  cas: Pick<DeploymentApi, 'createDeploymentJob' | 'findDeploymentJobByName'>,
  input: CreateDeploymentJobInput,
  options: CreateOnceOptions = {},
): Promise<CreatedJob> {
  const existing = await cas.findDeploymentJobByName(input.name, { jobType: input.jobType ?? 'user' });
  if (existing) return { jobId: existing.Id, outcome: 'found' };
  try {
    const created = await cas.createDeploymentJob(input);
    return { jobId: created.JobId, outcome: 'created', requestId: created.RequestId };
  } catch (error) {
    if (!mayHaveRun(error)) throw error;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const lookups = options.lookups ?? 3;
    for (let look = 0; look < lookups; look++) {
      if (look > 0) await sleep(options.lookupDelayMs ?? 1_000);
      const job = await cas.findDeploymentJobByName(input.name, { jobType: input.jobType ?? 'user' });
      if (job) return { jobId: job.Id, outcome: 'recovered' };
    }
    throw error;
  }
}

/** `started`: the bot started it now; `already`: it had left `editing` (started on its own, or by an earlier attempt). */
export type StartedJob = { jobId: number; status: string; action: 'started' | 'already' };

/**
 * Starts a job that waits in `editing`: `pending` when it was created with a ScheduleTime (it
 * runs then), `scheduling` otherwise. CAS's reference says a new job waits in `editing`; some
 * clients find it starts on its own: the job is read first and left alone when it has. A start
 * whose answer was lost, or refused because the job moved on meanwhile, is settled by reading
 * the job again.
 */
export async function startDeploymentJob(
  cas: Pick<DeploymentApi, 'describeDeploymentJob' | 'updateDeploymentJobStatus'>,
  jobId: number,
  options: { scheduled: boolean },
): Promise<StartedJob> {
  const job = await cas.describeDeploymentJob(jobId);
  if (job.Status !== 'editing') return { jobId, status: job.Status, action: 'already' };
  try {
    await cas.updateDeploymentJobStatus(jobId, options.scheduled ? 'pending' : 'scheduling');
  } catch (error) {
    // Refused as a bad status: the job left `editing` meanwhile (it started on its own).
    const refused = error instanceof CasError && error.kind === 'bad_input';
    if (!refused && !mayHaveRun(error)) throw error;
    const again = await cas.describeDeploymentJob(jobId);
    if (again.Status === 'editing') throw error;
    return { jobId, status: again.Status, action: refused ? 'already' : 'started' };
  }
  const after = await cas.describeDeploymentJob(jobId);
  return { jobId, status: after.Status, action: 'started' };
}
