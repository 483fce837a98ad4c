import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KnownBlock } from '@slack/types';

/** What the bot answers through response_url: fallback text and blocks. */
interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Stands in for Slack's response_url: collects what the bot answers, by request id. */
export interface ResponseSink {
  url(id: string): string;
  next(id: string, timeoutMs?: number): Promise<SlackMessage>;
  close(): Promise<void>;
}

export async function startResponseSink(): Promise<ResponseSink> {
  const received = new Map<string, SlackMessage[]>();
  const waiting = new Map<string, (message: SlackMessage) => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
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
