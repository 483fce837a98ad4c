import { BOTTLENECK_PRIORITY, type CasClient } from '../../src/cas/client';
import { CasError } from '../../src/cas/errors';
import { createDeploymentJobOnce, startDeploymentJob } from '../../src/deploy/create-job';
import { readDeploymentStatus } from '../../src/deploy/job-status';
import { resourcesServing } from '../../src/deploy/plan';
import { deploymentJobName } from '../../src/domain/deployment-job';
import { connectDeployments, type DeploymentControl, type Sandbox, startSandbox } from '../../src/sandbox';
import { clientFor } from '../helpers/cas';
import { addStaleRenewal } from '../helpers/renewal';

/**
 * The deployment operations through our own client (transport, limiter, retry policy) against
 * the simulator: a job created exactly once whatever CAS answers, started under both start
 * semantics, followed to the end, and denials that name the RAM action.
 */

let sandbox: Sandbox;
let control: DeploymentControl;
let cas: CasClient;

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 10, seed: 31, qps: 100 });
  control = connectDeployments(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await control.reset();
  sandbox.setFaults({ denyActions: [], latencyMs: 0 });
  sandbox.resetCalls();
  cas = clientFor(sandbox, { timeoutMs: 600, attempts: 4 });
});
afterEach(() => cas.close());

let requests = 0;
function renewal() {
  const name = `api${++requests}.deploy.example.com`;
  const { old, renewed, resources } = addStaleRenewal(sandbox, name, [
    { product: 'SLB', listenerPort: 443 },
    { product: 'CDN', domain: name },
  ]);
  const [slb, cdn] = resources;
  const input = {
    name: deploymentJobName({
      requestId: `req${requests}AbCdEf`,
      oldCertificateId: String(old.certificateId),
      newCertificateId: String(renewed.certificateId),
    }),
    certIds: [String(renewed.certificateId)],
    resourceIds: [String(slb.id), String(cdn.id)],
    contactIds: ['519580'],
  };
  return { old, renewed, slb, cdn, input };
}

const creates = () => sandbox.calls.filter((c) => c.action === 'CreateDeploymentJob');
/** The client, with the simulator set to answer the create (only) with `answer`: the lookup before it is untouched. */
const failingCreate = (answer: Parameters<Sandbox['failNext']>[1]) => ({
  findDeploymentJobByName: cas.findDeploymentJobByName,
  createDeploymentJob: (input: Parameters<CasClient['createDeploymentJob']>[0]) => {
    sandbox.failNext(1, answer);
    return cas.createDeploymentJob(input);
  },
});
const jobsInCas = async () => (await control.state()).jobs;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('create once, start, follow to success: the resources are on the new certificate', async () => {
  const { old, renewed, slb, cdn, input } = renewal();
  await control.configure({ workerDurationMs: 300 });
  const created = await createDeploymentJobOnce(cas, input);
  expect(created).toMatchObject({ outcome: 'created', requestId: expect.stringMatching(/^[0-9A-F-]{36}$/) });
  const create = creates()[0];
  // Comma-separated IDs and the job type as the SDK sends them.
  expect(create?.query).toMatchObject({
    Name: input.name,
    JobType: 'user',
    CertIds: String(renewed.certificateId),
    ResourceIds: `${slb.id},${cdn.id}`,
    ContactIds: '519580',
  });

  const started = await startDeploymentJob(cas, created.jobId, { scheduled: false });
  expect(started).toEqual({ jobId: created.jobId, status: 'processing', action: 'started' });
  const running = await readDeploymentStatus(cas, created.jobId, { priority: 'tracking' });
  expect(running.summary).toBe('0 of 2 resources done');
  expect(running.request).toMatchObject({ oldCertificateId: String(old.certificateId) });

  await wait(350);
  const done = await readDeploymentStatus(cas, created.jobId, { priority: 'tracking' });
  expect(done.summary).toBe('2 of 2 resources done');
  expect(done.progress).toMatchObject({ finished: true, settled: true, outcome: 'deployed' });
  expect(done.failed).toEqual([]);
  const onNew = await resourcesServing(cas, 'default', [String(renewed.certificateId)]);
  expect(onNew.map((r) => r.id).sort()).toEqual([String(slb.id), String(cdn.id)].sort());
  expect(await resourcesServing(cas, 'default', [String(old.certificateId)])).toEqual([]);

  // A replay of the same request (a second replica, a restart) finds the job: no second one.
  expect(await createDeploymentJobOnce(cas, input)).toEqual({ jobId: created.jobId, outcome: 'found' });
  expect(creates()).toHaveLength(1);
});

test('a job that starts on its own is left alone: no status change is sent', async () => {
  const { input } = renewal();
  await control.configure({ startMode: 'immediate', workerDurationMs: 60_000 });
  const created = await createDeploymentJobOnce(cas, input);
  const started = await startDeploymentJob(cas, created.jobId, { scheduled: false });
  expect(started).toEqual({ jobId: created.jobId, status: 'processing', action: 'already' });
  expect(sandbox.calls.filter((c) => c.action === 'UpdateDeploymentJobStatus')).toEqual([]);
});

test('a scheduled job is started as pending and waits for its ScheduleTime', async () => {
  const { input } = renewal();
  const at = new Date(Date.now() + 3_600_000);
  const created = await createDeploymentJobOnce(cas, { ...input, scheduleTime: at });
  expect(creates()[0]?.query.ScheduleTime).toBe(String(at.getTime()));
  const started = await startDeploymentJob(cas, created.jobId, { scheduled: true });
  expect(started.status).toBe('pending');
  const report = await readDeploymentStatus(cas, created.jobId);
  expect(report.summary).toBe('scheduled, 2 resources');
  expect(report.scheduleTime).toBe(String(at.getTime()));
});

describe('a create whose answer is lost creates one job', () => {
  test('no answer (timeout): not sent again; the job is found by its name', async () => {
    const { input } = renewal();
    const created = await createDeploymentJobOnce(failingCreate('timeout'), input, { lookupDelayMs: 10 });
    expect(created.outcome).toBe('recovered');
    expect(creates()).toHaveLength(1);
    expect(await jobsInCas()).toHaveLength(1);
    expect((await jobsInCas())[0]?.id).toBe(created.jobId);
  });

  test('a mangled answer: the job exists, and is found', async () => {
    const { input } = renewal();
    const created = await createDeploymentJobOnce(failingCreate('malformed'), input, { lookupDelayMs: 10 });
    expect(created.outcome).toBe('recovered');
    expect(await jobsInCas()).toHaveLength(1);
  });

  test('a 503 that did not create it: the error is thrown, nothing retried; calling again creates one', async () => {
    const { input } = renewal();
    const failing = failingCreate({ status: 503, code: 'ServiceUnavailable' });
    const error = await createDeploymentJobOnce(failing, input, { lookups: 2, lookupDelayMs: 10 }).catch((e) => e);
    expect(error).toBeInstanceOf(CasError);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'ServiceUnavailable' });
    expect(creates()).toHaveLength(1);
    expect(await jobsInCas()).toEqual([]);
    const again = await createDeploymentJobOnce(cas, input);
    expect(again.outcome).toBe('created');
    expect(await jobsInCas()).toHaveLength(1);
  });

  test('throttling is retried: CAS did nothing, so the create is sent again', async () => {
    const { input } = renewal();
    const created = await createDeploymentJobOnce(failingCreate({ status: 400, code: 'Throttling.User' }), input);
    expect(created.outcome).toBe('created');
    expect(creates().map((c) => c.code ?? 'ok')).toEqual(['Throttling.User', 'ok']);
    expect(await jobsInCas()).toHaveLength(1);
  });

  test('a start whose answer is lost is not sent again: reading the job settles it', async () => {
    const { input } = renewal();
    await control.configure({ workerDurationMs: 60_000 });
    const { jobId } = await createDeploymentJobOnce(cas, input);
    // The simulator loses the answer of the status change only (it still applies it).
    const losing = {
      describeDeploymentJob: cas.describeDeploymentJob,
      updateDeploymentJobStatus: (id: number, status: 'pending' | 'scheduling' | 'editing') => {
        sandbox.failNext(1, 'timeout');
        return cas.updateDeploymentJobStatus(id, status);
      },
    };
    sandbox.resetCalls();
    const started = await startDeploymentJob(losing, jobId, { scheduled: false });
    expect(started).toEqual({ jobId, status: 'processing', action: 'started' });
    expect(sandbox.calls.map((c) => `${c.action}:${c.code ?? c.status}`)).toEqual([
      'DescribeDeploymentJob:200',
      'UpdateDeploymentJobStatus:NoAnswer',
      'DescribeDeploymentJob:200',
    ]);
  });
});

describe('denials and bad input', () => {
  test('DescribeDeploymentJob denied: one error naming yundun-cert:DescribeDeployment', async () => {
    const { input } = renewal();
    const { jobId } = await createDeploymentJobOnce(cas, input);
    sandbox.setFaults({ denyActions: ['DescribeDeploymentJob'] });
    const error = (await cas.describeDeploymentJob(jobId).catch((e) => e)) as CasError;
    expect(error).toBeInstanceOf(CasError);
    expect(error).toMatchObject({ kind: 'auth', code: 'NoPermission', ramAction: 'yundun-cert:DescribeDeployment' });
    expect(error.hint).toBe("Grant the RAM action yundun-cert:DescribeDeployment to the bot's RAM user or role.");
    expect(error.message).toContain('yundun-cert:DescribeDeployment');
  });

  test('a Forbidden.RAM without AccessDeniedDetail still names the action of the operation', async () => {
    sandbox.failNext(1, { status: 403, code: 'Forbidden.RAM' });
    const error = (await cas.listContacts().catch((e) => e)) as CasError;
    expect(error).toMatchObject({ kind: 'auth', code: 'Forbidden.RAM', ramAction: 'yundun-cert:ListContact' });
    expect(error.hint).toContain('yundun-cert:ListContact');
    expect(sandbox.calls.filter((c) => c.action === 'ListContact')).toHaveLength(1);
  });

  test('IDs that are not IDs are refused before sending', async () => {
    const { input } = renewal();
    for (const bad of [
      { ...input, certIds: ['12a'] },
      { ...input, resourceIds: [] },
      { ...input, contactIds: ['-1'] },
      { ...input, name: '' },
    ]) {
      const error = (await cas.createDeploymentJob(bad).catch((e) => e)) as CasError;
      expect(error).toMatchObject({ kind: 'bad_input' });
      expect(error.message).toMatch(/^CreateDeploymentJob was not sent/);
    }
    await expect(cas.rollbackWorker(1.5, 1)).rejects.toMatchObject({ kind: 'bad_input' });
    await expect(cas.listCloudResourcePage(1, { certIds: ['x'] })).rejects.toMatchObject({ kind: 'bad_input' });
    expect(sandbox.calls).toEqual([]);
  });
});

test('failed workers are listed with where they are; no error text is made up', async () => {
  const { cdn, slb, input } = renewal();
  await control.configure({ failResources: [cdn.id], workerDurationMs: 100 });
  const { jobId } = await createDeploymentJobOnce(cas, input);
  await startDeploymentJob(cas, jobId, { scheduled: false });
  await wait(150);
  const report = await readDeploymentStatus(cas, jobId);
  expect(report.summary).toBe('1 of 2 resources done, 1 failed');
  expect(report.progress.outcome).toBe('partly');
  expect(report.failed).toEqual([
    {
      workerId: expect.any(Number),
      status: 'error',
      target: expect.objectContaining({ id: String(cdn.id), product: 'CDN', domain: cdn.domain }),
    },
  ]);

  // Roll the deployed one back through the client: tracked the same way.
  const workers = await cas.listWorkerResources(jobId, { status: 'success' });
  expect(workers.map((w) => w.ResourceId)).toEqual([slb.id]);
  await control.configure({ rollbackDurationMs: 100 });
  await cas.rollbackWorker(jobId, workers[0]?.Id as number);
  expect((await readDeploymentStatus(cas, jobId)).summary).toBe('0 of 2 resources done, 1 failed, 1 rolling back');
  await wait(150);
  const after = await readDeploymentStatus(cas, jobId);
  expect(after.summary).toBe('0 of 2 resources done, 1 failed, 1 rolled back');
  expect(after.progress.settled).toBe(true);
});

test('a tracking call waits behind people and ahead of bulk listings', () => {
  expect(BOTTLENECK_PRIORITY.interactive).toBeLessThan(BOTTLENECK_PRIORITY.tracking);
  expect(BOTTLENECK_PRIORITY.tracking).toBeLessThan(BOTTLENECK_PRIORITY.bulk);
});
