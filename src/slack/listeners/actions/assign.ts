import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decideAssignment, type DecisionOutcome } from '../../../assign/decide';
import {
  renderAssignAlreadyDecided,
  renderAssignCancelled,
  renderAssignDone,
  renderAssignNotYours,
  renderAssignUnavailable,
} from '../../blocks/assign';
import { renderCasError } from '../../blocks/errors';
import { BUTTONS } from '../../button-codecs';
import type { SlackDeps } from '../../deps';
import { type Answer, type ButtonArgs, buttonListener } from '../../listener';

/** The answer to the person who pressed Confirm or Cancel: refusals only to them, outcomes in place. */
function answerFor(outcome: DecisionOutcome): Answer {
  const onlyYou = { replace_original: false, response_type: 'ephemeral' as const };
  switch (outcome.kind) {
    case 'unavailable':
      return { ...renderAssignUnavailable({ reason: outcome.reason, detail: outcome.detail }), ...onlyYou };
    case 'not-yours':
      return { ...renderAssignNotYours({ adminId: outcome.requester }), ...onlyYou };
    case 'already-decided':
      return { ...renderAssignAlreadyDecided({ status: outcome.status }), ...onlyYou };
    case 'cancelled':
      return { ...renderAssignCancelled(outcome.assignment), replace_original: true };
    case 'done':
      return { ...renderAssignDone({ ...outcome.assignment, result: outcome.result }), replace_original: true };
    case 'failed':
      return { ...renderCasError(outcome.error, 'Could not assign certificates'), replace_original: true };
  }
}

/**
 * Confirm and Cancel of /cert-assign: decode the button, let the use case decide (see
 * assign/decide.ts), answer with its outcome.
 */
export function registerAssignActions(app: App, deps: SlackDeps): void {
  const decide = async (decision: 'confirm' | 'cancel', nonce: string, { body }: ButtonArgs): Promise<Answer> =>
    answerFor(
      await decideAssignment(deps, {
        decision,
        nonce,
        userId: body.user.id,
        teamId: body.team?.id,
        channelId: body.channel?.id,
      }),
    );

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
        (value, args) => decide(decision, value.nonce, args),
      ),
    );
  }
}
