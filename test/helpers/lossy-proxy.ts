import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of the fake Slack that loses answers the way a network
 * does: a call is carried out by Slack and its answer never arrives (the connection is reset),
 * or Slack cannot be reached at all for a while (every connection reset before it is forwarded).
 */
export class LossyProxy {
  private server?: http.Server;
  private readonly drops = new Map<string, number>();
  private downUntil = 0;
  /** Web API methods forwarded, in order, with what became of each. */
  readonly log: Array<{ method: string; fate: 'answered' | 'answer-lost' | 'unreachable' }> = [];
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** The next `count` calls of `method` reach Slack, and their answers are lost (connection reset). */
  dropAnswer(method: string, count = 1): void {
    this.drops.set(method, (this.drops.get(method) ?? 0) + count);
  }

  /** For the next `ms`, every call fails as an unreachable Slack makes it fail: reset, never forwarded. */
  unreachableFor(ms: number): void {
    this.downUntil = Date.now() + ms;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      if (Date.now() < this.downUntil) {
        this.log.push({ method, fate: 'unreachable' });
        req.socket.destroy();
        return;
      }
      const upstream = http.request(
        { host: '127.0.0.1', port: this.upstreamPort, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          const dropped = this.drops.get(method) ?? 0;
          if (dropped > 0) {
            // Slack has carried the call out; its answer dies on the way back.
            this.drops.set(method, dropped - 1);
            this.log.push({ method, fate: 'answer-lost' });
            answer.resume();
            req.socket.destroy();
            return;
          }
          this.log.push({ method, fate: 'answered' });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
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
}
