import { WebSocketServer, type WebSocket } from 'ws';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { type HomeViewJson, visibleText } from '../helpers/app-harness';
import { botEnv, startTestBot, tempDataDir } from '../helpers/bot-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { freePort } from '../helpers/free-port';
import { appHomeOpened } from '../helpers/slack-requests';

/** App Home in Socket Mode: the same `app_home_opened` event, delivered over the WebSocket. */
let sandbox: Sandbox;
let slack: FakeSlack;
let wss: WebSocketServer;
let socket: Promise<WebSocket>;
const received: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 40, seed: 5, qps: 100 });
  slack = await new FakeSlack().start();
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const wsPort = (wss.address() as { port: number }).port;
  slack.script('apps.connections.open', { status: 200, body: { ok: true, url: `ws://127.0.0.1:${wsPort}/link` } });
  socket = new Promise((resolve) =>
    wss.once('connection', (ws) => {
      ws.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0CERTBOT' } }));
      resolve(ws);
    }),
  );
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
  await slack.stop();
  await sandbox.close();
});

test('Socket Mode: app_home_opened is acked over the socket and the Home view published', async () => {
  const env = botEnv(sandbox, slack, {
    DATA_DIR: tempDataDir(),
    PORT: String(await freePort()),
    SLACK_APP_TOKEN: 'xapp-1-test',
  });
  delete env.SLACK_SIGNING_SECRET;
  const bot = await startTestBot(env);
  try {
    await bot.services.syncNow();
    const ws = await socket;
    ws.send(
      JSON.stringify({
        type: 'events_api',
        envelope_id: 'env-home-1',
        accepts_response_payload: false,
        retry_attempt: 0,
        retry_reason: '',
        payload: appHomeOpened('U0SOCKET1'),
      }),
    );
    const published = await slack.waitFor((c) => c.name === 'views.publish' && c.body.user_id === 'U0SOCKET1');
    const view = published.body.view as HomeViewJson;
    expect(view.type).toBe('home');
    expect(visibleText(view)).toContain('*Health score:*');
    expect(received).toContainEqual(expect.objectContaining({ envelope_id: 'env-home-1' }));
  } finally {
    await bot.stop();
  }
});
