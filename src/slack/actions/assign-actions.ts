import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { parseAssignment } from '../../domain/assignment';
import {
  renderAssignAlreadyDecided,
  renderAssignCancelled,
  renderAssignDone,
  renderAssignNotYours,
  renderAssignUnavailable,
} from '../blocks/assign';
import { renderCasError } from '../blocks/errors';
import { type AssignDecisionValue, BUTTONS } from '../button-codecs';
import { ASSIGN_CONFIRMATION_KIND } from '../commands/assign';
import type { SlackDeps } from '../deps';
import { type Answer, type ButtonArgs, buttonListener, describeError } from '../listener';

/**
 * A decision is never taken over: a holder that died mid-call may have changed the quota, so
 * only a person, with a new /cert-assign, may try again.
 */
const DECISION_LEASE_MS = 100 * 365 * 86_400_000;

/**
 * Confirm and Cancel of /cert-assign. The pending request is read from the store by the
 * button's nonce; only the admin who asked may decide, and only while still an admin and
 * before it expires; every press is audited. The decision is an exactly-once claim, so a
 * Confirm pressed twice, replayed after a restart or sent to two replicas runs
 * AssignCertificateCount once.
 */
export function registerAssignActions(app: App, deps: SlackDeps): void {
  async function decide(
    decision: 'confirm' | 'cancel',
    { nonce }: AssignDecisionValue,
    { body }: ButtonArgs,
  ): Promise<Answer> {
    const userId = body.user.id;
    const audit = { userId, teamId: body.team?.id, channelId: body.channel?.id, action: 'cert-assign' };
    const pending = await deps.store.confirmations.get(nonce);
    const parsed =
      pending?.kind === ASSIGN_CONFIRMATION_KIND
        ? parseAssignment([pending.payload.dataSourceId, pending.payload.count])
        : undefined;
    // Requests stored before accounts existed carry none: they were for the first (only) account.
    const accountName = typeof pending?.payload.account === 'string' ? pending.payload.account : deps.accounts[0].name;
    const account = deps.accounts.find((a) => a.name === accountName);
    const details =
      parsed && typeof parsed !== 'string'
        ? { dataSourceId: parsed.dataSourceId, count: parsed.count, account: accountName }
        : {};
    const deny = async (answer: Answer, reason: string) => {
      await deps.store.audit.record({
        ...audit,
        at: deps.now(),
        outcome: 'denied',
        details: { ...details, decision, reason },
      });
      return { ...answer, replace_original: false, response_type: 'ephemeral' as const };
    };
    if (!pending || parsed === undefined) return deny(renderAssignUnavailable({ reason: 'unknown' }), 'unknown');
    if (pending.requester !== userId || !deps.adminUserIds.includes(userId))
      return deny(renderAssignNotYours({ adminId: pending.requester }), 'not the requester');
    if (typeof parsed === 'string')
      return deny(renderAssignUnavailable({ reason: 'invalid', detail: parsed }), 'invalid');
    if (pending.expiresAt.getTime() <= deps.now().getTime())
      return deny(renderAssignUnavailable({ reason: 'expired' }), 'expired');
    if (!account)
      return deny(
        renderAssignUnavailable({ reason: 'invalid', detail: `account ${accountName} is no longer configured` }),
        'unknown account',
      );

    const key = { kind: ASSIGN_CONFIRMATION_KIND, subject: nonce, period: 'decision' };
    const claimed = await deps.store.claims.claim({
      ...key,
      holder: deps.instanceId,
      now: deps.now(),
      leaseMs: DECISION_LEASE_MS,
    });
    if (!claimed) {
      const entry = await deps.store.claims.get(key);
      return {
        ...renderAssignAlreadyDecided({ status: entry?.status ?? 'claimed' }),
        replace_original: false,
        response_type: 'ephemeral',
      };
    }
    const info = { ...parsed, adminId: userId, account: account.name };
    if (decision === 'cancel') {
      await deps.store.audit.record({ ...audit, at: deps.now(), outcome: 'cancelled', details });
      await deps.store.claims.finish(key, deps.instanceId, { status: 'cancelled', now: deps.now() });
      return { ...renderAssignCancelled(info), replace_original: true };
    }
    await deps.store.audit.record({ ...audit, at: deps.now(), outcome: 'confirmed', details });
    try {
      const result = await account.cas.assignCertificateCount({
        id: parsed.dataSourceId,
        certTotalCount: parsed.count,
      });
      await deps.store.audit.record({
        ...audit,
        at: deps.now(),
        outcome: 'succeeded',
        details: { ...details, certCount: result.CertCount, currentYearFreeCertCount: result.CurrentYearFreeCertCount },
        requestId: result.RequestId,
      });
      await deps.store.claims.finish(key, deps.instanceId, {
        status: 'succeeded',
        now: deps.now(),
        result: { requestId: result.RequestId ?? null },
      });
      return { ...renderAssignDone({ ...info, result }), replace_original: true };
    } catch (error) {
      const requestId = (error as { requestId?: string }).requestId;
      await deps.store.audit.record({
        ...audit,
        at: deps.now(),
        outcome: 'failed',
        details: { ...details, error: describeError(error).code ?? 'error' },
        requestId,
      });
      await deps.store.claims.finish(key, deps.instanceId, {
        status: 'failed',
        now: deps.now(),
        error: String(describeError(error).code ?? 'error'),
      });
      return { ...renderCasError(error, 'Could not assign certificates'), replace_original: true };
    }
  }

  const onUnreadable =
    (decision: 'confirm' | 'cancel') =>
    async ({ body }: ButtonArgs) => {
      await deps.store.audit.record({
        userId: body.user.id,
        teamId: body.team?.id,
        channelId: body.channel?.id,
        action: 'cert-assign',
        at: deps.now(),
        outcome: 'denied',
        details: { value: 'unreadable', decision },
      });
    };
  for (const [codec, decision] of [
    [BUTTONS.assignConfirm, 'confirm'],
    [BUTTONS.assignCancel, 'cancel'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(
      codec.actionId,
      buttonListener(
        deps,
        { codec, whatFails: 'Could not assign certificates', onUnreadable: onUnreadable(decision) },
        (value, args) => decide(decision, value, args),
      ),
    );
  }
}
