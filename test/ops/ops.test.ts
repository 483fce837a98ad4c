import { periodAt } from '../../src/jobs/period';
import { runDigest } from '../../src/digest/run';
import { DEFAULT_ACCESS_KEY_SECRET, type Sandbox } from '../../src/sandbox';
import { BOT_TOKEN, botEnv, startTestBot, tempDataDir } from '../helpers/bot-harness';
import type { FakeSlack } from '../helpers/fake-slack';
import { commandForm, postSigned, SIGNING_SECRET } from '../helpers/slack-requests';
import { useStack } from '../helpers/stack';

let sandbox: Sandbox;
let slack: FakeSlack;
useStack({ certs: 80, seed: 3 }, (stack) => ({ sandbox, slack } = stack));

const get = (port: number | undefined, path: string) => fetch(`http://127.0.0.1:${port}${path}`);

test('/healthz is live; /readyz checks store, CAS and Slack', async () => {
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir() }));
  try {
    const health = await get(bot.port, '/healthz');
    expect(health.status).toBe(200);
    const ready = await get(bot.port, '/readyz');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(body.checks).toEqual({
      store: expect.objectContaining({ ok: true }),
      cas: expect.objectContaining({ ok: true }),
      slack: expect.objectContaining({ ok: true }),
      // Informative only: a stale or missing inventory never makes the bot unready.
      inventory: expect.objectContaining({ ok: true, detail: expect.stringMatching(/synced|never synced/) }),
    });
    expect(slack.apiCalls('auth.test').length).toBeGreaterThanOrEqual(1);
  } finally {
    await bot.stop();
  }
});

test('/readyz is 503 naming CAS when CAS cannot be reached', async () => {
  sandbox.setFaults({ unavailableRate: 1 });
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir(), CAS_MAX_ATTEMPTS: '1' }));
  try {
    const ready = await get(bot.port, '/readyz');
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.checks.cas).toEqual({ ok: false, detail: 'unavailable: ServiceUnavailable' });
    expect(body.checks.store.ok).toBe(true);
  } finally {
    await bot.stop();
  }
});

test('/metrics exposes CAS calls, command latency, digest runs, queue depth and the risk gauges', async () => {
  // No background sync: its pages would still be queued when the queue depth is read.
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir(), INVENTORY_SYNC_MINUTES: '0' }));
  try {
    const res = await postSigned(
      `http://127.0.0.1:${bot.port}/slack/events`,
      commandForm({ command: '/cert-risk', text: '', user_id: 'U0USER001', response_url: slack.responseUrl('m1') }),
    );
    expect(res.status).toBe(200);
    await slack.waitForResponse('m1');
    await runDigest(bot.digestDeps, {
      period: periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date()),
      channels: ['C0AAA'],
      retryForMs: 0,
    });
    const text = await (await get(bot.port, '/metrics')).text();
    expect(text).toMatch(/certbot_cas_calls_total\{operation="GetRiskCount",outcome="ok",account="default"\} [1-9]/);
    expect(text).toMatch(/certbot_command_ack_seconds_count\{command="\/cert-risk"\} 1/);
    expect(text).toMatch(/certbot_command_answer_seconds_count\{command="\/cert-risk",outcome="ok"\} 1/);
    expect(text).toMatch(/certbot_digest_runs_total\{outcome="posted"\} 1/);
    expect(text).toMatch(/certbot_cas_limiter_queue_depth 0/);
    expect(text).toMatch(/certbot_risk_count\{kind="expired",account="default"\} [1-9]/);
    expect(text).toMatch(/certbot_health_score\{account="default"\} \d+/);
  } finally {
    await bot.stop();
  }
});

test('no secret reaches the logs when CAS and Slack calls fail', async () => {
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir(), CAS_MAX_ATTEMPTS: '1' }));
  try {
    // A failing CAS call, answered to the user.
    sandbox.failNext(1, { status: 403, code: 'Forbidden.RAM', message: 'denied' });
    await postSigned(
      `http://127.0.0.1:${bot.port}/slack/events`,
      commandForm({ command: '/cert-risk', text: '', user_id: 'U0USER001', response_url: slack.responseUrl('s1') }),
    );
    await slack.waitForResponse('s1');
    // A failing response_url (expired) and a failing Web API call.
    await postSigned(
      `http://127.0.0.1:${bot.port}/slack/events`,
      commandForm({
        command: '/cert-status',
        text: 'ABCDEF',
        user_id: 'U0USER001',
        response_url: `http://127.0.0.1:${slack.port}/nowhere/secret-hook-path`,
      }),
    );
    slack.script('chat.postMessage', { status: 200, body: { ok: false, error: 'invalid_auth' } });
    await runDigest(bot.digestDeps, {
      period: periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date()),
      channels: ['C0AAA'],
      retryForMs: 0,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logs = bot.logs.text();
    expect(logs).toContain('Forbidden.RAM');
    expect(logs).toContain('invalid_auth');
    expect(logs).toContain('could not answer through response_url');
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, DEFAULT_ACCESS_KEY_SECRET, 'secret-hook-path'])
      expect(logs).not.toContain(secret);
  } finally {
    await bot.stop();
  }
});

test('stop waits for an answer in flight, then closes', async () => {
  sandbox.setFaults({ latencyMs: 800 });
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir() }));
  const res = await postSigned(
    `http://127.0.0.1:${bot.port}/slack/events`,
    commandForm({ command: '/cert-risk', text: '', user_id: 'U0USER001', response_url: slack.responseUrl('d1') }),
  );
  expect(res.status).toBe(200);
  await bot.stop();
  expect(slack.responses('d1')).toHaveLength(1);
  await expect(get(bot.port, '/healthz')).rejects.toThrow();
});
