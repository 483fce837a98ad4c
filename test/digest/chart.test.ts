import { PNG } from 'pngjs';
import { digestChartClaimKey, digestClaimKey, DIGEST_CHART_FILENAME, runDigest } from '../../src/digest/run';
import { periodAt, periodsBefore } from '../../src/jobs/period';
import { TREND_CHART_SIZE } from '../../src/render/trend-chart';
import type { Sandbox } from '../../src/sandbox';
import type { Store } from '../../src/store/types';
import { visibleText } from '../helpers/app-harness';
import { botEnv, startTestBot, tempDataDir } from '../helpers/bot-harness';
import type { FakeSlack } from '../helpers/fake-slack';
import { useStack } from '../helpers/stack';

/** The weekly digest's trend chart, through the real app: uploaded once into the digest's thread. */
let sandbox: Sandbox;
let slack: FakeSlack;
useStack({ certs: 60, seed: 5 }, (stack) => ({ sandbox, slack } = stack));

const trigger = { cron: '0 9 * * 1', timezone: 'UTC' };
const posts = (channel: string) =>
  slack
    .apiCalls('chat.postMessage')
    .filter((c) => String(c.body.metadata ?? '').includes('cert_bot_digest') && c.body.channel === channel);

/** Last week's digest, as the store would have kept it. */
async function seedLastWeek(store: Store): Promise<void> {
  const [last] = periodsBefore(trigger, new Date(), 1);
  await store.snapshots.saveSnapshot({
    period: last.key,
    takenAt: last.start,
    point: 60,
    risks: { expired: 2, expiring: 5, stale: 1 },
    totalRisk: 7,
  });
}

test('with a week of history the digest is posted once and its chart uploaded once, in its thread', async () => {
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir() }));
  try {
    await seedLastWeek(bot.store);
    const period = periodAt(trigger, new Date());
    const [outcome] = await runDigest(bot.digestDeps, { period, channels: ['C0AAA'], retryForMs: 0 });
    expect(outcome).toMatchObject({ status: 'posted', chart: 'uploaded' });

    expect(posts('C0AAA')).toHaveLength(1);
    const digest = posts('C0AAA')[0];
    expect(visibleText(digest.body as { blocks: unknown[] })).toContain('compared with the digest of');
    // files.uploadV2: the upload URL, the bytes, then the completion, all after the digest.
    const [getUrl] = slack.apiCalls('files.getUploadURLExternal');
    const [complete] = slack.apiCalls('files.completeUploadExternal');
    expect(slack.apiCalls('files.getUploadURLExternal')).toHaveLength(1);
    expect(slack.apiCalls('files.completeUploadExternal')).toHaveLength(1);
    expect(getUrl.at).toBeGreaterThanOrEqual(digest.at);
    expect(getUrl.body.filename).toBe(DIGEST_CHART_FILENAME);
    expect(complete.body).toMatchObject({ channel_id: 'C0AAA', thread_ts: outcome.messageTs });

    const files = slack.filesIn('C0AAA', outcome.messageTs);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({
      name: DIGEST_CHART_FILENAME,
      title: expect.stringContaining('Certificate trend'),
    });
    const png = PNG.sync.read(files[0].bytes);
    expect({ width: png.width, height: png.height }).toEqual(TREND_CHART_SIZE);

    const claim = await bot.store.claims.get(digestChartClaimKey('C0AAA', period.key));
    expect(claim).toMatchObject({ status: 'uploaded', result: { threadTs: outcome.messageTs } });

    // The same period again: the digest is skipped, and so is the chart.
    const [again] = await runDigest(bot.digestDeps, { period, channels: ['C0AAA'], retryForMs: 0 });
    expect(again.status).toBe('skipped');
    expect(posts('C0AAA')).toHaveLength(1);
    expect(slack.files).toHaveLength(1);
  } finally {
    await bot.stop();
  }
});

test('two replicas on one store: one digest and one chart per channel', async () => {
  const env = botEnv(sandbox, slack, { DATA_DIR: tempDataDir() });
  const [a, b] = await Promise.all([startTestBot(env), startTestBot(env)]);
  try {
    await seedLastWeek(a.store);
    const period = periodAt(trigger, new Date());
    const options = { period, channels: ['C0AAA', 'C0BBB'], retryForMs: 0 };
    await Promise.all([runDigest(a.digestDeps, options), runDigest(b.digestDeps, options)]);
    for (const channel of ['C0AAA', 'C0BBB']) {
      expect(posts(channel)).toHaveLength(1);
      expect(slack.filesIn(channel)).toHaveLength(1);
    }
    expect(slack.apiCalls('files.getUploadURLExternal')).toHaveLength(2);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('the first digest has no chart and says the trend starts next week', async () => {
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir() }));
  try {
    const period = periodAt(trigger, new Date());
    const [outcome] = await runDigest(bot.digestDeps, { period, channels: ['C0AAA'], retryForMs: 0 });
    expect(outcome.status).toBe('posted');
    expect(outcome.chart).toBeUndefined();
    expect(visibleText(posts('C0AAA')[0].body as { blocks: unknown[] })).toContain('trend from next week');
    expect(slack.apiCalls('files.getUploadURLExternal')).toHaveLength(0);
    expect(await bot.store.claims.get(digestChartClaimKey('C0AAA', period.key))).toBeUndefined();
  } finally {
    await bot.stop();
  }
});

test('an upload refused with missing_scope: the digest stands, the fix is logged once, the chart is not tried again', async () => {
  slack.script('files.getUploadURLExternal', {
    status: 200,
    body: { ok: false, error: 'missing_scope', needed: 'files:write', provided: 'chat:write' },
  });
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir() }));
  try {
    await seedLastWeek(bot.store);
    const period = periodAt(trigger, new Date());
    const [outcome] = await runDigest(bot.digestDeps, { period, channels: ['C0AAA'], retryForMs: 0 });
    expect(outcome).toMatchObject({ status: 'posted', chart: 'failed' });
    expect(posts('C0AAA')).toHaveLength(1);
    expect(await bot.store.claims.get(digestClaimKey('C0AAA', period.key))).toMatchObject({ status: 'posted' });
    expect(await bot.store.claims.get(digestChartClaimKey('C0AAA', period.key))).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('files:write'),
    });
    const failures = () => bot.logs.lines.filter((l) => l.includes('digest chart could not be uploaded'));
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toContain('missing_scope');
    expect(failures()[0]).toContain('add the files:write scope');

    // A takeover of the same period (its digest claim given back): the digest is found in the
    // channel and recorded, and the chart, already given up on, is not tried again.
    const key = digestClaimKey('C0AAA', period.key);
    await bot.store.claims.claim({ ...key, holder: 'other:1', now: new Date(), leaseMs: 60_000, force: true });
    await bot.store.claims.release(key, 'other:1');
    const [retry] = await runDigest(bot.digestDeps, { period, channels: ['C0AAA'], retryForMs: 0 });
    expect(retry).toMatchObject({ status: 'posted', chart: 'done' });
    expect(posts('C0AAA')).toHaveLength(1);
    expect(slack.apiCalls('files.getUploadURLExternal')).toHaveLength(1);
    expect(failures()).toHaveLength(1);
  } finally {
    await bot.stop();
  }
});

test('Slack unreachable for the upload: the digest stands and the failure is recorded', async () => {
  // The upload URL points nowhere: the bytes cannot be sent.
  slack.script('files.getUploadURLExternal', {
    status: 200,
    body: { ok: true, upload_url: 'http://127.0.0.1:9/upload/F0NOWHERE', file_id: 'F0NOWHERE' },
  });
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir() }), undefined, { slackRetries: 0 });
  try {
    await seedLastWeek(bot.store);
    const period = periodAt(trigger, new Date());
    const [outcome] = await runDigest(bot.digestDeps, { period, channels: ['C0AAA'], retryForMs: 0 });
    expect(outcome).toMatchObject({ status: 'posted', chart: 'failed' });
    expect(slack.apiCalls('files.completeUploadExternal')).toHaveLength(0);
    expect(await bot.store.claims.get(digestChartClaimKey('C0AAA', period.key))).toMatchObject({ status: 'failed' });
    expect(bot.logs.lines.filter((l) => l.includes('digest chart could not be uploaded'))).toHaveLength(1);
  } finally {
    await bot.stop();
  }
});
