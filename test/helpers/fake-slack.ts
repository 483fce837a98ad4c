import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received: a Web API method call, a response_url post or a file upload. */
export interface FakeSlackCall {
  kind: 'api' | 'response' | 'upload';
  /** Web API method (e.g. chat.postMessage) or response_url id. */
  name: string;
  body: Record<string, unknown>;
  at: number;
}

export type ScriptedAnswer =
  | { status: number; headers?: Record<string, string>; body: unknown }
  | ((body: Record<string, unknown>) => { status: number; headers?: Record<string, string>; body: unknown });

/**
 * A local stand-in for Slack: the Web API methods the bot calls (auth.test, chat.postMessage,
 * chat.update, views.publish/open/push) and a response_url sink. Web API bodies arrive form-encoded with JSON inside
 * (blocks); response_url bodies arrive as JSON, as Bolt's respond() sends them.
 */
export class FakeSlack {
  readonly calls: FakeSlackCall[] = [];
  private readonly scripted = new Map<string, ScriptedAnswer[]>();
  private readonly waiters: Array<{ test: (c: FakeSlackCall) => boolean; resolve: (c: FakeSlackCall) => void }> = [];
  private server?: http.Server;
  // Message ts are seconds since the epoch, as Slack's are, so `oldest` filters work on real time.
  private ts = Math.floor(Date.now() / 1000);
  /** Messages accepted per channel, newest last, as conversations.history returns them. */
  private readonly history = new Map<string, Array<{ ts: string; text?: unknown; metadata?: unknown }>>();
  /** Methods whose next calls are accepted (a message is stored) but never answered. */
  private readonly held = new Map<string, number>();
  /** Bytes posted to an upload_url (files.uploadV2's second step), by file id. */
  private readonly uploaded = new Map<string, { filename: string; bytes: Buffer }>();
  private fileCounter = 0;
  /** Files shared by files.completeUploadExternal, oldest first, with their bytes when they were uploaded. */
  readonly files: FakeSlackFile[] = [];
  /** Scopes auth.test reports in its x-oauth-scopes header, as Slack does; unset: no such header. */
  grantedScopes?: string[];
  /** conversations.info answers by channel ID (see `setChannel`). */
  private readonly channelInfo = new Map<string, FakeChannel | { error: string }>();
  port = 0;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  /**
   * The next `count` calls of a method are carried out (a posted message is stored) but never
   * answered: the caller sees a request that hangs, as when Slack accepted it and the answer
   * was lost, or the caller died waiting.
   */
  hold(method: string, count = 1): void {
    this.held.set(method, (this.held.get(method) ?? 0) + count);
  }

  /**
   * What conversations.info answers for a channel from now on: its fields (is_member,
   * is_archived...), or `{ error }` such as channel_not_found. Other channels get the default answer.
   */
  setChannel(id: string, info: FakeChannel | { error: string }): void {
    this.channelInfo.set(id, info);
  }

  /** The next answers for a method, used before the default one. */
  script(method: string, ...answers: ScriptedAnswer[]): void {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), ...answers]);
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        // An upload's bytes are binary: read before any text decoding.
        if (req.url?.startsWith('/upload/')) void this.handleUpload(req, res, raw);
        else this.handle(req, res, raw.toString('utf8'));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  apiCalls(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.kind === 'api' && c.name === method);
  }

  /** The upload_url the fake hands out for a file (files.getUploadURLExternal). */
  uploadUrl(fileId: string): string {
    return `http://127.0.0.1:${this.port}/upload/${fileId}`;
  }

  /** Files shared in a channel (or in one thread of it), oldest first. */
  filesIn(channel: string, threadTs?: string): FakeSlackFile[] {
    return this.files.filter((f) => f.channel_id === channel && (threadTs === undefined || f.thread_ts === threadTs));
  }

  responses(id: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.kind === 'response' && c.name === id);
  }

  /** Resolves with the first call (already made or future) that passes `test`. */
  waitFor(test: (c: FakeSlackCall) => boolean, timeoutMs = 10_000): Promise<FakeSlackCall> {
    const found = this.calls.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a Slack call')), timeoutMs);
      this.waiters.push({
        test,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      });
    });
  }

  waitForResponse(id: string, index = 0, timeoutMs?: number): Promise<FakeSlackCall> {
    return this.waitFor(
      (c) => c.kind === 'response' && c.name === id && this.responses(id).indexOf(c) === index,
      timeoutMs,
    );
  }

  private record(call: FakeSlackCall): void {
    this.calls.push(call);
    for (const waiter of [...this.waiters]) {
      if (waiter.test(call)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(call);
      }
    }
  }

  private store(body: Record<string, unknown>): string {
    const ts = `${this.ts++}.000100`;
    const channel = String(body.channel);
    const metadata = typeof body.metadata === 'string' ? JSON.parse(body.metadata) : body.metadata;
    this.history.set(channel, [...(this.history.get(channel) ?? []), { ts, text: body.text, metadata }]);
    return ts;
  }

  /**
   * files.uploadV2's second step: the bytes POSTed to the upload_url, as multipart form data
   * (the web client sends the file as one form field) or as the raw body.
   */
  private async handleUpload(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const fileId = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.slice('/upload/'.length);
    const contentType = String(req.headers['content-type'] ?? '');
    let bytes = raw;
    let filename = '';
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      for (const value of form.values()) {
        if (typeof value !== 'string') {
          bytes = Buffer.from(await value.arrayBuffer());
          filename = value.name;
        }
      }
    }
    const known = this.uploaded.get(fileId);
    this.uploaded.set(fileId, { filename: known?.filename ?? filename, bytes });
    this.record({ kind: 'upload', name: fileId, body: { filename, length: bytes.length }, at: Date.now() });
    res.writeHead(known ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(known ? `OK - ${bytes.length}` : 'unknown upload');
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/response/')) {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      this.record({ kind: 'response', name: url.pathname.slice('/response/'.length), body, at: Date.now() });
      send(200, { ok: true });
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      send(404, { ok: false, error: 'unknown_path' });
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const body = parseApiBody(raw, req.headers['content-type']);
    this.record({ kind: 'api', name: method, body, at: Date.now() });
    const queue = this.scripted.get(method);
    const next = queue?.shift();
    if (next) {
      const answer = typeof next === 'function' ? next(body) : next;
      send(answer.status, answer.body, answer.headers);
      return;
    }
    const held = this.held.get(method) ?? 0;
    if (held > 0) {
      this.held.set(method, held - 1);
      if (method === 'chat.postMessage') this.store(body);
      return; // never answered
    }
    switch (method) {
      case 'conversations.history': {
        const messages = [...(this.history.get(String(body.channel)) ?? [])].reverse();
        const oldest = Number(body.oldest ?? 0);
        const withMetadata = String(body.include_all_metadata) === 'true';
        send(200, {
          ok: true,
          messages: messages
            .filter((m) => Number(m.ts) >= oldest)
            .map((m) => (withMetadata ? m : { ts: m.ts, text: m.text })),
          has_more: false,
        });
        return;
      }
      case 'auth.test':
        send(
          200,
          {
            ok: true,
            url: 'https://example.slack.com/',
            team: 'Example',
            user: 'certbot',
            team_id: 'T0TEST',
            user_id: 'U0BOT',
            bot_id: 'B0BOT',
          },
          this.grantedScopes ? { 'x-oauth-scopes': this.grantedScopes.join(',') } : {},
        );
        return;
      case 'conversations.info': {
        const info = this.channelInfo.get(String(body.channel));
        if (info === undefined) send(200, { ok: true });
        else if ('error' in info) send(200, { ok: false, error: info.error });
        else send(200, { ok: true, channel: { id: String(body.channel), ...info } });
        return;
      }
      case 'chat.postMessage':
        send(200, { ok: true, channel: body.channel, ts: this.store(body), message: { text: body.text } });
        return;
      case 'chat.update':
        send(200, { ok: true, channel: body.channel, ts: `${this.ts++}.000100`, message: { text: body.text } });
        return;
      // App Home and modals: the view comes back with an id, as Slack answers.
      case 'views.publish':
      case 'views.open':
      case 'views.push':
      case 'views.update':
        send(200, { ok: true, view: { ...(body.view as Record<string, unknown>), id: `V${this.ts++}` } });
        return;
      case 'files.getUploadURLExternal': {
        const fileId = `F0FAKE${String(++this.fileCounter).padStart(4, '0')}`;
        this.uploaded.set(fileId, { filename: String(body.filename ?? ''), bytes: Buffer.alloc(0) });
        send(200, { ok: true, upload_url: this.uploadUrl(fileId), file_id: fileId });
        return;
      }
      case 'files.completeUploadExternal': {
        const listed = (typeof body.files === 'string' ? JSON.parse(body.files) : body.files) as Array<{
          id: string;
          title?: string;
        }>;
        const shared = listed.map((f) => {
          const upload = this.uploaded.get(f.id);
          const file: FakeSlackFile = {
            id: f.id,
            title: f.title,
            name: upload?.filename ?? '',
            channel_id: body.channel_id === undefined ? undefined : String(body.channel_id),
            thread_ts: body.thread_ts === undefined ? undefined : String(body.thread_ts),
            initial_comment: body.initial_comment === undefined ? undefined : String(body.initial_comment),
            bytes: upload?.bytes ?? Buffer.alloc(0),
          };
          this.files.push(file);
          return file;
        });
        send(200, { ok: true, files: shared.map((f) => ({ id: f.id, name: f.name, title: f.title })) });
        return;
      }
      case 'conversations.replies': {
        // The thread's file shares, as Slack lists them under the parent message.
        const inThread = this.filesIn(String(body.channel), String(body.ts));
        send(200, {
          ok: true,
          messages: [
            { ts: String(body.ts) },
            ...inThread.map((f) => ({
              ts: String(body.ts),
              thread_ts: String(body.ts),
              files: [{ id: f.id, name: f.name }],
            })),
          ],
          has_more: false,
        });
        return;
      }
      default:
        send(200, { ok: true });
    }
  }
}

/** A channel as conversations.info describes it (the fields the bot reads). */
export interface FakeChannel {
  name: string;
  is_member?: boolean;
  is_archived?: boolean;
  is_private?: boolean;
  is_im?: boolean;
}

/** A file files.completeUploadExternal shared, with the bytes posted to its upload_url. */
export interface FakeSlackFile {
  id: string;
  name: string;
  title?: string;
  channel_id?: string;
  thread_ts?: string;
  initial_comment?: string;
  bytes: Buffer;
}

function parseApiBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const params = new URLSearchParams(raw);
  const body: Record<string, unknown> = {};
  for (const [key, value] of params) {
    body[key] = key === 'blocks' || key === 'attachments' || key === 'view' ? JSON.parse(value) : value;
  }
  return body;
}
