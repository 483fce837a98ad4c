import type { WebClient } from '@slack/web-api';
import type { CasClient } from '../../cas/client';
import type { Config } from '../../config';
import type { ChangeWindow } from '../../domain/change-window';
import type { DeploymentRequest } from '../../domain/deployment-request';
import type { InventoryCertificate } from '../../domain/replacement';
import type { Logger } from '../../ops/logger';
import type { Store } from '../../store/types';
import type { SlackDeployDeps } from './register';
import { postOnce, type PostRetry } from '../../delivery/post-once';
import { describeError } from '../../domain/error-description';
import { findInHistory, payloadField } from '../channel-history';
import { createAccessCheck } from './access';
import { requestMessage } from './blocks';
import { loadDeploymentPlan } from '../../deploy/plan';
import type { DeployFlowDeps } from '../../deploy/request-flow';

/** Marks a deployment request's message, so a post whose answer was lost is found, not repeated. */
export const DEPLOY_EVENT_TYPE = 'cert_bot_deploy_request';
const DEPLOY_MESSAGE_KIND = 'cert-deploy-message';
const REQUEST_POST_LEASE_MS = 5 * 60_000;

const clock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** "Change window 22:00–06:00 (Asia/Shanghai): …" for DEPLOY_HOURS, as requests show it. */
export function changeWindowText(window: ChangeWindow | undefined): string | undefined {
  if (!window) return undefined;
  return `Change window ${clock(window.hours.startMinute)}–${clock(window.hours.endMinute)} (${window.timeZone}): approved outside it, the job is scheduled for the window's next start.`;
}

export interface DeployWiringInput {
  config: Config;
  store: Store;
  cas(account: string): Promise<CasClient | undefined>;
  /** The certificates of an account for a plan: the inventory when fresh enough, else CAS. */
  certificates(account: string, now: Date): Promise<{ certificates: readonly InventoryCertificate[]; live: boolean }>;
  web(): Promise<WebClient>;
  /** The client for posts: no retries of its own (postOnce looks for a post before another). */
  postWeb?(): Promise<WebClient>;
  postRetry?: PostRetry;
  logger: Logger;
  now: () => Date;
  instanceId: string;
  /** How long a request's steps are held by one process (default one minute). */
  leaseMs?: number;
  observe?: DeployFlowDeps['observe'];
  afterFinished?: DeployFlowDeps['afterFinished'];
  /** Live probing, when PROBE_INTERVAL_MINUTES > 0: the endpoints of a finished job's resources. */
  probe?: DeployFlowDeps['probe'];
}

/** The deployment parts of `serve` when DEPLOY_ENABLED=true: the flow, and what the Slack listeners need. */
export function buildDeployDeps(input: DeployWiringInput): SlackDeployDeps {
  const { config } = input;
  const window: ChangeWindow | undefined = config.DEPLOY_HOURS
    ? { hours: config.DEPLOY_HOURS, timeZone: config.ALERT_TIMEZONE }
    : undefined;
  const settings = {
    requesters: config.DEPLOY_REQUESTERS,
    approvers: config.DEPLOY_APPROVERS,
    channels: config.DEPLOY_CHANNELS,
    requestHours: config.DEPLOY_REQUEST_HOURS,
    changeWindow: changeWindowText(window),
  };
  const render = (request: DeploymentRequest) =>
    requestMessage(request, { approvers: settings.approvers, changeWindow: settings.changeWindow });
  const log = input.logger.child({ module: 'deployment' });
  const flow: DeployFlowDeps = {
    store: input.store,
    cas: input.cas,
    settings: { contactIds: config.DEPLOY_CONTACT_IDS, window },
    now: input.now,
    instanceId: input.instanceId,
    leaseMs: input.leaseMs,
    logger: input.logger,
    async showRequest(request) {
      if (!request.messageTs) return;
      try {
        const web = await input.web();
        await web.chat.update({ channel: request.channel, ts: request.messageTs, ...render(request) });
      } catch (error) {
        // The job goes on; the next step shows the state again.
        log.warn({ request: request.id, err: describeError(error) }, 'could not update the deployment request message');
      }
    },
    afterFinished: input.afterFinished,
    probe: input.probe,
    observe: input.observe,
  };
  const access = createAccessCheck(async (usergroup) => {
    const web = await input.web();
    const answer = await web.usergroups.users.list({ usergroup });
    return answer.users ?? [];
  });
  return {
    settings,
    flow,
    access,
    async postRequest(request) {
      const web = await input.web();
      const poster = input.postWeb ? await input.postWeb() : web;
      // A minute before the request was made: the search needs no more of the channel.
      const since = new Date(request.createdAt.getTime() - 60_000);
      const outcome = await postOnce(
        { claims: input.store.claims, holder: input.instanceId, now: input.now, retry: input.postRetry },
        [{ key: { kind: DEPLOY_MESSAGE_KIND, subject: request.id, period: 'request' } }],
        {
          leaseMs: REQUEST_POST_LEASE_MS,
          find: () =>
            findInHistory(
              web,
              request.channel,
              since,
              (m) => payloadField(m, DEPLOY_EVENT_TYPE, 'request') === request.id,
            ),
          post: async () =>
            (
              await poster.chat.postMessage({
                channel: request.channel,
                ...render(request),
                metadata: { event_type: DEPLOY_EVENT_TYPE, event_payload: { request: request.id } },
              })
            ).ts ?? '',
          record: (ts) => ({ status: 'posted', result: { ts } }),
          refused: () => 'release',
          onRetry: (error, waitMs) =>
            log.warn(
              { request: request.id, err: describeError(error), waitMs },
              "Slack's answer to the request message was lost; looking for it before posting again",
            ),
        },
      );
      if (outcome.status === 'posted') return outcome.post || undefined;
      if (outcome.status === 'skipped') return undefined;
      throw outcome.error;
    },
    async plan(account, certificateId) {
      const cas = await input.cas(account);
      if (!cas) return { noPlan: { kind: 'unknown-certificate', certificateId } };
      return loadDeploymentPlan(
        { certificates: input.certificates, cas },
        { account, certificateId, now: input.now() },
      );
    },
  };
}
