import { describeError } from '../domain/error-description';
import type { Job } from '../jobs/scheduler';
import { type DeployFlowDeps, WORKING_STATES, advanceRequest } from './request-flow';

/** How often approved requests are moved on and running jobs read (DescribeDeploymentJobStatus), by default. */
export const DEPLOYMENT_TRACK_INTERVAL_MS = 10_000;

/**
 * The scheduler job that follows deployment requests: every interval, each request that still
 * moves (approved and not finished, or waiting for approval and due to expire) is advanced one
 * step under its own lease. Everything it needs is in the store, so after a restart (or on
 * another replica) it takes up where the last process stopped; CAS is read once per request per
 * interval at the `tracking` priority, so a running job never slows people's commands.
 */
export function deploymentTrackerJob(deps: DeployFlowDeps, options: { everyMs?: number } = {}): Job {
  return {
    name: 'deployment-tracker',
    trigger: { everyMs: options.everyMs ?? DEPLOYMENT_TRACK_INTERVAL_MS },
    run: async () => {
      const now = deps.now();
      const requests = await deps.store.deployments.list([...WORKING_STATES, 'requested']);
      for (const request of requests) {
        // A request waiting for approval needs a look only once it is due to expire.
        if (request.state === 'requested' && request.expiresAt.getTime() > now.getTime()) continue;
        await advanceRequest(deps, request.id).catch((error: unknown) =>
          deps.logger.warn(
            { request: request.id, err: describeError(error) },
            'deployment tracking step failed; retried on the next interval',
          ),
        );
      }
    },
  };
}
