import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KnownBlock } from '@slack/types';

/** What the bot answers through response_url: fallback text and blocks. */
interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** A message the bot posted to a channel (chat.postMessage) and, if it did, its last update. */
export interface PostedMessage extends SlackMessage {
  channel: string;
  ts: string;
}

/**
 * Stands in for Slack: response_url (what the bot answers, by request id) and the few Web API
 * methods the bot's own posts use (chat.postMessage, chat.update, conversations.history,
 * auth.test), so the demo shows alerts as they would appear in a channel.
 */
export interface ResponseSink {
  url(id: string): string;
  next(id: string, timeoutMs?: number): Promise<SlackMessage>;
  /** The Web API's base URL (SLACK_API_URL). */
  apiUrl: string;
  /** Every message posted since the last call, as last updated. */
  takePosted(): PostedMessage[];
  close(): Promise<void>;
}

/** A Web API call's arguments: Slack's client sends a form with JSON-encoded blocks, or JSON. */
function apiArguments(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = key === 'blocks' || key === 'metadata' ? JSON.parse(value) : value;
  }
  return args;
}

export async function startResponseSink(): Promise<ResponseSink> {
  const received = new Map<string, SlackMessage[]>();
  const waiting = new Map<string, (message: SlackMessage) => void>();
  const posted: PostedMessage[] = [];
  let taken = 0;
  const api = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    if (method === 'auth.test') return { ok: true, user_id: 'U0DEMO', bot_id: 'B0DEMO', team_id: 'T0DEMO' };
    if (method === 'conversations.history') return { ok: true, messages: [], has_more: false };
    if (method === 'chat.postMessage') {
      const message = {
        channel: String(args.channel),
        ts: `${1_800_000_000 + posted.length}.000100`,
        text: String(args.text ?? ''),
        blocks: (args.blocks ?? []) as KnownBlock[],
      };
      posted.push(message);
      return { ok: true, channel: message.channel, ts: message.ts };
    }
    if (method === 'chat.update') {
      const message = posted.find((m) => m.channel === args.channel && m.ts === args.ts);
      if (message) Object.assign(message, { text: String(args.text ?? ''), blocks: args.blocks ?? [] });
      return message
        ? { ok: true, channel: message.channel, ts: message.ts }
        : { ok: false, error: 'message_not_found' };
    }
    return { ok: false, error: 'unknown_method' };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = /^\/api\/([\w.]+)/.exec(req.url ?? '')?.[1];
      if (method) {
        const answer = api(method, apiArguments(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
        return;
      }
      const id = (req.url ?? '').replace(/^\/response\//, '');
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as SlackMessage;
      const waiter = waiting.get(id);
      if (waiter) {
        waiting.delete(id);
        waiter(message);
      } else received.set(id, [...(received.get(id) ?? []), message]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (id) => `http://127.0.0.1:${port}/response/${id}`,
    apiUrl: `http://127.0.0.1:${port}/api/`,
    takePosted() {
      const fresh = posted.slice(taken);
      taken = posted.length;
      return fresh;
    },
    next(id, timeoutMs = 30_000) {
      const ready = received.get(id)?.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer for ${id}`)), timeoutMs);
        waiting.set(id, (message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
