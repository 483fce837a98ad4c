import type { KnownBlock } from '@slack/types';

export type { KnownBlock };

/** What every renderer returns: a Block Kit message and its plain fallback (notifications, screen readers). */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}
