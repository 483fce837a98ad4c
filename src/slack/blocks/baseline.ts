import type { KnownBlock } from '@slack/types';
import { type BaselineScope, baselineLine } from '../../domain/baseline';
import { formatUtc } from '../../render/format';
import { buildMessage, context, section } from './builders';
import { inlineText } from './escape';
import type { SlackMessage } from './types';

export interface BaselineMessageInput {
  scopes: BaselineScope[];
  now: Date;
}

/**
 * A channel's first-day summary: one line per account it watches, instead of one alert per
 * certificate, and what it will hear from now on.
 */
export function renderBaselineMessage(input: BaselineMessageInput): SlackMessage {
  // Account names come from configuration, but are escaped like anything shown.
  const lines = input.scopes.map((scope) =>
    baselineLine({ ...scope, shownAccount: scope.shownAccount && inlineText(scope.shownAccount, 60) }),
  );
  const blocks: KnownBlock[] = [
    section(lines.join('\n')),
    context([
      'Thresholds already crossed count as announced: from now on a certificate is announced here when it crosses one later (ALERT_DAYS), is found stale, or is renewed.',
      `Summary of ${formatUtc(input.now)}`,
    ]),
  ];
  return buildMessage(lines.join('\n'), blocks);
}
