import type { WebClient } from '@slack/web-api';

type HistoryMessage = NonNullable<Awaited<ReturnType<WebClient['conversations']['history']>>['messages']>[number];

/** Pages of channel history read when looking for an earlier post (100 messages a page). */
const HISTORY_PAGES = 5;

/**
 * The ts of the newest of the bot's messages since `since` that `matches` (by its metadata),
 * reading up to five pages of conversations.history; rejects when the channel cannot be read.
 */
export async function findInHistory(
  client: WebClient,
  channel: string,
  since: Date,
  matches: (message: HistoryMessage) => boolean,
): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    const result = await client.conversations.history({
      channel,
      oldest: String(Math.floor(since.getTime() / 1000)),
      include_all_metadata: true,
      limit: 100,
      cursor,
    });
    const found = result.messages?.find(matches);
    if (found?.ts) return found.ts;
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** A message's metadata payload field, when the message carries the bot's event type. */
export function payloadField(message: HistoryMessage, eventType: string, field: string): unknown {
  if (message.metadata?.event_type !== eventType) return undefined;
  return (message.metadata.event_payload as Record<string, unknown> | undefined)?.[field];
}
