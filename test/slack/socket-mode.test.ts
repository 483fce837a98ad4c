import { WebSocketServer, type WebSocket } from 'ws';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { visibleText } from '../helpers/app-harness';
import { botEnv, startTestBot, tempDataDir } from '../helpers/bot-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { freePort } from '../helpers/free-port';

let sandbox: Sandbox;
let slack: FakeSlack;
let wss: WebSocketServer;
let socket: Promise<WebSocket>;
const received: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 60, seed: 4, qps: 100 });
  slack = await new FakeSlack().start();
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const wsPort = (wss.address() as { port: number }).port;
  // Slack's side of Socket Mode: apps.connections.open hands out the WebSocket URL, then hello.
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

test('Socket Mode: commands arrive over the WebSocket, are acked, answered, and /healthz is served on PORT', async () => {
  const port = await freePort();
  const env = botEnv(sandbox, slack, { DATA_DIR: tempDataDir(), PORT: String(port), SLACK_APP_TOKEN: 'xapp-1-test' });
  delete env.SLACK_SIGNING_SECRET;
  const bot = await startTestBot(env);
  try {
    const ws = await socket;
    ws.send(
      JSON.stringify({
        type: 'slash_commands',
        envelope_id: 'env-1',
        accepts_response_payload: true,
        payload: {
          team_id: 'T0TEST',
          channel_id: 'C0GENERAL',
          user_id: 'U0USER001',
          command: '/cert-risk',
          text: '',
          response_url: slack.responseUrl('sock1'),
          trigger_id: 't1',
          api_app_id: 'A0CERTBOT',
        },
      }),
    );
    const answer = await slack.waitForResponse('sock1');
    expect(visibleText(answer.body as { blocks: unknown[] })).toContain('Health score');
    expect(received).toContainEqual(expect.objectContaining({ envelope_id: 'env-1' }));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  } finally {
    await bot.stop();
  }
});
