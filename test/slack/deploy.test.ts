import { eventually } from '../helpers/bot-harness';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployStatusCommand } from '../../src/cli/deploy-command';
import { DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../../src/probe/deny';
import { connectDeployments, wireControl } from '../../src/sandbox';
import { ADMIN, AppHarness, buttons, OTHER_ADMIN, USER, visibleText } from '../helpers/app-harness';
import type { FakeSlackCall } from '../helpers/fake-slack';
import { addStaleRenewal, type StaleRenewal } from '../helpers/renewal';
import { commandForm, postSigned, viewSubmissionForm } from '../helpers/slack-requests';

/**
 * Deploying a renewal from Slack, end to end over HTTP: the CAS simulator running the jobs behind
 * the real client, the fake Slack Web API, Bolt's receiver with signed requests, real SQLite.
 */
const CHANNEL = 'C0GENERAL';
const NAME = 'shop.deploy.example.com';
const harnesses: AppHarness[] = [];
afterEach(async () => {
  // Restarted harnesses share the first one's simulator: stop them first.
  for (const h of harnesses.splice(0).reverse()) await h.stop();
});

interface Setup {
  h: AppHarness;
  stale: StaleRenewal;
}

const caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-probe-ca-'));
afterAll(() => fs.rmSync(caDir, { recursive: true, force: true }));

async function setup(
  env: Record<string, string> = {},
  settings: Record<string, unknown> = {},
  now?: () => Date,
  options: { probing?: boolean; listenerPort?: number; lossySlack?: boolean } = {},
): Promise<Setup> {
  const harness = new AppHarness();
  const vars: Record<string, string> = {
    DEPLOY_ENABLED: 'true',
    DEPLOY_APPROVERS: [ADMIN, OTHER_ADMIN].join(','),
    DEPLOY_CHANNELS: CHANNEL,
    ALERT_HOURS: '00:00-24:00',
    ALERT_CHANNEL: 'C0ALERTS',
    // These tests are about the stale alert of one certificate, not the first-day summary.
    ALERT_BASELINE: 'off',
    // No live probing unless a test serves the endpoints (the names are not in any DNS).
    PROBE_INTERVAL_MINUTES: '0',
    ...env,
  };
  const h = await harness.start({
    now,
    certs: 30,
    env: vars,
    overrides: { deployTrackMs: 150, postRetry: { baseDelayMs: 100, maxDelayMs: 400, forMs: 8_000 } },
    lossySlack: options.lossySlack,
    // Probing: the simulator serves every name over real TLS, PROBE_RESOLVE sends every endpoint there.
    sandbox: options.probing ? { wire: true } : {},
    beforeConfig: () => {
      if (!options.probing) return;
      const wire = harness.sandbox.wire;
      if (!wire) throw new Error('the simulator serves no wire');
      const caFile = path.join(caDir, `ca-${wire.port}.pem`);
      fs.writeFileSync(caFile, wire.caPem);
      Object.assign(vars, {
        PROBE_INTERVAL_MINUTES: '60',
        PROBE_RESOLVE: `*:*=${wire.endpoint}`,
        PROBE_CA_FILE: caFile,
        PROBE_DENY: DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(','),
      });
    },
  });
  harnesses.push(h);
  await connectDeployments(h.sandbox.url).configure({ workerDurationMs: 300, ...settings });
  const stale = addStaleRenewal(h.sandbox, NAME, [
    {
      product: 'SLB',
      region: 'cn-hangzhou',
      instanceId: 'lb-bp1deploy0001',
      listenerPort: options.listenerPort ?? 443,
    },
    { product: 'CDN', domain: NAME },
  ]);
  await h.services.syncNow();
  return { h, stale };
}

type View = { callback_id?: string; private_metadata?: string; blocks: Array<Record<string, unknown>> };

/** /cert-deploy as a person types it; resolves with the modal the bot filled in (views.update). */
async function openModal(h: AppHarness, oldId: string | number, userId = USER): Promise<View> {
  const before = h.slack.apiCalls('views.update').length;
  const res = await postSigned(
    h.eventsUrl,
    commandForm({
      command: '/cert-deploy',
      text: String(oldId),
      user_id: userId,
      response_url: h.slack.responseUrl('deploy-cmd'),
    }),
  );
  expect(res.status).toBe(200);
  await h.slack.waitFor(() => h.slack.apiCalls('views.update').length > before);
  return h.slack.apiCalls('views.update')[before].body.view as unknown as View;
}

/** The values Slack would send for the modal as it was shown (every resource selected), or with `only` selected. */
function submittedValues(view: View, note = '', only?: string[]) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    if (block.type !== 'input') continue;
    const element = block.element as { type: string; action_id: string; initial_options?: Array<{ value: string }> };
    if (element.type === 'checkboxes')
      values[String(block.block_id)] = {
        [element.action_id]: {
          type: 'checkboxes',
          selected_options: (element.initial_options ?? []).filter((o) => !only || only.includes(o.value)),
        },
      };
    else values[String(block.block_id)] = { [element.action_id]: { type: 'plain_text_input', value: note } };
  }
  return values;
}

async function submit(h: AppHarness, view: View, userId = USER, values = submittedValues(view, 'before the freeze')) {
  const res = await postSigned(
    h.eventsUrl,
    viewSubmissionForm({
      callbackId: String(view.callback_id),
      privateMetadata: String(view.private_metadata),
      userId,
      values,
    }),
  );
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const requestPosts = (h: AppHarness) =>
  h.slack
    .apiCalls('chat.postMessage')
    .filter((c) => c.body.channel === CHANNEL && String(c.body.text).startsWith('Deployment request'));

/** Opens, submits and waits for the request message; resolves with its Approve value and ts. */
async function request(h: AppHarness, oldId: string | number, userId = USER) {
  const view = await openModal(h, oldId, userId);
  expect((await submit(h, view, userId)).status).toBe(200);
  await h.slack.waitFor(() => requestPosts(h).length > 0);
  const post = requestPosts(h)[0];
  const approve = buttons(post.body as { blocks: unknown[] }).find((b) => b.text === 'Approve');
  expect(approve).toBeDefined();
  return { post, value: approve?.value as string, view };
}

/** The ts the fake Slack gave a posted message (the request body has none). */
const messageTs = (post: FakeSlackCall) => String(post.body.ts ?? '1700000000.000001');
const updatesOf = (h: AppHarness) => h.slack.apiCalls('chat.update').filter((c) => c.body.channel === CHANNEL);
const lastUpdate = (h: AppHarness): FakeSlackCall | undefined => updatesOf(h).at(-1);
const text = (call: FakeSlackCall | undefined) => (call ? visibleText(call.body as { blocks: unknown[] }) : '');

async function waitForMessage(h: AppHarness, pattern: RegExp, timeoutMs = 15_000) {
  await h.slack.waitFor(() => pattern.test(text(lastUpdate(h))), timeoutMs);
  return text(lastUpdate(h));
}

async function jobs(h: AppHarness) {
  return (await connectDeployments(h.sandbox.url).state()).jobs;
}

test('request, approval by a second person, one job, progress, success: the resources move and the alert says Deployed', async () => {
  const { h, stale } = await setup();
  const view = await openModal(h, stale.old.certificateId);
  const modalText = visibleText(view);
  expect(modalText).toContain(String(stale.renewed.certificateId));
  expect(modalText).toContain(NAME);
  expect(modalText).toContain('lb-bp1deploy0001:443');
  const checkboxes = view.blocks.filter(
    (b) => b.type === 'input' && (b.element as { type: string }).type === 'checkboxes',
  );
  const offered = checkboxes.flatMap(
    (b) => (b.element as { initial_options: Array<{ value: string }> }).initial_options,
  );
  expect(offered.map((o) => o.value).sort()).toEqual(stale.resources.map((r) => String(r.id)).sort());

  expect((await submit(h, view)).status).toBe(200);
  await h.slack.waitFor(() => requestPosts(h).length > 0);
  const post = requestPosts(h)[0];
  const posted = visibleText(post.body as { blocks: unknown[] });
  expect(posted).toContain(`<@${USER}> asks to deploy`);
  expect(posted).toContain(stale.old.endDate);
  expect(posted).toContain('before the freeze');
  expect(posted).toContain('Waiting for approval');
  const value = buttons(post.body as { blocks: unknown[] }).find((b) => b.text === 'Approve')?.value as string;
  expect(buttons(post.body as { blocks: unknown[] }).map((b) => b.text)).toEqual(['Approve', 'Reject']);

  // A non-approver is refused; nothing is created.
  const refused = await h.press('cert_deploy_approve', value, 'U0NOBODY1', messageTs(post));
  expect(refused.answer.text).toContain('Only the approvers');
  expect(await jobs(h)).toHaveLength(0);

  const approved = await h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post));
  expect(approved.status).toBe(200);
  const done = await waitForMessage(h, /Deployed\.[\s\S]*(No resource serves|Still on)/);
  expect(done).toContain('2 of 2 resources done');
  expect(done).toContain(`Approved by <@${OTHER_ADMIN}>`);
  // DEPLOY_CONTACT_IDS is unset: the first contact ListContact returns, named.
  expect(done).toContain('CAS notifies cert-admins (519580) about the job.');
  expect(done).toContain(`No resource serves \`${stale.old.certificateId}\` any more`);
  // PROBE_INTERVAL_MINUTES=0: no live probing, so nothing is said about what the endpoints serve.
  expect(done).not.toContain('What the endpoints serve now');
  // Progress was shown on the way (started or running), in place: every update is of the posted message.
  const [stored] = await h.store.deployments.list(['succeeded']);
  expect(new Set(updatesOf(h).map((c) => c.body.ts))).toEqual(new Set([stored.messageTs]));
  expect(updatesOf(h).some((c) => /Job `\d+`: (starting|scheduled|\d of 2 resources done)/.test(text(c)))).toBe(true);

  const made = await jobs(h);
  expect(made).toHaveLength(1);
  expect(made[0].name).toContain(`certbot-${stale.old.certificateId}-to-${stale.renewed.certificateId}-`);
  expect(made[0].status).toBe('success');
  expect(made[0].resourceIds.sort()).toEqual(stale.resources.map((r) => r.id).sort());

  // The stale-deployment alert posted at the sync now says Deployed.
  await h.slack.waitFor(() =>
    h.slack.apiCalls('chat.update').some((c) => c.body.channel === 'C0ALERTS' && text(c).includes('Deployed')),
  );

  const audit = await h.store.audit.list(50);
  const steps = audit.filter((e) => e.action === 'cert-deploy').map((e) => e.outcome);
  expect(steps).toEqual(expect.arrayContaining(['requested', 'approved', 'created', 'started', 'succeeded', 'denied']));
  const metrics = await h.services.metrics.render();
  expect(metrics).toMatch(/certbot_deployments_total\{outcome="deployed"\} 1/);

  // cert-bot deploy status <request id>: the stored request, and its job read from CAS.
  const printed: string[] = [];
  const code = await deployStatusCommand(
    h.services,
    { jobId: stored.id },
    { json: false, out: (line) => printed.push(line), err: (line) => printed.push(line) },
  );
  expect(code).toBe(0);
  expect(printed.join('\n')).toContain(`Deployment request ${stored.id}: succeeded`);
  expect(printed.join('\n')).toContain(`Deployment job ${made[0].id} (${made[0].name}): success`);
  expect(metrics).toMatch(/certbot_deployment_workers_total\{outcome="deployed"\} 2/);
}, 60_000);

/** The calls of one operation the simulator received, in order. */
const casCalls = (h: AppHarness, action: string) => h.sandbox.calls.filter((c) => c.action === action);

describe('both start semantics of CAS, through the Slack path', () => {
  test('a new job waiting in editing is started once with UpdateDeploymentJobStatus (scheduling), then tracked to Deployed', async () => {
    const { h, stale } = await setup({}, { startMode: 'editing' });
    const { value, post } = await request(h, stale.old.certificateId);
    await h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post));
    const done = await waitForMessage(h, /Deployed\.[\s\S]*No resource serves/);
    expect(done).toContain('2 of 2 resources done');
    const [job] = await jobs(h);
    const starts = casCalls(h, 'UpdateDeploymentJobStatus');
    expect(starts.map((c) => ({ job: c.query.JobId, status: c.query.Status, answered: c.status }))).toEqual([
      { job: String(job.id), status: 'scheduling', answered: 200 },
    ]);
    // Started after it was created and read in editing, never before.
    const created = casCalls(h, 'CreateDeploymentJob');
    expect(created).toHaveLength(1);
    expect(starts[0].at).toBeGreaterThanOrEqual(created[0].at);
    const started = (await h.store.audit.list(50)).find((e) => e.action === 'cert-deploy' && e.outcome === 'started');
    expect(started?.details).toMatchObject({ action: 'started' });
  }, 60_000);

  test('a job that starts on its own is not started again: no UpdateDeploymentJobStatus, and it is tracked to Deployed', async () => {
    // Scheduled on creation, and processing a moment later, as some clients find CAS does.
    const { h, stale } = await setup({}, { startMode: 'immediate', startDelayMs: 300 });
    const { value, post } = await request(h, stale.old.certificateId);
    await h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post));
    const done = await waitForMessage(h, /Deployed\.[\s\S]*No resource serves/);
    expect(done).toContain('2 of 2 resources done');
    expect(casCalls(h, 'CreateDeploymentJob')).toHaveLength(1);
    expect(casCalls(h, 'UpdateDeploymentJobStatus')).toEqual([]);
    // It was read (not started) and followed to the end.
    expect(casCalls(h, 'DescribeDeploymentJob').length).toBeGreaterThan(0);
    expect(casCalls(h, 'DescribeDeploymentJobStatus').length).toBeGreaterThan(0);
    const [job] = await jobs(h);
    expect(job.status).toBe('success');
    const started = (await h.store.audit.list(50)).find((e) => e.action === 'cert-deploy' && e.outcome === 'started');
    expect(started?.details).toMatchObject({ action: 'already' });
  }, 60_000);
});

describe('with live probing, the endpoints are probed after the job', () => {
  test('deployed: each endpoint of the resources now serves the new certificate, in the message and the probe results', async () => {
    const { h, stale } = await setup({}, {}, undefined, { probing: true, listenerPort: 8443 });
    const { value, post } = await request(h, stale.old.certificateId);
    await h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post));
    const done = await waitForMessage(h, /Deployed\.[\s\S]*What the endpoints serve now/);
    const renewed = String(stale.renewed.certificateId);
    // The CDN domain at 443, and the listener (no domain) at its port under the certificate's name.
    expect(done).toContain(`\`${NAME}:443\` now serves \`${renewed}\` :white_check_mark:`);
    expect(done).toContain(`\`${NAME}:8443\` now serves \`${renewed}\` :white_check_mark:`);
    expect(done).toMatch(/What the endpoints serve now\* \(probed <!date\^\d+\^/);
    // Stored as a probe pass stores them: /cert-list drift and the metrics read them.
    const stored = await h.store.probes.list();
    const ours = stored.filter((v) => v.endpoint.host === NAME);
    expect(ours.map((v) => [v.endpoint.port, v.verdict, v.served?.match?.certificate.id]).sort()).toEqual([
      [443, 'ok', renewed],
      [8443, 'ok', renewed],
    ]);
    const probedWire = await wireControl(h.sandbox.url).info();
    expect(probedWire.handshakes).toBeGreaterThanOrEqual(2);
  }, 60_000);

  test('partly deployed: an endpoint still on the old certificate is named with its verdict', async () => {
    const { h, stale } = await setup({}, {}, undefined, { probing: true });
    const cdn = stale.resources.find((r) => r.product === 'CDN');
    await connectDeployments(h.sandbox.url).configure({ failResources: [Number(cdn?.id)] });
    const { value, post } = await request(h, stale.old.certificateId);
    await h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post));
    const done = await waitForMessage(h, /Deployment failed[\s\S]*What the endpoints serve now/);
    // The CDN domain kept the old certificate: the probe says so, and what to deploy there.
    expect(done).toContain(`\`${NAME}:443\` — *old*: serves certificate ${stale.old.certificateId}`);
    expect(done).toContain(`which ${stale.renewed.certificateId} renewed`);
    const [stored] = (await h.store.probes.list()).filter((v) => v.endpoint.host === NAME);
    expect(stored.verdict).toBe('old');
  }, 60_000);
});

test('the stale alert and /cert-info carry Deploy renewal…, which opens the request modal', async () => {
  const { h, stale } = await setup();
  const alert = h.slack.apiCalls('chat.postMessage').find((c) => c.body.channel === 'C0ALERTS');
  const onAlert = buttons(alert?.body as { blocks: unknown[] }).find((b) => b.text === 'Deploy renewal…');
  expect(onAlert?.action_id).toBe('cert_deploy_open');
  const info = await h.command('/cert-info', String(stale.old.certificateId));
  const onInfo = buttons(info.answer).find((b) => b.text === 'Deploy renewal…');
  expect(onInfo?.value).toBe(onAlert?.value);

  // Pressed on the alert (in a deploy channel): the modal opens at once, then shows the plan.
  const before = h.slack.apiCalls('views.update').length;
  await h.sendPress('cert_deploy_open', String(onAlert?.value), USER);
  await h.slack.waitFor(() => h.slack.apiCalls('views.update').length > before);
  expect(h.slack.apiCalls('views.open').length).toBeGreaterThan(0);
  const view = h.slack.apiCalls('views.update')[before].body.view as unknown as View;
  expect(view.callback_id).toBe('cert_deploy_request');
  expect(visibleText(view)).toContain(String(stale.renewed.certificateId));

  // A forged value (another certificate ID shape) is refused.
  const forged = await h.press('cert_deploy_open', '{"account":"default","id":"1; DROP"}', USER);
  expect(forged.answer.replace_original).toBe(false);
  expect(h.slack.apiCalls('views.update').length).toBe(before + 1);
}, 60_000);

test('the requester cannot approve their own request, and is told so', async () => {
  const { h, stale } = await setup();
  const { value, post } = await request(h, stale.old.certificateId, ADMIN);
  const own = await h.press('cert_deploy_approve', value, ADMIN, messageTs(post));
  expect(own.answer.text).toContain('You requested this deployment, so you cannot approve it');
  expect(own.answer.replace_original).toBe(false);
  expect(await jobs(h)).toHaveLength(0);
  const stored = await h.store.deployments.list(['requested']);
  expect(stored).toHaveLength(1);
}, 60_000);

test('Reject by an approver ends the request; an expired request cannot be approved', async () => {
  let offsetMs = 0;
  const { h, stale } = await setup({ DEPLOY_REQUEST_HOURS: '1' }, {}, () => new Date(Date.now() + offsetMs));
  const first = await request(h, stale.old.certificateId);
  await h.sendPress('cert_deploy_reject', first.value, ADMIN, messageTs(first.post));
  const rejected = await waitForMessage(h, /Rejected/);
  expect(rejected).toContain(`*Rejected* by <@${ADMIN}>. Nothing was deployed.`);
  expect(buttons(lastUpdate(h)?.body as { blocks: unknown[] })).toEqual([]);
  const late = await h.press('cert_deploy_approve', first.value, OTHER_ADMIN, messageTs(first.post));
  // Who rejected it, named (escaped, so the answer pings nobody).
  expect(late.answer.text).toContain(`already rejected by &lt;@${ADMIN}&gt;`);

  const view = await openModal(h, stale.old.certificateId);
  await submit(h, view);
  await h.slack.waitFor(() => requestPosts(h).length > 1);
  const second = requestPosts(h)[1];
  const value = buttons(second.body as { blocks: unknown[] }).find((b) => b.text === 'Approve')?.value as string;
  offsetMs = 61 * 60_000;
  const expired = await h.press('cert_deploy_approve', value, OTHER_ADMIN, messageTs(second));
  expect(expired.answer.text).toContain('This request expired 1 hours after it was made');
  await waitForMessage(h, /Expired/);
  expect(await jobs(h)).toHaveLength(0);
  const outcomes = (await h.store.audit.list(50)).filter((e) => e.action === 'cert-deploy').map((e) => e.outcome);
  expect(outcomes).toEqual(expect.arrayContaining(['rejected', 'expired']));
}, 60_000);

test('two approvals at once and a replayed press make one job', async () => {
  const { h, stale } = await setup();
  const { value, post } = await request(h, stale.old.certificateId);
  const first = h.pressForm('cert_deploy_approve', value, ADMIN, messageTs(post));
  const [a, b] = await Promise.all([
    postSigned(h.eventsUrl, first.form),
    h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post)),
  ]);
  expect([a.status, b.status]).toEqual([200, 200]);
  await waitForMessage(h, /Deployed\./);
  // The same signed press again, after the job ran.
  await postSigned(h.eventsUrl, first.form);
  await h.slack.waitFor(() => h.slack.responses(first.id).length >= 1);
  expect(await jobs(h)).toHaveLength(1);
  const created = (await h.store.audit.list(50)).filter((e) => e.action === 'cert-deploy' && e.outcome === 'created');
  expect(created).toHaveLength(1);
}, 60_000);

test('a failing resource is listed by product, region and instance, and the request shows it failed', async () => {
  const { h, stale } = await setup({}, {});
  const slb = stale.resources.find((r) => r.product === 'SLB');
  await connectDeployments(h.sandbox.url).configure({ failResources: [Number(slb?.id)] });
  const { value, post } = await request(h, stale.old.certificateId);
  await h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post));
  const failed = await waitForMessage(h, /Deployment failed[\s\S]*Still on/);
  expect(failed).toContain('1 of 2 resources done, 1 failed');
  expect(failed).toMatch(/SLB cn-hangzhou lb-bp1deploy0001:443.*\[worker \d+\]/);
  expect(failed).toContain('CAS console');
  expect(failed).toContain(`Still on \`${stale.old.certificateId}\`: SLB cn-hangzhou lb-bp1deploy0001:443`);
  const metrics = await h.services.metrics.render();
  expect(metrics).toMatch(/certbot_deployment_workers_total\{outcome="failed"\} 1/);
}, 60_000);

test('approved outside DEPLOY_HOURS, the job is scheduled for the window start and the request says so', async () => {
  const hour = new Date().getUTCHours();
  const start = (hour + 3) % 24;
  // 23:00-24:00 at 20:xx UTC: a window ends at 24:00 at the latest (none crosses midnight).
  const window = `${String(start).padStart(2, '0')}:00-${String(start + 1).padStart(2, '0')}:00`;
  const { h, stale } = await setup({ DEPLOY_HOURS: window, ALERT_TIMEZONE: 'UTC' });
  const { value, post } = await request(h, stale.old.certificateId);
  expect(visibleText(post.body as { blocks: unknown[] })).toContain(`Change window ${window.replace('-', '–')} (UTC)`);
  await h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post));
  const scheduled = await waitForMessage(h, /Scheduled for/);
  const expected = new Date();
  expected.setUTCHours(start, 0, 0, 0);
  if (expected.getTime() <= Date.now()) expected.setUTCDate(expected.getUTCDate() + 1);
  expect(scheduled).toContain(`<!date^${Math.floor(expected.getTime() / 1000)}^`);
  const [job] = await jobs(h);
  expect(job.status).toBe('pending');
  expect(job.scheduleTime).toBe(expected.getTime());
}, 60_000);

test('tampered modal values and a refused channel make no request', async () => {
  const { h, stale } = await setup();
  const view = await openModal(h, stale.old.certificateId);
  const values = submittedValues(view);
  const [block] = Object.keys(values).filter((k) => k.startsWith('resources_'));
  (values[block].resources as { selected_options: Array<{ value: string }> }).selected_options.push({
    value: '999999',
  });
  const tampered = await submit(h, view, USER, values);
  expect(tampered.body).toMatchObject({ response_action: 'errors' });
  expect(JSON.stringify(tampered.body)).toContain('not one the bot offered');
  // Someone else submitting the requester's form.
  const stolen = await submit(h, view, 'U0MALLORY1');
  expect(JSON.stringify(stolen.body)).toContain('not one the bot opened for you');
  expect(await h.store.deployments.list(['requested'])).toHaveLength(0);

  const outside = await postSigned(
    h.eventsUrl,
    commandForm({
      command: '/cert-deploy',
      text: String(stale.old.certificateId),
      user_id: USER,
      response_url: h.slack.responseUrl('outside'),
      channel_id: 'C0RANDOM',
    }),
  );
  expect(outside.status).toBe(200);
  const answer = await h.slack.waitForResponse('outside');
  expect(String(answer.body.text)).toContain('DEPLOY_CHANNELS');
}, 60_000);

test('a certificate with nothing to deploy gets a clear answer and no request', async () => {
  const { h } = await setup();
  const lone = h.sandbox.addCertificate({ commonName: 'lone.example.com', sans: ['lone.example.com'] });
  await h.services.syncNow();
  const view = await openModal(h, lone.certificateId);
  expect(visibleText(view)).toContain('has no replacement');
  expect(view.callback_id).toBeUndefined();
}, 60_000);

test('Roll back (approvers only, confirmed) puts the old certificate back on every resource', async () => {
  const { h, stale } = await setup({}, { rollbackDurationMs: 300 });
  const { value, post } = await request(h, stale.old.certificateId);
  await h.sendPress('cert_deploy_approve', value, OTHER_ADMIN, messageTs(post));
  await waitForMessage(h, /Deployed\.[\s\S]*No resource serves/);
  const finished = lastUpdate(h)?.body as { blocks: Array<Record<string, unknown>> };
  const rollbackButton = finished.blocks
    .flatMap((b) => (b.type === 'actions' ? (b.elements as Array<Record<string, unknown>>) : []))
    .find((e) => e.action_id === 'cert_deploy_rollback') as { value: string; confirm: { text: { text: string } } };
  expect(rollbackButton.confirm.text.text).toContain('lb-bp1deploy0001:443');
  expect(rollbackButton.confirm.text.text).toContain(`Puts certificate ${stale.old.certificateId} back`);

  const refused = await h.press('cert_deploy_rollback', rollbackButton.value, USER, messageTs(post));
  expect(refused.answer.text).toContain('Only the approvers');

  await h.sendPress('cert_deploy_rollback', rollbackButton.value, ADMIN, messageTs(post));
  const rolled = await waitForMessage(h, /Rolled back[\s\S]*Still on/);
  expect(rolled).toContain(`asked by <@${ADMIN}>`);
  expect(rolled).toContain('2 rolled back');
  const cas = await h.services.cas();
  const back = await cas.listCloudResourcePage(1, { certIds: [String(stale.old.certificateId)] });
  expect(back.Data.map((r) => String(r.Id)).sort()).toEqual(stale.resources.map((r) => String(r.id)).sort());
  const audit = (await h.store.audit.list(80)).filter((e) => e.action === 'cert-deploy-rollback').map((e) => e.outcome);
  expect(audit).toEqual(expect.arrayContaining(['requested', 'succeeded']));
}, 60_000);

test('a process that died after CreateDeploymentJob answered: the restarted bot finds the job, makes no second one, and tracks it', async () => {
  const { h, stale } = await setup({}, { workerDurationMs: 500 });
  const { value, post } = await request(h, stale.old.certificateId);
  const [pending] = await h.store.deployments.list(['requested']);
  // What a process leaves when it dies between CreateDeploymentJob's answer and its own write:
  // the request claimed and creating, the job in CAS under the request's name.
  await h.store.deployments.transition(pending.id, ['requested'], 'creating', { approver: OTHER_ADMIN }, new Date());
  const cas = await h.services.cas();
  await cas.createDeploymentJob({
    name: `certbot-${stale.old.certificateId}-to-${stale.renewed.certificateId}-${pending.id}`,
    jobType: 'user',
    certIds: [String(stale.renewed.certificateId)],
    resourceIds: pending.resources.map((r) => r.id),
    contactIds: ['519580'],
  });
  await h.services.stop();

  const restarted = await new AppHarness(h.dataDir).start({
    sharedSandbox: h.sandbox,
    env: {
      DEPLOY_ENABLED: 'true',
      DEPLOY_APPROVERS: [ADMIN, OTHER_ADMIN].join(','),
      DEPLOY_CHANNELS: CHANNEL,
      ALERT_HOURS: '00:00-24:00',
      ALERT_CHANNEL: 'C0ALERTS',
      ALERT_BASELINE: 'off',
    },
    overrides: { deployTrackMs: 150 },
  });
  harnesses.push(restarted);
  await waitForMessage(restarted, /Deployed\.[\s\S]*No resource serves/);
  expect(await jobs(restarted)).toHaveLength(1);
  const stored = await restarted.store.deployments.get(pending.id);
  expect(stored?.state).toBe('succeeded');
  // A replayed approval after the restart changes nothing.
  const replay = await restarted.press('cert_deploy_approve', value, ADMIN, messageTs(post));
  expect(replay.answer.text).toContain('already succeeded');
  expect(await jobs(restarted)).toHaveLength(1);
}, 60_000);

test('the request message whose answer is lost is found in the channel, not posted twice', async () => {
  const { h, stale } = await setup({}, {}, undefined, { lossySlack: true });
  h.proxy?.dropAnswer('chat.postMessage');
  const view = await openModal(h, stale.old.certificateId);
  expect((await submit(h, view)).status).toBe(200);
  const [pending] = await h.store.deployments.list(['requested']);
  await eventually(async () => Boolean((await h.store.deployments.get(pending.id))?.messageTs), 20_000);
  expect(h.proxy?.log.filter((c) => c.fate === 'answer-lost')).toHaveLength(1);
  // Slack took the post; the bot looked for it by its metadata and found it: one message.
  expect(requestPosts(h)).toHaveLength(1);
  expect(h.slack.apiCalls('conversations.history').length).toBeGreaterThan(0);
  // Its ts is recorded, so the request's progress updates that message (with the answer lost
  // and nothing looked for, the request would have no message to update).
  expect((await h.store.deployments.get(pending.id))?.messageTs).toMatch(/^\d+\.\d+$/);
}, 60_000);
