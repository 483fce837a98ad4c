import type { WebClient } from '@slack/web-api';
import { ALERT_EVENT_TYPE, type AlertPoster } from '../alerts/run';

const HISTORY_PAGES = 5;

/** The alerts' Slack calls on a Web API client: post with metadata, update in place, find an earlier post. */
export function createAlertPoster(client: WebClient): AlertPoster {
  return {
    async postMessage(message) {
      const result = await client.chat.postMessage(message as Parameters<WebClient['chat']['postMessage']>[0]);
      return { ts: result.ts };
    },
    async update(message) {
      await client.chat.update(message as Parameters<WebClient['chat']['update']>[0]);
    },
    async findPosted(channel, keys, since) {
      const wanted = new Set(keys);
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const result = await client.conversations.history({
          channel,
          oldest: String(Math.floor(since.getTime() / 1000)),
          include_all_metadata: true,
          limit: 100,
          cursor,
        });
        const found = result.messages?.find((m) => {
          if (m.metadata?.event_type !== ALERT_EVENT_TYPE) return false;
          const carried = (m.metadata.event_payload as Record<string, unknown> | undefined)?.alerts;
          return typeof carried === 'string' && carried.split(' ').some((key) => wanted.has(key));
        });
        if (found?.ts) return found.ts;
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!cursor) return undefined;
      }
      return undefined;
    },
  };
}
