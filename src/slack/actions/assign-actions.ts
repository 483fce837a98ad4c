import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import { renderAssignCancelled, renderAssignDone, renderAssignNotYours } from '../blocks/assign';
import { renderCasError } from '../blocks/errors';
import { describeError, safeRespond, tracked } from '../commands/run-command';
import type { SlackDeps } from '../deps';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

interface AssignValue {
  id: number;
  count: number;
  admin: string;
}

function parseValue(value: string | undefined): AssignValue | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as Partial<AssignValue>;
    if (
      Number.isInteger(parsed.id) &&
      Number.isInteger(parsed.count) &&
      typeof parsed.admin === 'string' &&
      parsed.admin.length > 0
    )
      return parsed as AssignValue;
  } catch {
    // fall through: an unreadable value is treated as a forged or stale button
  }
  return undefined;
}

/**
 * Confirm and Cancel of /cert-assign. Only the admin who asked may press them, and only while
 * still an admin; every press is audited. A confirmation is carried out at most once even if
 * the button is pressed twice before the message is replaced.
 */
export function registerAssignActions(app: App, deps: SlackDeps): void {
  const done = new LRUCache<string, true>({ max: 10_000, ttl: 60 * 60 * 1000 });

  const handler =
    (decision: 'confirm' | 'cancel') =>
    async (args: ButtonArgs): Promise<void> => {
      await args.ack();
      await tracked(deps, () => press(args, decision));
    };

  async function press({ action, body, respond }: ButtonArgs, decision: 'confirm' | 'cancel'): Promise<void> {
    const userId = body.user.id;
    const log = deps.logger.child({ action: action.action_id, user: userId });
    const value = parseValue(action.value);
    const audit = { userId, teamId: body.team?.id, channelId: body.channel?.id, action: 'cert-assign' };
    const details = value ? { dataSourceId: value.id, count: value.count } : { value: 'unreadable' };
    if (!value || value.admin !== userId || !deps.adminUserIds.includes(userId)) {
      await deps.store.recordAudit({
        ...audit,
        at: deps.now(),
        outcome: 'denied',
        details: { ...details, decision },
      });
      await safeRespond(
        respond,
        { ...renderAssignNotYours(), replace_original: false, response_type: 'ephemeral' },
        log,
      );
      return;
    }
    const key = `${userId}:${body.container?.message_ts ?? action.action_ts}`;
    if (done.has(key)) return;
    done.set(key, true);
    const info = { dataSourceId: value.id, count: value.count, adminId: userId };
    if (decision === 'cancel') {
      await deps.store.recordAudit({ ...audit, at: deps.now(), outcome: 'cancelled', details });
      await safeRespond(respond, { ...renderAssignCancelled(info), replace_original: true }, log);
      return;
    }
    await deps.store.recordAudit({ ...audit, at: deps.now(), outcome: 'confirmed', details });
    try {
      const result = await deps.cas.assignCertificateCount({ id: String(value.id), certTotalCount: value.count });
      await deps.store.recordAudit({
        ...audit,
        at: deps.now(),
        outcome: 'succeeded',
        details: {
          ...details,
          certCount: result.CertCount,
          currentYearFreeCertCount: result.CurrentYearFreeCertCount,
        },
        requestId: result.RequestId,
      });
      await safeRespond(respond, { ...renderAssignDone({ ...info, result }), replace_original: true }, log);
    } catch (error) {
      const requestId = (error as { requestId?: string }).requestId;
      await deps.store.recordAudit({
        ...audit,
        at: deps.now(),
        outcome: 'failed',
        details: { ...details, error: describeError(error).code ?? 'error' },
        requestId,
      });
      log.warn({ err: describeError(error) }, 'AssignCertificateCount failed');
      await safeRespond(
        respond,
        { ...renderCasError(error, 'Could not assign certificates'), replace_original: true },
        log,
      );
    }
  }

  app.action<BlockAction<ButtonAction>>('cert_assign_confirm', handler('confirm'));
  app.action<BlockAction<ButtonAction>>('cert_assign_cancel', handler('cancel'));
}
