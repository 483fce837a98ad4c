import type { WebClient } from '@slack/web-api';
import { DIGEST_EVENT_TYPE, type DigestPoster } from '../digest/run';

/** Pages of channel history read when looking for an earlier post (100 messages a page). */
const HISTORY_PAGES = 5;

/** The digest's two Slack calls on a Web API client: post with metadata, and find an earlier post by it. */
export function createDigestPoster(client: WebClient): DigestPoster {
  return {
    async postMessage(message) {
      const result = await client.chat.postMessage(message as Parameters<WebClient['chat']['postMessage']>[0]);
      return { ts: result.ts };
    },
    async findPosted(channel, period, since) {
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const result = await client.conversations.history({
          channel,
          oldest: String(Math.floor(since.getTime() / 1000)),
          include_all_metadata: true,
          limit: 100,
          cursor,
        });
        const found = result.messages?.find(
          (m) =>
            m.metadata?.event_type === DIGEST_EVENT_TYPE &&
            (m.metadata?.event_payload as Record<string, unknown> | undefined)?.period === period,
        );
        if (found?.ts) return found.ts;
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!cursor) return undefined;
      }
      return undefined;
    },
  };
}
