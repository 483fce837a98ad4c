import { registerListeners } from './listeners';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type CustomRoute, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { boltLogger } from './bolt-logger';
import { createAnswerGate } from './answer-gate';
import type { SlackDeps } from './deps';

export interface SlackAppSettings {
  botToken: string;
  /** HTTP mode: verifies every request. */
  signingSecret?: string;
  /** Set: Socket Mode. */
  appToken?: string;
  /** Web API base URL override (tests, GovSlack). */
  apiUrl?: string;
  /** HTTP port (HTTP mode: Slack requests and routes; Socket Mode: routes only). 0 = any free port. */
  port: number;
  /** Extra HTTP routes such as /healthz and /metrics, served in both modes. */
  routes?: CustomRoute[];
  /** Web API retries (default: the client's own policy); 0 makes a failing Slack answer at once. */
  webApiRetries?: number;
  /** Skip Bolt's auth.test at construction when the bot's IDs are known (tests, benchmarks). */
  botIdentity?: { botId: string; botUserId: string };
}

export interface SlackApp {
  app: App;
  /** Starts serving; resolves with the HTTP port actually bound. */
  start(): Promise<{ port: number | undefined }>;
  stop(): Promise<void>;
}

export const SLACK_EVENTS_PATH = '/slack/events';

export function createSlackApp(settings: SlackAppSettings, deps: SlackDeps): SlackApp {
  const logger = boltLogger(deps.logger);
  const routes = settings.routes ?? [];
  const socketMode = Boolean(settings.appToken);
  const clientOptions = {
    slackApiUrl: settings.apiUrl,
    ...(settings.webApiRetries !== undefined ? { retryConfig: { retries: settings.webApiRetries } } : {}),
  };
  const receiver = socketMode
    ? new SocketModeReceiver({
        appToken: settings.appToken as string,
        logger,
        customRoutes: routes,
        // The Socket Mode client has its own Web API client (apps.connections.open): give it
        // the same base URL and retry policy as the app's.
        installerOptions: { port: settings.port, clientOptions },
      })
    : new HTTPReceiver({
        signingSecret: settings.signingSecret as string,
        endpoints: SLACK_EVENTS_PATH,
        logger,
        customRoutes: routes,
        // Ack first, then work: every handler answers through response_url after its ack.
        processBeforeResponse: false,
      });

  const app = new App({
    token: settings.botToken,
    receiver,
    logger,
    ...(settings.botIdentity ?? {}),
    clientOptions,
  });

  // Every request is noted before its handler runs, so answer work yields to acknowledgements.
  const handlerDeps: SlackDeps = { ...deps, answerGate: deps.answerGate ?? createAnswerGate() };
  const gate = handlerDeps.answerGate;
  app.use(async ({ next }) => {
    gate?.requestArrived();
    await next();
  });

  app.error(async (error) => {
    deps.logger.error({ err: { name: error.name, code: error.code, message: error.message } }, 'unhandled Slack error');
  });

  registerListeners(app, handlerDeps);

  let started = false;
  // Socket Mode's routes server: private in Bolt's types.
  const routesServer = socketMode ? (receiver as unknown as { httpServer?: Server }).httpServer : undefined;
  return {
    app,
    async start() {
      try {
        if (socketMode) {
          // Socket Mode's receiver listens for the routes without waiting or handling an error:
          // a port in use would end the process. Waited for here, it rejects start() instead.
          const listening =
            routesServer &&
            new Promise<void>((resolve, reject) => {
              routesServer.once('listening', () => resolve());
              routesServer.once('error', reject);
            });
          await Promise.all([app.start(), listening]);
          started = true;
          return { port: routes.length > 0 ? settings.port : undefined };
        }
        const server = (await app.start(settings.port)) as Server;
        started = true;
        return { port: (server.address() as AddressInfo).port };
      } catch (error) {
        // Whatever did start (a Socket Mode connection, a routes server) must not keep the process.
        if (routesServer && !routesServer.listening)
          // Bolt's stop would log an error for the server that never listened: only the connection is left.
          void (receiver as SocketModeReceiver).client.disconnect().catch(() => undefined);
        else await app.stop().catch(() => undefined);
        throw error;
      }
    },
    async stop() {
      // A receiver that never started cannot be stopped (Bolt rejects): nothing to do.
      if (!started) return;
      started = false;
      await app.stop();
    },
  };
}
