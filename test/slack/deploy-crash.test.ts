import type { ChildProcess } from 'node:child_process';
import { connectDeployments, type DeploymentControl, type Sandbox, startSandbox } from '../../src/sandbox';
import { openSqliteStore } from '../../src/store/sqlite-store';
import type { DeploymentRequest } from '../../src/domain/deployment-request';
import { ADMIN, buttons, OTHER_ADMIN, USER, visibleText } from '../helpers/app-harness';
import { botEnv, establishedStore, eventually, spawnBot, tempDataDir } from '../helpers/bot-harness';
import { FakeSlack, type FakeSlackCall } from '../helpers/fake-slack';
import { freePort } from '../helpers/free-port';
import { addStaleRenewal, type StaleRenewal } from '../helpers/renewal';
import { buttonForm, commandForm, postSigned, viewSubmissionForm } from '../helpers/slack-requests';

/**
 * A deployment survives its process being killed (SIGKILL: no orderly stop) at the two moments
 * that matter: right after CAS created the job but before the bot wrote down that it had, and
 * while the job runs. The bot is a child process serving HTTP, driven with signed Slack requests;
 * the CAS simulator and the fake Slack live in the test process and outlive it; the restart opens
 * the same SQLite data folder.
 */

const CHANNEL = 'C0GENERAL';
const NAME = 'crash.deploy.example.com';
/**
 * The per-request lease: well beyond the held CreateDeploymentJob answer (and the reads before
 * it, on a loaded machine), so the dying process's own tracker never takes the step over.
 */
const LEASE_MS = 8_000;
const HOLD_MS = 2_500;

let sandbox: Sandbox;
let slack: FakeSlack;
let control: DeploymentControl;
const children: ChildProcess[] = [];

beforeEach(async () => {
  sandbox = await startSandbox({ certs: 30, seed: 11, qps: 100 });
  slack = await new FakeSlack().start();
  control = connectDeployments(sandbox.url);
});
afterEach(async () => {
  for (const child of children.splice(0)) await kill(child, 'SIGTERM');
  await slack.stop();
  await sandbox.close();
});

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

interface Bot {
  child: ChildProcess;
  url: string;
}

/** `serve` in a child process on its own port; resolves once it answers /healthz. */
async function startBot(base: Record<string, string>): Promise<Bot> {
  const port = await freePort();
  const child = spawnBot({ ...base, PORT: String(port) }, { deployTrackMs: 200, deployLeaseMs: LEASE_MS });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null)
      throw new Error(`the bot exited: ${(child as unknown as { errorOutput: string }).errorOutput}`);
    return (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200;
  }, 20_000);
  return { child, url: `${url}/slack/events` };
}

async function environment(): Promise<{ env: Record<string, string>; stale: StaleRenewal; dataDir: string }> {
  const dataDir = tempDataDir();
  const env = botEnv(sandbox, slack, {
    DATA_DIR: dataDir,
    DEPLOY_ENABLED: 'true',
    DEPLOY_APPROVERS: [ADMIN, OTHER_ADMIN].join(','),
    DEPLOY_CHANNELS: CHANNEL,
    // Longer than the held answer: the bot waits for it (and is killed meanwhile), it does not time out.
    CAS_TIMEOUT_MS: '10000',
    LOG_LEVEL: 'info',
    // No live probing: the names are in no DNS (the probe after a job has its own tests).
    PROBE_INTERVAL_MINUTES: '0',
  });
  const stale = addStaleRenewal(sandbox, NAME, [
    { product: 'SLB', region: 'cn-hangzhou', instanceId: 'lb-bp1crash00001', listenerPort: 443 },
    { product: 'CDN', domain: NAME },
  ]);
  // The inventory synced once, as a running bot's store is.
  await establishedStore(env);
  return { env, stale, dataDir };
}

type View = { callback_id?: string; private_metadata?: string; blocks: Array<Record<string, unknown>> };

/** /cert-deploy, the modal submitted as shown, the request posted: its Approve value. */
async function requestDeployment(bot: Bot, oldId: number): Promise<string> {
  const opened = slack.apiCalls('views.update').length;
  await postSigned(
    bot.url,
    commandForm({
      command: '/cert-deploy',
      text: String(oldId),
      user_id: USER,
      response_url: slack.responseUrl('cmd'),
    }),
  );
  await slack.waitFor(() => slack.apiCalls('views.update').length > opened, 15_000);
  const view = slack.apiCalls('views.update')[opened].body.view as unknown as View;
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    if (block.type !== 'input') continue;
    const element = block.element as { type: string; action_id: string; initial_options?: unknown[] };
    values[String(block.block_id)] =
      element.type === 'checkboxes'
        ? { [element.action_id]: { type: 'checkboxes', selected_options: element.initial_options ?? [] } }
        : { [element.action_id]: { type: 'plain_text_input', value: '' } };
  }
  const submitted = await postSigned(
    bot.url,
    viewSubmissionForm({
      callbackId: String(view.callback_id),
      privateMetadata: String(view.private_metadata),
      userId: USER,
      values,
    }),
  );
  expect(submitted.status).toBe(200);
  const post = await slack.waitFor(
    (c) =>
      c.kind === 'api' &&
      c.name === 'chat.postMessage' &&
      c.body.channel === CHANNEL &&
      String(c.body.text).startsWith('Deployment request'),
    15_000,
  );
  const approve = buttons(post.body as { blocks: unknown[] }).find((b) => b.text === 'Approve');
  return String(approve?.value);
}

/** The stored request (read from the SQLite file the bot writes). */
async function storedRequest(dataDir: string): Promise<DeploymentRequest | undefined> {
  const store = openSqliteStore(dataDir);
  try {
    const [request] = await store.deployments.list([
      'requested',
      'approved',
      'creating',
      'created',
      'started',
      'tracking',
      'succeeded',
      'failed',
    ]);
    return request;
  } finally {
    await store.close();
  }
}

const casCalls = (action: string) => sandbox.calls.filter((c) => c.action === action);
const text = (call: FakeSlackCall) => visibleText(call.body as { blocks: unknown[] });
const requestUpdates = () =>
  slack.apiCalls('chat.update').filter((c) => c.body.channel === CHANNEL && text(c).includes('Deployment request'));

test('SIGKILL after CAS created the job and before the bot recorded it: the restarted bot finds it, makes no second one, tracks it to Deployed; a replayed Approve changes nothing', async () => {
  const { env, stale, dataDir } = await environment();
  await control.configure({ workerDurationMs: 300, holdCreateAnswerMs: HOLD_MS });
  const first = await startBot(env);
  const value = await requestDeployment(first, stale.old.certificateId);

  const approve = buttonForm({
    actionId: 'cert_deploy_approve',
    value,
    userId: OTHER_ADMIN,
    responseUrl: slack.responseUrl('approve'),
  });
  // Not awaited: its process dies before it answers.
  void postSigned(first.url, approve).catch(() => undefined);
  await eventually(async () => (await control.state()).jobs.length === 1, 15_000);
  await kill(first.child, 'SIGKILL');

  // Killed in the window: CAS has the job, the store does not know it.
  const [job] = (await control.state()).jobs;
  expect(job.name).toContain(`certbot-${stale.old.certificateId}-to-${stale.renewed.certificateId}-`);
  const orphaned = await storedRequest(dataDir);
  expect(orphaned?.state).toBe('creating');
  expect(orphaned?.jobId).toBeUndefined();
  expect(casCalls('CreateDeploymentJob')).toHaveLength(1);

  await control.configure({ holdCreateAnswerMs: 0 });
  const restarted = await startBot(env);
  await slack.waitFor(
    (c) =>
      c.kind === 'api' &&
      c.name === 'chat.update' &&
      c.body.channel === CHANNEL &&
      /Deployed\.[\s\S]*No resource serves/.test(text(c)),
    30_000,
  );
  const done = requestUpdates().at(-1) as FakeSlackCall;
  expect(text(done)).toContain('2 of 2 resources done');
  expect(text(done)).toContain(`Job \`${job.id}\``);
  // One job, created once, started once; the request recorded it and ended succeeded.
  expect((await control.state()).jobs.map((j) => [j.id, j.status])).toEqual([[job.id, 'success']]);
  expect(casCalls('CreateDeploymentJob')).toHaveLength(1);
  expect(casCalls('UpdateDeploymentJobStatus')).toHaveLength(1);
  expect(casCalls('ListDeploymentJob').length).toBeGreaterThan(0);
  const finished = await storedRequest(dataDir);
  expect(finished).toMatchObject({ state: 'succeeded', jobId: job.id });
  // Audited once, as found by its name (not created) by the restarted process.
  const store = openSqliteStore(dataDir);
  const audit = await store.audit.list(100).finally(() => store.close());
  const created = audit.filter((e) => e.action === 'cert-deploy' && e.outcome === 'created');
  expect(created.map((e) => e.details)).toEqual([expect.objectContaining({ jobId: job.id, how: 'found' })]);
  // Every message update was of the request message posted before the kill.
  expect(new Set(requestUpdates().map((c) => c.body.ts))).toEqual(new Set([finished?.messageTs]));

  // The same signed Approve, replayed to the restarted process: nothing more happens.
  const before = casCalls('CreateDeploymentJob').length + casCalls('UpdateDeploymentJobStatus').length;
  expect((await postSigned(restarted.url, approve)).status).toBe(200);
  const answer = await slack.waitFor(
    (c) => c.kind === 'response' && c.name === 'approve' && String(c.body.text).includes('already'),
    15_000,
  );
  expect(String(answer.body.text)).toContain('This request was already succeeded');
  expect(casCalls('CreateDeploymentJob').length + casCalls('UpdateDeploymentJobStatus').length).toBe(before);
  expect((await control.state()).jobs).toHaveLength(1);
}, 90_000);

test('SIGKILL while the job runs: the restarted bot takes tracking up from the store and reports Deployed', async () => {
  const { env, stale, dataDir } = await environment();
  // Long enough that the job is still running when the process dies.
  await control.configure({ workerDurationMs: 4_000 });
  const first = await startBot(env);
  const value = await requestDeployment(first, stale.old.certificateId);
  await postSigned(
    first.url,
    buttonForm({ actionId: 'cert_deploy_approve', value, userId: OTHER_ADMIN, responseUrl: slack.responseUrl('a') }),
  );
  await eventually(async () => {
    const [job] = (await control.state()).jobs;
    const request = await storedRequest(dataDir);
    return job?.status === 'processing' && (request?.state === 'tracking' || request?.state === 'started');
  }, 15_000);
  // Progress was shown before the kill.
  await slack.waitFor((c) => c.kind === 'api' && c.name === 'chat.update' && /Job `\d+`: /.test(text(c)), 10_000);
  await kill(first.child, 'SIGKILL');
  const callsAtKill = sandbox.calls.length;
  const [running] = (await control.state()).jobs;
  expect(running.status).toBe('processing');
  const updatesBefore = requestUpdates().length;

  await startBot(env);
  await slack.waitFor(
    (c) =>
      c.kind === 'api' &&
      c.name === 'chat.update' &&
      c.body.channel === CHANNEL &&
      /Deployed\.[\s\S]*No resource serves/.test(text(c)),
    30_000,
  );
  expect(requestUpdates().length).toBeGreaterThan(updatesBefore);
  expect((await control.state()).jobs.map((j) => [j.id, j.status])).toEqual([[running.id, 'success']]);
  // Neither created nor started again after the restart.
  expect(casCalls('CreateDeploymentJob')).toHaveLength(1);
  expect(casCalls('UpdateDeploymentJobStatus')).toHaveLength(1);
  expect(await storedRequest(dataDir)).toMatchObject({ state: 'succeeded', jobId: running.id });
  // The restarted process read the job (the calls after the kill are all its own).
  expect(sandbox.calls.slice(callsAtKill).some((c) => c.action === 'DescribeDeploymentJobStatus')).toBe(true);
}, 90_000);
