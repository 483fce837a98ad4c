/**
 * A minimal stand-in for Slack for `npm run bench:slack` and the serving part of
 * `bench:inventory`: the Web API methods a starting Bolt app calls (auth.test), views.publish
 * (App Home, recorded as an answer with the id `home-<user_id>`) and a response_url sink that
 * timestamps every answer. It runs in its own process so that receiving ~2,000 answers does not
 * stall the event loop that times the acks.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { epochMs, stopChild } from './slack-load';

export interface Answer {
  id: string;
  /** epochMs() when the whole POST body had arrived. */
  at: number;
  /** The bot's failure message ("Could not ...") instead of a real answer. */
  error: boolean;
  /** The fallback text, shortened: enough to see what was answered. */
  text: string;
}

type ToParent =
  | { type: 'ready'; port: number }
  | { type: 'answers'; answers: Answer[]; apiCalls: Record<string, number> }
  | { type: 'answer'; id: string; answer?: Answer };
/** `since`: answers already received by the parent are not sent again. */
type ToChild = { type: 'answers'; since: number } | { type: 'wait'; id: string; timeoutMs: number };

/** The id App Home's views.publish for `userId` is recorded under. */
export const homeAnswerId = (userId: string) => `home-${userId}`;

export interface FakeSlackProcess {
  apiUrl: string;
  responseUrl(id: string): string;
  /** Answers after the first `since`, and the Web API calls by method. */
  report(since?: number): Promise<{ answers: Answer[]; apiCalls: Record<string, number> }>;
  /**
   * The first answer for `id` (already received or still to come), told as soon as it arrives;
   * undefined after `timeoutMs`. For one request at a time: polling report() would add its
   * interval between requests.
   */
  waitFor(id: string, timeoutMs: number): Promise<Answer | undefined>;
  pid: number | undefined;
  close(): Promise<void>;
}

export async function spawnFakeSlack(): Promise<FakeSlackProcess> {
  const child = fork(__filename, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: ToParent) => {
      if (message.type === 'ready') resolve(message.port);
    });
    child.once('exit', (code) => reject(new Error(`fake Slack exited early with code ${code}`)));
  });
  const waiting = new Map<string, (answer: Answer | undefined) => void>();
  child.on('message', (message: ToParent) => {
    if (message.type !== 'answer') return;
    const resolve = waiting.get(message.id);
    waiting.delete(message.id);
    resolve?.(message.answer);
  });
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseUrl: (id) => `http://127.0.0.1:${port}/response/${id}`,
    pid: child.pid,
    report: (since = 0) =>
      new Promise((resolve) => {
        const onMessage = (message: ToParent) => {
          if (message.type !== 'answers') return;
          child.off('message', onMessage);
          resolve({ answers: message.answers, apiCalls: message.apiCalls });
        };
        child.on('message', onMessage);
        child.send({ type: 'answers', since } satisfies ToChild);
      }),
    waitFor: (id, timeoutMs) =>
      new Promise((resolve) => {
        waiting.set(id, resolve);
        child.send({ type: 'wait', id, timeoutMs } satisfies ToChild);
      }),
    close: () => stopChild(child),
  };
}

/** A Web API call's arguments: Slack's client sends a form (objects as JSON strings), or JSON. */
function apiArguments(body: string, contentType: string | undefined): Record<string, unknown> {
  try {
    if (contentType?.includes('application/json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function serve(): void {
  const answers: Answer[] = [];
  const apiCalls: Record<string, number> = {};
  const waiters = new Map<string, NodeJS.Timeout>();
  const record = (answer: Answer) => {
    answers.push(answer);
    const timer = waiters.get(answer.id);
    if (timer === undefined) return;
    clearTimeout(timer);
    waiters.delete(answer.id);
    process.send?.({ type: 'answer', id: answer.id, answer } satisfies ToParent);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = epochMs();
      const path = req.url ?? '/';
      res.setHeader('content-type', 'application/json');
      if (path.startsWith('/response/')) {
        let text = '';
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown };
          text = typeof body.text === 'string' ? body.text : '';
        } catch {
          text = '(not JSON)';
        }
        record({
          id: path.slice('/response/'.length),
          at,
          error: text.startsWith('Could not'),
          text: text.slice(0, 160),
        });
        res.end('{"ok":true}');
        return;
      }
      if (path.startsWith('/api/')) {
        const method = path.slice('/api/'.length).split('?')[0];
        apiCalls[method] = (apiCalls[method] ?? 0) + 1;
        if (method === 'auth.test') {
          res.end(
            JSON.stringify({
              ok: true,
              url: 'https://bench.slack.com/',
              team: 'Bench',
              user: 'certbot',
              team_id: 'T0BENCH',
              user_id: 'U0BOT',
              bot_id: 'B0BOT',
            }),
          );
          return;
        }
        if (method === 'views.publish') {
          // App Home: the view as an answer for its user, so a Home open is timed like a command.
          const args = apiArguments(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
          const userId = typeof args.user_id === 'string' ? args.user_id : 'unknown';
          const view = typeof args.view === 'string' ? args.view : JSON.stringify(args.view ?? {});
          // The view published when the dashboard could not be built (renderHomeError).
          const error = view.includes('Could not build your certificate dashboard');
          record({ id: homeAnswerId(userId), at, error, text: view.slice(0, 160) });
          res.end(JSON.stringify({ ok: true, view: { id: `V0HOME${userId}`, type: 'home' } }));
          return;
        }
        res.end('{"ok":true}');
        return;
      }
      res.statusCode = 404;
      res.end('{"ok":false,"error":"unknown_path"}');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ type: 'ready', port } satisfies ToParent);
  });
  process.on('message', (message: ToChild) => {
    if (message.type === 'answers')
      process.send?.({ type: 'answers', answers: answers.slice(message.since), apiCalls } satisfies ToParent);
    if (message.type === 'wait') {
      const found = answers.find((answer) => answer.id === message.id);
      if (found) {
        process.send?.({ type: 'answer', id: message.id, answer: found } satisfies ToParent);
        return;
      }
      waiters.set(
        message.id,
        setTimeout(() => {
          waiters.delete(message.id);
          process.send?.({ type: 'answer', id: message.id } satisfies ToParent);
        }, message.timeoutMs),
      );
    }
  });
  // The IPC channel closing means the bench is gone: no reason to outlive it.
  process.on('disconnect', () => process.exit(0));
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

if (require.main === module) serve();
