import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './metrics';
import type { Readiness } from './readiness';

/** An HTTP route served beside the Slack endpoint (Bolt's custom routes have this shape). */
export interface HttpRoute {
  path: string;
  method: string | string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** Liveness, readiness and metrics, served beside /slack/events (and in Socket Mode on PORT). */
export function opsRoutes(input: { metrics: Metrics; readiness: Readiness }): HttpRoute[] {
  return [
    {
      path: HEALTH_PATH,
      method: ['GET', 'HEAD'],
      handler: (_req, res) => send(res, 200, 'application/json', JSON.stringify({ status: 'ok' })),
    },
    {
      path: READY_PATH,
      method: ['GET'],
      handler: (_req, res) => {
        input.readiness
          .check()
          .then(({ ready, checks }) =>
            send(
              res,
              ready ? 200 : 503,
              'application/json',
              JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }),
            ),
          )
          .catch(() => send(res, 503, 'application/json', JSON.stringify({ status: 'not ready' })));
      },
    },
    {
      path: METRICS_PATH,
      method: ['GET'],
      handler: (_req, res) => {
        input.metrics
          .render()
          .then((body) => send(res, 200, input.metrics.registry.contentType, body))
          .catch(() => send(res, 500, 'text/plain', 'metrics unavailable\n'));
      },
    },
  ];
}
