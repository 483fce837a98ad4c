import Cas, * as $Cas from '@alicloud/cas20200407';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { CasClient } from '../../src/cas/client';
import { DEPLOYMENT_OPERATIONS } from '../../src/cas/deployment-operations';
import {
  type CallRecord,
  connectDeployments,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  type DeploymentControl,
  type Sandbox,
  startSandbox,
} from '../../src/sandbox';
import { clientFor } from '../helpers/cas';
import { addStaleRenewal } from '../helpers/renewal';

/**
 * The deployment operations' shapes are the real API's: each is sent through the official
 * generated SDK (@alicloud/cas20200407, its request and response models, its own signer) to the
 * simulator, and every field the simulator answers must be a field of the SDK's response model
 * with the model's JSON type (a string is not a number, a boolean is not 1). The same
 * operations through our own client must send only parameter names the SDK's request models
 * have, and read the same answers.
 */

type ModelClass = { names(): Record<string, string>; types(): Record<string, unknown> };

/** The official client, keeping each raw JSON body as the simulator sent it. */
class RecordingClient extends Cas {
  bodies: unknown[] = [];
  override async callApi(...args: Parameters<Cas['callApi']>): ReturnType<Cas['callApi']> {
    const response = await super.callApi(...args);
    this.bodies.push(JSON.parse(JSON.stringify(response.body)));
    return response;
  }
}

/** Where a raw body breaks the model: unknown fields and fields of another JSON type. */
function shapeProblems(value: unknown, model: ModelClass, path = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path || 'body'}: not an object`];
  const names = model.names();
  const types = model.types();
  const byWire = new Map(Object.entries(names).map(([key, wire]) => [wire, types[key]]));
  const problems: string[] = [];
  for (const [field, fieldValue] of Object.entries(value)) {
    const at = path ? `${path}.${field}` : field;
    if (!byWire.has(field)) {
      problems.push(`${at}: not in the SDK model`);
      continue;
    }
    problems.push(...typeProblems(fieldValue, byWire.get(field), at));
  }
  return problems;
}

function typeProblems(value: unknown, type: unknown, at: string): string[] {
  if (value === null || value === undefined) return [];
  if (type === 'any' || type === 'map') return [];
  if (typeof type === 'string') return typeof value === type ? [] : [`${at}: ${typeof value}, the SDK says ${type}`];
  if (typeof type === 'function') return shapeProblems(value, type as unknown as ModelClass, at);
  const described = type as { type?: string; itemType?: unknown };
  if (described.type === 'array') {
    if (!Array.isArray(value)) return [`${at}: not an array`];
    return value.flatMap((item, i) => typeProblems(item, described.itemType, `${at}[${i}]`));
  }
  return [`${at}: unknown SDK type ${JSON.stringify(type)}`];
}

/** The wire names of an SDK request model. */
const requestNames = (model: ModelClass) => Object.values(model.names());

let sandbox: Sandbox;
let sdk: RecordingClient;
let ours: CasClient;
let control: DeploymentControl;

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 10, seed: 41, qps: 100 });
  control = connectDeployments(sandbox.url);
  sdk = new RecordingClient(
    new $OpenApiUtil.Config({
      endpoint: sandbox.endpoint,
      protocol: 'http',
      accessKeyId: DEFAULT_ACCESS_KEY_ID,
      accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
      regionId: 'cn-hangzhou',
    }),
  );
  ours = clientFor(sandbox);
});
afterAll(async () => {
  await ours.close();
  await sandbox.close();
});

/** The calls the simulator received for one action, newest last. */
const received = (action: string): CallRecord[] => sandbox.calls.filter((c) => c.action === action);

test('every deployment operation, through the official SDK and through our client, in the real shapes', async () => {
  const name = 'sdk.deploy.example.com';
  const { renewed, resources } = addStaleRenewal(sandbox, name, [
    { product: 'ALB', listenerPort: 443 },
    { product: 'CDN', domain: name },
    { product: 'TencentCDN', domain: name },
  ]);
  const [slb, cdn, tencent] = resources;
  await control.configure({ workerDurationMs: 50, rollbackDurationMs: 50, failResources: [cdn.id] });

  // Each step: the SDK call, the model its body must fit, and the request model it was sent with.
  const checked: string[] = [];
  async function viaSdk<R extends { body?: unknown }>(
    action: string,
    requestModel: ModelClass,
    bodyModel: ModelClass,
    send: () => Promise<R>,
  ): Promise<R> {
    const response = await send();
    const raw = sdk.bodies.at(-1);
    expect({ action, problems: shapeProblems(raw, bodyModel) }).toEqual({ action, problems: [] });
    const sent = Object.keys(received(action).at(-1)?.query ?? {});
    const allowed = requestNames(requestModel);
    expect({ action, unknown: sent.filter((p) => !allowed.includes(p)) }).toEqual({ action, unknown: [] });
    checked.push(action);
    return response;
  }

  const createRequest = new $Cas.CreateDeploymentJobRequest({
    name: 'sdk-job',
    jobType: 'user',
    certIds: String(renewed.certificateId),
    resourceIds: `${slb.id},${cdn.id}`,
    contactIds: '519580',
    scheduleTime: Date.now() - 1_000,
  });
  const created = await viaSdk(
    'CreateDeploymentJob',
    $Cas.CreateDeploymentJobRequest,
    $Cas.CreateDeploymentJobResponseBody,
    () => sdk.createDeploymentJob(createRequest),
  );
  const jobId = created.body?.jobId as number;
  expect(jobId).toBeGreaterThan(0);

  const describeRequest = new $Cas.DescribeDeploymentJobRequest({ jobId });
  const described = await viaSdk(
    'DescribeDeploymentJob',
    $Cas.DescribeDeploymentJobRequest,
    $Cas.DescribeDeploymentJobResponseBody,
    () => sdk.describeDeploymentJob(describeRequest),
  );
  expect(described.body).toMatchObject({ id: jobId, name: 'sdk-job', status: 'editing', jobType: 'user' });
  expect(described.body?.casContacts?.[0]).toMatchObject({ id: '519580' });

  const updateRequest = new $Cas.UpdateDeploymentJobStatusRequest({ jobId, status: 'pending' });
  await viaSdk(
    'UpdateDeploymentJobStatus',
    $Cas.UpdateDeploymentJobStatusRequest,
    $Cas.UpdateDeploymentJobStatusResponseBody,
    () => sdk.updateDeploymentJobStatus(updateRequest),
  );
  await new Promise((resolve) => setTimeout(resolve, 80));

  const statusRequest = new $Cas.DescribeDeploymentJobStatusRequest({ jobId });
  const status = await viaSdk(
    'DescribeDeploymentJobStatus',
    $Cas.DescribeDeploymentJobStatusRequest,
    $Cas.DescribeDeploymentJobStatusResponseBody,
    () => sdk.describeDeploymentJobStatus(statusRequest),
  );
  expect(status.body).toMatchObject({ workerCount: 2, successCount: 1, failedCount: 1 });

  const listRequest = new $Cas.ListDeploymentJobRequest({
    jobType: 'user',
    status: 'error',
    currentPage: 1,
    showSize: 10,
  });
  const listed = await viaSdk(
    'ListDeploymentJob',
    $Cas.ListDeploymentJobRequest,
    $Cas.ListDeploymentJobResponseBody,
    () => sdk.listDeploymentJob(listRequest),
  );
  expect(listed.body?.data?.map((job) => job.id)).toEqual([jobId]);

  const workersRequest = new $Cas.ListWorkerResourceRequest({ jobId, currentPage: 1, showSize: 10 });
  const workers = await viaSdk(
    'ListWorkerResource',
    $Cas.ListWorkerResourceRequest,
    $Cas.ListWorkerResourceResponseBody,
    () => sdk.listWorkerResource(workersRequest),
  );
  const deployed = workers.body?.data?.find((w) => w.status === 'success');
  expect(deployed).toMatchObject({ resourceId: slb.id, port: 443, cloudProduct: 'ALB', defaultResource: true });

  const rollbackRequest = new $Cas.UpdateWorkerResourceStatusRequest({
    jobId,
    workerId: deployed?.id,
    status: 'rollback',
  });
  await viaSdk(
    'UpdateWorkerResourceStatus',
    $Cas.UpdateWorkerResourceStatusRequest,
    $Cas.UpdateWorkerResourceStatusResponseBody,
    () => sdk.updateWorkerResourceStatus(rollbackRequest),
  );

  const contactRequest = new $Cas.ListContactRequest({ keyword: 'cert', currentPage: 1, showSize: 20 });
  const contacts = await viaSdk('ListContact', $Cas.ListContactRequest, $Cas.ListContactResponseBody, () =>
    sdk.listContact(contactRequest),
  );
  expect(contacts.body?.contactList?.map((c) => c.contactId)).toEqual([519580]);

  // A multi-cloud worker carries CloudName, an Alibaba Cloud one does not: both fit the model.
  const cloudJob = await sdk.createDeploymentJob(
    new $Cas.CreateDeploymentJobRequest({
      name: 'sdk-cloud-job',
      jobType: 'cloud',
      certIds: String(renewed.certificateId),
      resourceIds: String(tencent.id),
      contactIds: '519580',
    }),
  );
  const cloudWorkers = await viaSdk(
    'ListWorkerResource',
    $Cas.ListWorkerResourceRequest,
    $Cas.ListWorkerResourceResponseBody,
    () => sdk.listWorkerResource(new $Cas.ListWorkerResourceRequest({ jobId: cloudJob.body?.jobId })),
  );
  expect(cloudWorkers.body?.data?.[0]).toMatchObject({ cloudName: 'Tencent', cloudProduct: 'TencentCDN' });

  expect(new Set(checked)).toEqual(new Set(Object.keys(DEPLOYMENT_OPERATIONS)));

  // Our client: the same operations, parameter names the SDK's request models know, the same answers.
  sandbox.resetCalls();
  await control.configure({ workerDurationMs: 60_000 });
  const ourJob = await ours.createDeploymentJob({
    name: 'our-job',
    certIds: [String(renewed.certificateId)],
    resourceIds: [String(cdn.id)],
    contactIds: ['519580'],
    scheduleTime: new Date(Date.now() + 3_600_000),
  });
  await ours.updateDeploymentJobStatus(ourJob.JobId, 'pending');
  const ourJobView = await ours.describeDeploymentJob(ourJob.JobId);
  const ourStatus = await ours.describeDeploymentJobStatus(ourJob.JobId);
  const ourFound = await ours.findDeploymentJobByName('our-job');
  const ourWorkers = await ours.listWorkerResources(jobId);
  const ourContacts = await ours.listContacts({ keyword: 'oncall' });
  expect(ourJobView).toMatchObject({ Id: ourJob.JobId, Status: 'pending', Name: 'our-job' });
  expect(ourStatus).toMatchObject({ WorkerCount: 1, SuccessCount: 0 });
  expect(ourFound?.Id).toBe(ourJob.JobId);
  expect(ourWorkers.map((w) => w.Status).sort()).toEqual(['error', 'rollback_success']);
  expect(ourContacts.map((c) => c.ContactId)).toEqual([519581]);
  await control.configure({ workerDurationMs: 1 });
  const now = await ours.createDeploymentJob({
    name: 'our-job-now',
    certIds: [String(renewed.certificateId)],
    resourceIds: [String(slb.id)],
    contactIds: ['519580'],
  });
  await ours.updateDeploymentJobStatus(now.JobId, 'scheduling');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const [ourWorker] = await ours.listWorkerResources(now.JobId, { status: 'success' });
  expect(ourWorker).toMatchObject({ ResourceId: slb.id, Port: 443, DefaultResource: true });
  await ours.rollbackWorker(now.JobId, ourWorker?.Id as number);

  const models: Record<string, ModelClass> = {
    CreateDeploymentJob: $Cas.CreateDeploymentJobRequest,
    UpdateDeploymentJobStatus: $Cas.UpdateDeploymentJobStatusRequest,
    DescribeDeploymentJob: $Cas.DescribeDeploymentJobRequest,
    DescribeDeploymentJobStatus: $Cas.DescribeDeploymentJobStatusRequest,
    ListDeploymentJob: $Cas.ListDeploymentJobRequest,
    ListWorkerResource: $Cas.ListWorkerResourceRequest,
    UpdateWorkerResourceStatus: $Cas.UpdateWorkerResourceStatusRequest,
    ListContact: $Cas.ListContactRequest,
  };
  for (const call of sandbox.calls) {
    const model = models[call.action];
    if (!model) continue;
    const unknown = Object.keys(call.query).filter((p) => !requestNames(model).includes(p));
    expect({ action: call.action, unknown }).toEqual({ action: call.action, unknown: [] });
  }
  expect(new Set(sandbox.calls.map((c) => c.action))).toEqual(new Set(Object.keys(models)));
  expect(sandbox.calls.every((c) => c.status === 200)).toBe(true);
});

test('the RAM action of each operation is yundun-cert:<Action>, except DescribeDeploymentJob', () => {
  const actions = Object.fromEntries(Object.values(DEPLOYMENT_OPERATIONS).map((o) => [o.action, o.ramAction]));
  expect(actions).toEqual({
    CreateDeploymentJob: 'yundun-cert:CreateDeploymentJob',
    UpdateDeploymentJobStatus: 'yundun-cert:UpdateDeploymentJobStatus',
    DescribeDeploymentJob: 'yundun-cert:DescribeDeployment',
    DescribeDeploymentJobStatus: 'yundun-cert:DescribeDeploymentJobStatus',
    ListDeploymentJob: 'yundun-cert:ListDeploymentJob',
    ListWorkerResource: 'yundun-cert:ListWorkerResource',
    UpdateWorkerResourceStatus: 'yundun-cert:UpdateWorkerResourceStatus',
    ListContact: 'yundun-cert:ListContact',
  });
});
