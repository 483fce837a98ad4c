import type { WebClient } from '@slack/web-api';
import { ALERT_EVENT_TYPE, type AlertPoster } from '../alerts/run';
import { findInHistory, payloadField } from './channel-history';

/**
 * The alerts' Slack calls on a Web API client: post with metadata, update in place, find an
 * earlier post. Posts, and the look for an earlier one, go through `postClient`, which must not
 * retry on its own: a retry after a lost answer would post twice; postOnce looks for the post
 * before it tries again, and tries a look that got no answer again itself.
 */
export function createAlertPoster(client: WebClient, postClient: WebClient = client): AlertPoster {
  return {
    async postMessage(message) {
      const result = await postClient.chat.postMessage(message as Parameters<WebClient['chat']['postMessage']>[0]);
      return { ts: result.ts };
    },
    async update(message) {
      await client.chat.update(message as Parameters<WebClient['chat']['update']>[0]);
    },
    findPosted(channel, keys, since) {
      const wanted = new Set(keys);
      return findInHistory(postClient, channel, since, (m) => {
        const carried = payloadField(m, ALERT_EVENT_TYPE, 'alerts');
        return typeof carried === 'string' && carried.split(' ').some((key) => wanted.has(key));
      });
    },
  };
}
