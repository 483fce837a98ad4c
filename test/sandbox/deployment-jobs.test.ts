import type OpenApi from '@alicloud/openapi-client';
import {
  CONTROL_PREFIX,
  connectDeployments,
  type DeploymentControl,
  type Sandbox,
  startSandbox,
} from '../../src/sandbox';
import { addStaleRenewal } from '../helpers/renewal';
import { callCas, failureOf, type Query, sandboxClient } from './cas-client';

/**
 * Deployment jobs in the simulator, through the real openapi-client (signed calls) and the
 * control routes: the job and worker state machines on the simulator's clock, both start
 * semantics, ScheduleTime, per-resource failures, per-worker times, rollback, and resources
 * moving in ListCloudResources.
 */
const SSL = '2020-04-07';

let clock = Date.now();
let sandbox: Sandbox;
let client: OpenApi;
let control: DeploymentControl;

beforeAll(async () => {
  // A clock the tests move: the signature check allows 15 minutes of skew, so moves stay small.
  sandbox = await startSandbox({ certs: 10, seed: 21, qps: Number.POSITIVE_INFINITY, now: () => clock });
  client = sandboxClient(sandbox);
  control = connectDeployments(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  clock = Date.now();
  await control.reset();
  sandbox.setFaults({ denyActions: [] });
});

const call = (action: string, query: Query = {}) => callCas(client, action, SSL, query);

/** An old certificate on an SLB listener and a CDN domain, and its renewal. */
let renewals = 0;
function renewal() {
  const name = `shop${++renewals}.sim.example.com`;
  const { old, renewed, resources } = addStaleRenewal(sandbox, name, [
    { product: 'SLB', instanceId: 'lb-bp1deploy000001', listenerPort: 443 },
    { product: 'CDN', domain: name },
  ]);
  const [slb, cdn] = resources;
  return { old, renewed, slb, cdn };
}

async function createJob(query: Query = {}): Promise<number> {
  const body = await call('CreateDeploymentJob', { Name: 'job', JobType: 'user', ContactIds: '519580', ...query });
  expect(typeof body.JobId).toBe('number');
  return body.JobId as number;
}

const jobStatus = async (jobId: number) => (await call('DescribeDeploymentJob', { JobId: jobId })).Status;
const workers = async (jobId: number, query: Query = {}) =>
  (await call('ListWorkerResource', { JobId: jobId, ...query })).Data as Array<Record<string, unknown>>;
const servedBy = async (certificateId: number) =>
  ((await call('ListCloudResources', { CertIds: `[${certificateId}]`, ShowSize: 50 })).Data as Array<{ Id: number }>)
    .map((r) => r.Id)
    .sort();

describe('the documented start: a new job waits in editing', () => {
  test('editing → scheduling → processing → success, and the resources move to the new certificate', async () => {
    const { old, renewed, slb, cdn } = renewal();
    await control.configure({ workerDurationMs: 5_000 });
    const jobId = await createJob({ CertIds: String(renewed.certificateId), ResourceIds: `${slb.id},${cdn.id}` });
    expect(await jobStatus(jobId)).toBe('editing');
    expect((await workers(jobId)).map((w) => w.Status)).toEqual(['editing', 'editing']);
    clock += 60_000;
    expect(await jobStatus(jobId)).toBe('editing'); // waits however long nobody starts it

    await call('UpdateDeploymentJobStatus', { JobId: jobId, Status: 'scheduling' });
    expect(await jobStatus(jobId)).toBe('processing');
    expect(await call('DescribeDeploymentJobStatus', { JobId: jobId })).toMatchObject({
      WorkerCount: 2,
      SuccessCount: 0,
      FailedCount: 0,
    });
    expect(await servedBy(old.certificateId)).toEqual([slb.id, cdn.id].sort());

    clock += 5_000;
    expect(await jobStatus(jobId)).toBe('success');
    expect(await call('DescribeDeploymentJobStatus', { JobId: jobId })).toMatchObject({
      WorkerCount: 2,
      SuccessCount: 2,
      FailedCount: 0,
    });
    expect(await servedBy(renewed.certificateId)).toEqual([slb.id, cdn.id].sort());
    expect(await servedBy(old.certificateId)).toEqual([]);
    const rows = await workers(jobId);
    expect(rows.map((w) => w.Status)).toEqual(['success', 'success']);
    expect(rows[0]).toMatchObject({
      ResourceId: slb.id,
      ResourceCertId: old.certificateId,
      CertId: renewed.certificateId,
      CloudProduct: 'SLB',
      InstanceId: 'lb-bp1deploy000001',
      Port: 443,
    });
    expect(rows[0]).not.toHaveProperty('CloudName'); // left out for Alibaba Cloud's own products
    expect(rows[1]).toMatchObject({ ResourceId: cdn.id, ResourceDomain: cdn.domain });
    expect(rows[1]).not.toHaveProperty('Port');
  });

  test('a finished job cannot change status, nor can a processing one; a waiting one can go back to editing', async () => {
    const { renewed, slb } = renewal();
    const jobId = await createJob({ CertIds: String(renewed.certificateId), ResourceIds: String(slb.id) });
    // pending without a ScheduleTime runs now
    await call('UpdateDeploymentJobStatus', { JobId: jobId, Status: 'pending' });
    // a job not yet running can go back to editing
    const second = await createJob({ CertIds: String(renewed.certificateId), ResourceIds: String(slb.id) });
    await control.configure({ startDelayMs: 10_000 });
    await call('UpdateDeploymentJobStatus', { JobId: second, Status: 'scheduling' });
    expect(await jobStatus(second)).toBe('scheduling');
    await call('UpdateDeploymentJobStatus', { JobId: second, Status: 'editing' });
    expect(await jobStatus(second)).toBe('editing');

    expect(await jobStatus(jobId)).toBe('processing');
    const running = await failureOf(call('UpdateDeploymentJobStatus', { JobId: jobId, Status: 'editing' }));
    expect(running).toMatchObject({ statusCode: 400, code: 'InvalidStatus' });
    clock += 1_000;
    expect(await jobStatus(jobId)).toBe('success');
    for (const status of ['editing', 'pending', 'scheduling']) {
      const refused = await failureOf(call('UpdateDeploymentJobStatus', { JobId: jobId, Status: status }));
      expect(refused).toMatchObject({ statusCode: 400, code: 'InvalidStatus' });
      expect(String(refused.data?.Message)).toContain('cannot change status');
    }
    expect(await jobStatus(jobId)).toBe('success');
  });

  test('ScheduleTime: a pending job waits for it, then runs', async () => {
    const { renewed, slb } = renewal();
    const at = clock + 120_000;
    const jobId = await createJob({
      CertIds: String(renewed.certificateId),
      ResourceIds: String(slb.id),
      ScheduleTime: at,
    });
    expect(await jobStatus(jobId)).toBe('editing');
    await call('UpdateDeploymentJobStatus', { JobId: jobId, Status: 'pending' });
    clock += 119_000;
    expect(await jobStatus(jobId)).toBe('pending');
    expect((await workers(jobId))[0]?.Status).toBe('pending');
    expect(await call('DescribeDeploymentJob', { JobId: jobId })).toMatchObject({ ScheduleTime: String(at) });
    clock += 1_000;
    const job = await call('DescribeDeploymentJob', { JobId: jobId });
    expect(job.Status).toBe('processing');
    expect(job.StartTime).toBe(String(at));
    clock += 1_000;
    expect(await jobStatus(jobId)).toBe('success');
  });
});

describe('the other start: a job that begins without a status change', () => {
  test('startMode immediate: created, it runs on its own; a future ScheduleTime keeps it pending', async () => {
    const { renewed, slb, cdn } = renewal();
    await control.configure({ startMode: 'immediate', workerDurationMs: 2_000 });
    const jobId = await createJob({ CertIds: String(renewed.certificateId), ResourceIds: String(slb.id) });
    expect(await jobStatus(jobId)).toBe('processing');
    clock += 2_000;
    expect(await jobStatus(jobId)).toBe('success');
    const refused = await failureOf(call('UpdateDeploymentJobStatus', { JobId: jobId, Status: 'scheduling' }));
    expect(refused.code).toBe('InvalidStatus');

    const later = await createJob({
      CertIds: String(renewed.certificateId),
      ResourceIds: String(cdn.id),
      ScheduleTime: clock + 60_000,
    });
    expect(await jobStatus(later)).toBe('pending');
    clock += 60_000;
    expect(await jobStatus(later)).toBe('processing');
  });
});

test('holdCreateAnswerMs: the job exists (listed) while the CreateDeploymentJob answer is still held back', async () => {
  const { renewed, slb } = renewal();
  await control.configure({ holdCreateAnswerMs: 800 });
  const sent = Date.now();
  const answer = createJob({ Name: 'held', CertIds: String(renewed.certificateId), ResourceIds: String(slb.id) });
  let listed: number | undefined;
  while (listed === undefined && Date.now() - sent < 5_000) {
    listed = (await control.state()).jobs.find((j) => j.name === 'held')?.id;
    if (listed === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Listed before the answer arrived: a caller killed now has made a job it never heard of.
  const listedAfterMs = Date.now() - sent;
  expect(listed).toBeDefined();
  expect(listedAfterMs).toBeLessThan(700);
  expect(await answer).toBe(listed);
  expect(Date.now() - sent).toBeGreaterThanOrEqual(800);
  // Only the create is held: other operations answer at once.
  const read = Date.now();
  await jobStatus(listed as number);
  expect(Date.now() - read).toBeLessThan(500);
});

describe('workers: their own time, failures and rollback', () => {
  test('a failing resource fails its worker and the job; the others deploy; the counters say so', async () => {
    const { old, renewed, slb, cdn } = renewal();
    await control.configure({ failResources: [cdn.id], workerDurationMs: 1_000 });
    const jobId = await createJob({ CertIds: String(renewed.certificateId), ResourceIds: `${slb.id},${cdn.id}` });
    await call('UpdateDeploymentJobStatus', { JobId: jobId, Status: 'scheduling' });
    clock += 1_000;
    // In process too, without a call to CAS in between: the job has moved what it deployed.
    expect(sandbox.listResources({ certificateId: renewed.certificateId }).map((r) => r.id)).toEqual([slb.id]);
    expect(await jobStatus(jobId)).toBe('error');
    expect(await call('DescribeDeploymentJobStatus', { JobId: jobId })).toMatchObject({
      WorkerCount: 2,
      SuccessCount: 1,
      FailedCount: 1,
    });
    const failed = await workers(jobId, { Status: 'error' });
    expect(failed.map((w) => w.ResourceId)).toEqual([cdn.id]);
    expect(await servedBy(old.certificateId)).toEqual([cdn.id]);
    expect(await servedBy(renewed.certificateId)).toEqual([slb.id]);
    const state = await control.job(jobId);
    expect(state.workers.find((w) => w.resourceId === cdn.id)?.reason).toMatch(/injected/);
  });

  test('each worker finishes at its own time, set per resource or per worker', async () => {
    const { renewed, slb, cdn } = renewal();
    await control.configure({ workerDurationMs: 1_000, resourceDurationsMs: { [String(cdn.id)]: 30_000 } });
    const jobId = await createJob({ CertIds: String(renewed.certificateId), ResourceIds: `${slb.id},${cdn.id}` });
    await call('UpdateDeploymentJobStatus', { JobId: jobId, Status: 'scheduling' });
    const [slbWorker] = (await control.job(jobId)).workers;
    await control.adjustWorker(slbWorker?.id as number, { durationMs: 10_000 });
    clock += 9_999;
    expect((await workers(jobId)).map((w) => w.Status)).toEqual(['processing', 'processing']);
    clock += 1;
    expect((await workers(jobId)).map((w) => w.Status)).toEqual(['success', 'processing']);
    expect(await call('DescribeDeploymentJobStatus', { JobId: jobId })).toMatchObject({ SuccessCount: 1 });
    clock += 20_000;
    expect(await jobStatus(jobId)).toBe('success');
  });

  test('rollback: a deployed worker goes back to the old certificate; a failed rollback says so', async () => {
    const { old, renewed, slb, cdn } = renewal();
    const jobId = await createJob({ CertIds: String(renewed.certificateId), ResourceIds: `${slb.id},${cdn.id}` });
    await call('UpdateDeploymentJobStatus', { JobId: jobId, Status: 'scheduling' });
    clock += 1_000;
    expect(await jobStatus(jobId)).toBe('success');
    const [slbWorker, cdnWorker] = await workers(jobId);
    await control.configure({ failRollbackResources: [cdn.id], rollbackDurationMs: 3_000 });

    await call('UpdateWorkerResourceStatus', { JobId: jobId, WorkerId: slbWorker?.Id as number, Status: 'rollback' });
    await call('UpdateWorkerResourceStatus', { JobId: jobId, WorkerId: cdnWorker?.Id as number, Status: 'rollback' });
    expect((await workers(jobId)).map((w) => w.Status)).toEqual(['rollback', 'rollback']);
    clock += 3_000;
    expect((await workers(jobId)).map((w) => w.Status)).toEqual(['rollback_success', 'rollback_error']);
    expect(await servedBy(old.certificateId)).toEqual([slb.id]);
    expect(await servedBy(renewed.certificateId)).toEqual([cdn.id]);
    expect(await call('DescribeDeploymentJobStatus', { JobId: jobId })).toMatchObject({
      WorkerCount: 2,
      SuccessCount: 0,
      FailedCount: 0,
      RollbackCount: 2,
      RollbackSuccessCount: 1,
      RollbackFailedCount: 1,
    });
    const job = await call('DescribeDeploymentJob', { JobId: jobId });
    expect(job).toMatchObject({ Status: 'success', Rollback: 1 });

    const again = await failureOf(
      call('UpdateWorkerResourceStatus', { JobId: jobId, WorkerId: slbWorker?.Id as number, Status: 'rollback' }),
    );
    expect(again).toMatchObject({ statusCode: 400, code: 'InvalidStatus' });
    const other = await failureOf(
      call('UpdateWorkerResourceStatus', { JobId: jobId, WorkerId: slbWorker?.Id as number, Status: 'success' }),
    );
    expect(other).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
  });
});

describe('requests CAS refuses', () => {
  test('missing and malformed parameters, unknown IDs, and the wrong job type', async () => {
    const { renewed, slb } = renewal();
    const cert = String(renewed.certificateId);
    const refuse = async (query: Query) => failureOf(call('CreateDeploymentJob', query));
    const base = { Name: 'n', JobType: 'user', CertIds: cert, ResourceIds: String(slb.id), ContactIds: '519580' };
    expect(await refuse({ ...base, Name: undefined })).toMatchObject({ statusCode: 400, code: 'MissingName' });
    expect(await refuse({ ...base, JobType: 'ecs' })).toMatchObject({ code: 'InvalidParameter' });
    // The SDK sends comma-separated IDs here, unlike ListCloudResources' JSON array.
    expect(await refuse({ ...base, CertIds: `[${cert}]` })).toMatchObject({ code: 'InvalidParameter' });
    expect(await refuse({ ...base, ResourceIds: '999' })).toMatchObject({ code: 'InvalidParameter' });
    expect(await refuse({ ...base, ContactIds: '1' })).toMatchObject({ code: 'InvalidParameter' });
    expect(await refuse({ ...base, JobType: 'cloud' })).toMatchObject({ code: 'InvalidParameter' });
    expect(await failureOf(call('DescribeDeploymentJob', { JobId: 424242 }))).toMatchObject({
      statusCode: 404,
      code: 'NotFound',
    });
    expect(await failureOf(call('ListWorkerResource', {}))).toMatchObject({ code: 'MissingJobId' });
    expect((await control.state()).jobs).toEqual([]);
  });

  test('a RAM policy without the action: 403 naming it, yundun-cert:DescribeDeployment for DescribeDeploymentJob', async () => {
    const { renewed, slb } = renewal();
    const jobId = await createJob({ CertIds: String(renewed.certificateId), ResourceIds: String(slb.id) });
    sandbox.setFaults({ denyActions: ['yundun-cert:DescribeDeployment', 'CreateDeploymentJob'] });
    expect(sandbox.account('default').faults().denyActions).toEqual(['DescribeDeploymentJob', 'CreateDeploymentJob']);
    const denied = await failureOf(call('DescribeDeploymentJob', { JobId: jobId }));
    expect(denied).toMatchObject({ statusCode: 403, code: 'NoPermission' });
    expect(denied.accessDeniedDetail?.AuthAction).toBe('yundun-cert:DescribeDeployment');
    const create = await failureOf(
      call('CreateDeploymentJob', {
        Name: 'x',
        JobType: 'user',
        CertIds: String(renewed.certificateId),
        ResourceIds: String(slb.id),
        ContactIds: '519580',
      }),
    );
    expect(create.accessDeniedDetail?.AuthAction).toBe('yundun-cert:CreateDeploymentJob');
    expect((await control.state()).jobs).toHaveLength(1);
    await expect(call('DescribeDeploymentJobStatus', { JobId: jobId })).resolves.toHaveProperty('WorkerCount', 1);
  });

  test('a wrong signature creates nothing', async () => {
    const { renewed, slb } = renewal();
    const forged = sandboxClient(sandbox, { accessKeySecret: 'not-the-secret' });
    const refused = await failureOf(
      callCas(forged, 'CreateDeploymentJob', SSL, {
        Name: 'x',
        JobType: 'user',
        CertIds: String(renewed.certificateId),
        ResourceIds: String(slb.id),
        ContactIds: '519580',
      }),
    );
    expect(refused.code).toBe('SignatureDoesNotMatch');
    expect((await control.state()).jobs).toEqual([]);
  });
});

test('the deployment operations share the account QPS window with every other operation', async () => {
  const limited = await startSandbox({ certs: 5, seed: 22, qps: 3 });
  try {
    const c = sandboxClient(limited);
    const results = await Promise.allSettled([
      callCas(c, 'ListContact', SSL),
      callCas(c, 'ListDeploymentJob', SSL),
      callCas(c, 'GetRiskCount', SSL),
      callCas(c, 'ListContact', SSL),
      callCas(c, 'ListDeploymentJob', SSL),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected'))
      expect(r.reason).toMatchObject({ code: 'Throttling.User' });
  } finally {
    await limited.close();
  }
});

describe('lists and contacts', () => {
  test('ListDeploymentJob newest first, filtered by status; ListContact with a keyword and added contacts', async () => {
    const { renewed, slb, cdn } = renewal();
    const first = await createJob({ Name: 'a', CertIds: String(renewed.certificateId), ResourceIds: String(slb.id) });
    const second = await createJob({ Name: 'b', CertIds: String(renewed.certificateId), ResourceIds: String(cdn.id) });
    await call('UpdateDeploymentJobStatus', { JobId: second, Status: 'scheduling' });
    const all = await call('ListDeploymentJob', { JobType: 'user' });
    expect(all.Total).toBe(2);
    expect((all.Data as Array<{ Id: number }>).map((j) => j.Id)).toEqual([second, first]);
    const editing = await call('ListDeploymentJob', { Status: 'editing' });
    expect((editing.Data as Array<{ Name: string }>).map((j) => j.Name)).toEqual(['a']);
    expect(await failureOf(call('ListDeploymentJob', { Status: 'done' }))).toMatchObject({ code: 'InvalidParameter' });

    const contacts = await call('ListContact');
    expect(contacts.TotalCount).toBe(2);
    expect(contacts).not.toHaveProperty('Total');
    const added = await control.addContact({ name: 'Release managers', email: 'release@example.com' });
    const found = await call('ListContact', { Keyword: 'release' });
    expect(found.ContactList).toEqual([
      expect.objectContaining({ ContactId: added.contactId, Name: 'Release managers' }),
    ]);
    const jobId = await createJob({
      CertIds: String(renewed.certificateId),
      ResourceIds: String(slb.id),
      ContactIds: String(added.contactId),
    });
    const job = await call('DescribeDeploymentJob', { JobId: jobId });
    expect(job.CasContacts).toEqual([
      { Id: String(added.contactId), Name: 'Release managers', Email: 'release@example.com', Mobile: '' },
    ]);
  });

  test('control routes refuse bad input and unknown IDs, naming them', async () => {
    const post = async (route: string, body: unknown) => {
      const res = await fetch(`${sandbox.url}${CONTROL_PREFIX}deployments${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { error: string } };
    };
    expect(await post('/settings', { startMode: 'later' })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('startMode') },
    });
    expect(await post('/settings', { workerDurationMs: -1 })).toMatchObject({ status: 400 });
    expect(await post('/workers/999999', { fail: true })).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining('no worker 999999') },
    });
    const res = await fetch(`${sandbox.url}${CONTROL_PREFIX}deployments/jobs/12345678`);
    expect(res.status).toBe(404);
  });
});
