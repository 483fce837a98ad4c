import crypto from 'node:crypto';
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { advanceRequest, type DeployFlowDeps } from '../../deploy/request-flow';
import type { DeploymentPlan, DeploymentTarget, PlanOutcome } from '../../domain/deployment-plan';
import { describeNoPlan } from '../../domain/deployment-plan';
import { decisionRefusal, type DeploymentRequest } from '../../domain/deployment-request';
import { parseCommandArgs } from '../command-args';
import type { SlackDeps } from '../deps';
import { describeError } from '../../domain/error-description';
import { type Answer, buttonListener, commandListener } from '../listener';
import type { AccessCheck } from './access';
import { certificateFacts, deployAnswer, loadingModal, messageModal, requestModal } from './blocks';
import { DEPLOY_BUTTONS, DEPLOY_MODAL, isDraftId } from './codecs';

/** What the deployment listeners need besides the common Slack deps; absent when DEPLOY_ENABLED=false. */
export interface SlackDeployDeps {
  settings: {
    requesters: readonly string[];
    approvers: readonly string[];
    channels: readonly string[];
    requestHours: number;
    /** "Change window 22:00–06:00 Asia/Shanghai: …", when DEPLOY_HOURS is set. */
    changeWindow?: string;
  };
  /** The deployment plan of an old certificate in an account (the same use case as `cert-bot deploy plan`). */
  plan(account: string, certificateId: string): Promise<PlanOutcome>;
  /** The flow after approval; its showRequest updates the request message. */
  flow: DeployFlowDeps;
  /** Who is in DEPLOY_REQUESTERS / DEPLOY_APPROVERS, user groups resolved through Slack. */
  access?: AccessCheck;
  /** Posts the request message once (postOnce); its ts, when posted or found. */
  postRequest(request: DeploymentRequest): Promise<string | undefined>;
}

export const DEPLOY_DRAFT_KIND = 'cert-deploy-draft';
/** How long an open modal's draft stays valid. */
const DRAFT_TTL_MS = 60 * 60_000;
/** A submitted draft is never submitted again (a double click, a replay). */
const SUBMIT_LEASE_MS = 100 * 365 * 86_400_000;

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

interface Draft {
  account: string;
  channel: string;
  oldCertificateId: string;
  newCertificateId: string;
  resources: DeploymentTarget[];
  facts: NonNullable<DeploymentRequest['facts']>;
}

const CERTIFICATE_ID = /^\d{1,19}$/;

/**
 * /cert-deploy, the Deploy renewal… button, the request modal, and Approve / Reject. A request
 * is refused with a clear answer (and nothing stored) when deployments are off, the channel or
 * the person may not request, or there is nothing to deploy; a value that is not one the bot
 * rendered is refused; approval is a conditional state change, so one request makes one job.
 */
export function registerDeploy(app: App, deps: SlackDeps, deploy: SlackDeployDeps | undefined): void {
  const s = deploy?.settings;
  // Used only once `requestRefusal` (or the decision) has found deployments on.
  const requests = () => (deploy as SlackDeployDeps).flow.store.deployments;
  const check = deploy?.access ?? (async (principals: readonly string[], user: string) => principals.includes(user));
  const audit = (entry: {
    userId: string;
    channelId?: string;
    outcome: 'refused' | 'denied' | 'requested' | 'approved' | 'rejected' | 'expired';
    details: Record<string, unknown>;
  }) => deps.store.audit.record({ ...entry, at: deps.now(), action: 'cert-deploy' });

  /** Why this person may not request here, or undefined. */
  const requestRefusal = async (userId: string, channel: string | undefined): Promise<string | undefined> => {
    if (!deploy || !s)
      return 'Deployments from Slack are off here (DEPLOY_ENABLED=false). Deploy from the CAS console, or ask the bot’s owners to turn them on.';
    if (!channel || !s.channels.includes(channel))
      return `Deployments are requested in ${s.channels.map((c) => `<#${c}>`).join(', ')} only (DEPLOY_CHANNELS).`;
    if (s.requesters.length > 0 && !(await check(s.requesters, userId)))
      return 'Only the people in DEPLOY_REQUESTERS may request deployments. Ask one of them.';
    return undefined;
  };

  /** The plan of the first account that knows the certificate (or of the one named). */
  const findPlan = async (
    certificateId: string,
    account?: string,
  ): Promise<{ account: string; outcome: PlanOutcome } | { answer: string }> => {
    const names = deps.accounts.map((a) => a.name);
    const chosen = account === undefined ? names : names.filter((n) => n.toLowerCase() === account.toLowerCase());
    if (chosen.length === 0) return { answer: `No account named ${account}: the accounts are ${names.join(', ')}.` };
    let first: { account: string; outcome: PlanOutcome } | undefined;
    for (const name of chosen) {
      const outcome = await (deploy as SlackDeployDeps).plan(name, certificateId);
      first ??= { account: name, outcome };
      if (!('noPlan' in outcome) || outcome.noPlan.kind !== 'unknown-certificate') return { account: name, outcome };
    }
    return first as { account: string; outcome: PlanOutcome };
  };

  /** Opens the modal at once, then fills it with the plan (or says why there is none). */
  const openRequestModal = async (
    client: WebClient,
    triggerId: string,
    input: { userId: string; channel: string; certificateId: string; account?: string },
  ) => {
    const opened = await client.views.open({ trigger_id: triggerId, view: loadingModal() });
    const viewId = (opened.view as { id?: string } | undefined)?.id as string;
    const show = (view: ReturnType<typeof messageModal>) => client.views.update({ view_id: viewId, view });
    let found;
    try {
      found = await findPlan(input.certificateId, input.account);
    } catch (error) {
      deps.logger.warn({ err: describeError(error) }, 'deployment plan could not be read');
      const message =
        (error as { hint?: string; message?: string }).hint ?? 'CAS could not be read; try again in a minute.';
      await show(messageModal(`Could not read what to deploy: ${message}`));
      return;
    }
    if ('answer' in found) {
      await show(messageModal(found.answer));
      return;
    }
    if ('noPlan' in found.outcome) {
      await audit({
        userId: input.userId,
        channelId: input.channel,
        outcome: 'refused',
        details: { certificateId: input.certificateId, reason: found.outcome.noPlan.kind },
      });
      await show(messageModal(`${describeNoPlan(found.outcome.noPlan)} No request was made.`));
      return;
    }
    const plan: DeploymentPlan = found.outcome.plan;
    const draftId = crypto.randomBytes(18).toString('base64url');
    const now = deps.now();
    const draft: Draft = {
      account: found.account,
      channel: input.channel,
      oldCertificateId: plan.old.certificateId ?? plan.old.id,
      newCertificateId: plan.replacement.certificateId ?? plan.replacement.id,
      resources: plan.resources,
      facts: certificateFacts(plan.old, plan.replacement),
    };
    await deps.store.confirmations.save({
      nonce: draftId,
      kind: DEPLOY_DRAFT_KIND,
      requester: input.userId,
      payload: draft as unknown as Record<string, unknown>,
      createdAt: now,
      expiresAt: new Date(now.getTime() + DRAFT_TTL_MS),
    });
    await show(requestModal({ plan, draftId, changeWindow: s?.changeWindow }));
  };

  app.command(
    '/cert-deploy',
    commandListener(
      deps,
      { name: '/cert-deploy', whatFails: 'Could not prepare the deployment' },
      async ({ command, client }) => {
        const args = parseCommandArgs(command.text);
        const certificateId = args.words[0];
        if (args.help || !certificateId || args.words.length > 1 || !CERTIFICATE_ID.test(certificateId))
          return {
            ...deployAnswer(
              'Usage: `/cert-deploy <old certificate ID> [account:NAME]` — opens a request to deploy its renewal to the resources still on it (e.g. `/cert-deploy 12345678`).',
              ':information_source:',
            ),
            response_type: 'ephemeral',
          };
        const refusal = await requestRefusal(command.user_id, command.channel_id);
        if (refusal) {
          await audit({
            userId: command.user_id,
            channelId: command.channel_id,
            outcome: 'refused',
            details: { certificateId, reason: refusal.slice(0, 80) },
          });
          return { ...deployAnswer(refusal), response_type: 'ephemeral' };
        }
        await openRequestModal(client, command.trigger_id, {
          userId: command.user_id,
          channel: command.channel_id,
          certificateId,
          account: args.account,
        });
        return undefined;
      },
    ),
  );

  app.action<BlockAction<ButtonAction>>(
    DEPLOY_BUTTONS.open.actionId,
    buttonListener(
      deps,
      { codec: DEPLOY_BUTTONS.open, whatFails: 'Could not prepare the deployment' },
      async (value, { body, client }) => {
        const channel = body.channel?.id;
        const refusal = await requestRefusal(body.user.id, channel);
        if (refusal) {
          await audit({
            userId: body.user.id,
            channelId: channel,
            outcome: 'refused',
            details: { certificateId: value.id, reason: refusal.slice(0, 80) },
          });
          return { ...deployAnswer(refusal), response_type: 'ephemeral', replace_original: false };
        }
        await openRequestModal(client, body.trigger_id, {
          userId: body.user.id,
          channel: channel as string,
          certificateId: value.id,
          account: value.account,
        });
        return undefined;
      },
    ),
  );

  app.view(DEPLOY_MODAL.callbackId, async (args: ViewArgs) => {
    const { view, body, ack } = args;
    const userId = body.user.id;
    const draftId = view.private_metadata;
    const refuse = async (reason: string, block: string = DEPLOY_MODAL.noteBlock) => {
      await audit({ userId, outcome: 'denied', details: { reason } });
      await ack({ response_action: 'errors', errors: { [block]: reason } });
    };
    const pending = isDraftId(draftId) ? await deps.store.confirmations.get(draftId) : undefined;
    if (!pending || pending.kind !== DEPLOY_DRAFT_KIND || pending.requester !== userId)
      return refuse('This form is not one the bot opened for you. Start again with /cert-deploy.');
    if (pending.expiresAt.getTime() <= deps.now().getTime())
      return refuse('This form has expired. Start again with /cert-deploy.');
    const draft = pending.payload as unknown as Draft;
    const offered = new Map(draft.resources.map((r) => [r.id, r]));
    const selected: string[] = [];
    let firstBlock: string = DEPLOY_MODAL.noteBlock;
    for (const [blockId, actionsOf] of Object.entries(view.state.values)) {
      if (!blockId.startsWith('resources_')) continue;
      firstBlock = firstBlock === DEPLOY_MODAL.noteBlock ? blockId : firstBlock;
      for (const option of actionsOf[DEPLOY_MODAL.resourcesAction]?.selected_options ?? []) selected.push(option.value);
    }
    if (selected.some((id) => !offered.has(id)))
      return refuse('A selected resource is not one the bot offered; nothing was requested.', firstBlock);
    if (selected.length === 0) return refuse('Select at least one resource.', firstBlock);
    const channel = draft.channel;
    const refusal = await requestRefusal(userId, channel);
    if (refusal) return refuse(refusal);
    const claimed = await deps.store.claims.claim({
      kind: DEPLOY_DRAFT_KIND,
      subject: draftId,
      period: 'submit',
      holder: deps.instanceId,
      now: deps.now(),
      leaseMs: SUBMIT_LEASE_MS,
    });
    await ack();
    if (!claimed) return;
    const note = view.state.values[DEPLOY_MODAL.noteBlock]?.[DEPLOY_MODAL.noteAction]?.value?.trim();
    const now = deps.now();
    const chosen = new Set(selected);
    const request: DeploymentRequest = {
      id: crypto.randomBytes(18).toString('base64url'),
      state: 'requested',
      account: draft.account,
      requester: userId,
      channel,
      oldCertificateId: draft.oldCertificateId,
      newCertificateId: draft.newCertificateId,
      resources: draft.resources.filter((r) => chosen.has(r.id)),
      facts: draft.facts,
      ...(note ? { note: note.slice(0, 500) } : {}),
      createdAt: now,
      expiresAt: new Date(now.getTime() + (s as SlackDeployDeps['settings']).requestHours * 3_600_000),
      updatedAt: now,
    };
    await requests().create(request);
    await deps.store.claims.finish({ kind: DEPLOY_DRAFT_KIND, subject: draftId, period: 'submit' }, deps.instanceId, {
      status: 'submitted',
      now,
      result: { request: request.id },
    });
    await audit({
      userId,
      channelId: channel,
      outcome: 'requested',
      details: {
        request: request.id,
        account: request.account,
        oldCertificateId: request.oldCertificateId,
        newCertificateId: request.newCertificateId,
        resources: request.resources.map((r) => r.id),
      },
    });
    try {
      const ts = await (deploy as SlackDeployDeps).postRequest(request);
      if (ts) await requests().update(request.id, { messageTs: ts }, deps.now());
    } catch (error) {
      deps.logger.error(
        { request: request.id, err: describeError(error) },
        'could not post the deployment request message',
      );
    }
  });

  async function decide(
    decision: 'approve' | 'reject',
    requestId: string,
    body: BlockAction<ButtonAction>,
  ): Promise<Answer | undefined> {
    const userId = body.user.id;
    const channel = body.channel?.id;
    const ephemeral = (text: string, emoji?: string): Answer => ({
      ...deployAnswer(text, emoji),
      response_type: 'ephemeral',
      replace_original: false,
    });
    const deny = async (text: string, reason: string) => {
      await audit({ userId, channelId: channel, outcome: 'denied', details: { request: requestId, decision, reason } });
      return ephemeral(text);
    };
    if (!deploy || !s)
      return deny('Deployments from Slack are off here (DEPLOY_ENABLED=false): nothing was changed.', 'disabled');
    const request = await requests().get(requestId);
    if (!request)
      return deny(
        'This deployment request is not known to the bot (or was made elsewhere). Nothing was changed.',
        'unknown',
      );
    if (!channel || !s.channels.includes(channel) || channel !== request.channel)
      return deny('Deployments are approved in the channel they were requested in. Nothing was changed.', 'channel');
    const approver = await check(s.approvers, userId);
    const refusal = decisionRefusal(request, { userId, approver, decision, now: deps.now() });
    if (refusal === 'own-request')
      return deny(
        'You requested this deployment, so you cannot approve it: another approver must (two people for every deployment).',
        'own request',
      );
    if (refusal === 'not-approver')
      return deny(
        `Only the approvers (DEPLOY_APPROVERS) may ${decision} deployments; ask one of them.`,
        'not an approver',
      );
    if (refusal === 'expired') {
      await advanceRequest(deploy.flow, request.id);
      return deny(
        `This request expired ${s.requestHours} hours after it was made. Request again with /cert-deploy ${request.oldCertificateId}.`,
        'expired',
      );
    }
    const to = decision === 'approve' ? 'approved' : 'rejected';
    const moved = await requests().transition(request.id, ['requested'], to, { approver: userId }, deps.now());
    if (!moved) {
      const now = await requests().get(request.id);
      const by = now?.approver ? ` by <@${now.approver}>` : '';
      return ephemeral(
        `This request was already ${now?.state ?? 'decided'}${by}. Nothing more was done.`,
        ':information_source:',
      );
    }
    await audit({
      userId,
      channelId: channel,
      outcome: to,
      details: {
        request: request.id,
        account: request.account,
        oldCertificateId: request.oldCertificateId,
        newCertificateId: request.newCertificateId,
      },
    });
    await deploy.flow.showRequest(moved);
    if (decision === 'reject') {
      deploy.flow.observe?.deploymentFinished?.('rejected');
      return undefined;
    }
    // The job is made now, in this process; the tracker takes it up if this one stops halfway.
    await advanceRequest(deploy.flow, request.id);
    return undefined;
  }

  /** Roll back: approvers only, once (a conditional state change), for a finished job that deployed something. */
  async function rollback(requestId: string, body: BlockAction<ButtonAction>): Promise<Answer | undefined> {
    const userId = body.user.id;
    const channel = body.channel?.id;
    const deny = async (text: string, reason: string): Promise<Answer> => {
      await audit({
        userId,
        channelId: channel,
        outcome: 'denied',
        details: { request: requestId, decision: 'rollback', reason },
      });
      return { ...deployAnswer(text), response_type: 'ephemeral', replace_original: false };
    };
    if (!deploy || !s)
      return deny('Deployments from Slack are off here (DEPLOY_ENABLED=false): nothing was changed.', 'disabled');
    const request = await requests().get(requestId);
    if (!request || request.jobId === undefined)
      return deny('This deployment is not known to the bot, or made no job. Nothing was changed.', 'unknown');
    if (!channel || channel !== request.channel)
      return deny('A deployment is rolled back in the channel it was requested in. Nothing was changed.', 'channel');
    if (!(await check(s.approvers, userId)))
      return deny(
        'Only the approvers (DEPLOY_APPROVERS) may roll a deployment back; ask one of them.',
        'not an approver',
      );
    const progress = {
      ...(request.progress ?? { summary: '', total: 0, deployed: 0, failed: 0, failedWorkers: [] }),
      rollbackBy: userId,
    };
    const moved = await requests().transition(
      request.id,
      ['succeeded', 'failed'],
      'rolling-back',
      { progress },
      deps.now(),
    );
    if (!moved)
      return {
        ...deployAnswer(
          `This deployment is ${request.state === 'rolling-back' || request.state === 'rolled-back' ? 'already being rolled back or rolled back' : `${request.state}, not finished`}. Nothing more was done.`,
          ':information_source:',
        ),
        response_type: 'ephemeral',
        replace_original: false,
      };
    await deps.store.audit.record({
      at: deps.now(),
      userId,
      channelId: channel,
      action: 'cert-deploy-rollback',
      outcome: 'requested',
      details: {
        request: request.id,
        account: request.account,
        jobId: request.jobId,
        resources: request.resources.map((r) => r.id),
      },
    });
    await deploy.flow.showRequest(moved);
    await advanceRequest(deploy.flow, request.id);
    return undefined;
  }
  app.action<BlockAction<ButtonAction>>(
    DEPLOY_BUTTONS.rollback.actionId,
    buttonListener(
      deps,
      { codec: DEPLOY_BUTTONS.rollback, whatFails: 'Could not roll the deployment back' },
      (value, { body }) => rollback(value.request, body),
    ),
  );

  for (const [codec, decision] of [
    [DEPLOY_BUTTONS.approve, 'approve'],
    [DEPLOY_BUTTONS.reject, 'reject'],
  ] as const)
    app.action<BlockAction<ButtonAction>>(
      codec.actionId,
      buttonListener(deps, { codec, whatFails: `Could not ${decision} the deployment` }, (value, { body }) =>
        decide(decision, value.request, body),
      ),
    );
}
