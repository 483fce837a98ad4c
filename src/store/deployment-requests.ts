import type { DeploymentRequest, DeploymentRequestState } from '../domain/deployment-request';
import { type Database, readJson, readTime, writeJson, writeTime } from './database';

/** The fields a step may change besides the state. */
export type DeploymentRequestPatch = Partial<
  Pick<DeploymentRequest, 'approver' | 'messageTs' | 'resources' | 'jobId' | 'scheduleAt' | 'progress'>
>;

export interface DeploymentRequestStore {
  /** Stores a new request; a second request with the same ID is refused (unique key). */
  create(request: DeploymentRequest): Promise<void>;
  get(id: string): Promise<DeploymentRequest | undefined>;
  /**
   * Moves the request from one of `from` to `to` in one conditional update: of several callers
   * (a double press, two replicas, a replay) exactly one gets the updated request, the others
   * undefined.
   */
  transition(
    id: string,
    from: readonly DeploymentRequestState[],
    to: DeploymentRequestState,
    patch: DeploymentRequestPatch,
    now: Date,
  ): Promise<DeploymentRequest | undefined>;
  /** Changes fields without moving the state (the message ts, the progress). */
  update(id: string, patch: DeploymentRequestPatch, now: Date): Promise<void>;
  /** Requests in these states, oldest first. */
  list(states: readonly DeploymentRequestState[], limit?: number): Promise<DeploymentRequest[]>;
  /** The request that made this CAS job. */
  byJob(jobId: number): Promise<DeploymentRequest | undefined>;
}

type Row = {
  id: string;
  state: string;
  account: string;
  requester: string;
  approver: string | null;
  channel: string;
  message_ts: string | null;
  old_certificate_id: string;
  new_certificate_id: string;
  resources: unknown;
  note: string | null;
  job_id: string | null;
  schedule_at: Date | string | null;
  created_at: Date | string;
  expires_at: Date | string;
  updated_at: Date | string;
  progress: unknown;
};

function patchColumns(patch: DeploymentRequestPatch, now: Date) {
  const set: Record<string, string | null> = { updated_at: writeTime(now) };
  if ('approver' in patch) set.approver = patch.approver ?? null;
  if ('messageTs' in patch) set.message_ts = patch.messageTs ?? null;
  if ('resources' in patch) set.resources = writeJson(patch.resources ?? []);
  if ('jobId' in patch) set.job_id = patch.jobId === undefined ? null : String(patch.jobId);
  if ('scheduleAt' in patch) set.schedule_at = patch.scheduleAt ? writeTime(patch.scheduleAt) : null;
  if ('progress' in patch) set.progress = patch.progress ? writeJson(patch.progress) : null;
  return set;
}

function toRequest(row: Row): DeploymentRequest {
  const stored = readJson<{ targets: DeploymentRequest['resources']; facts?: DeploymentRequest['facts'] } | unknown[]>(
    row.resources,
  );
  // Resources and the certificates' facts share one column: { targets, facts }.
  const { targets, facts } = Array.isArray(stored)
    ? { targets: stored as DeploymentRequest['resources'], facts: undefined }
    : stored;
  const request: DeploymentRequest = {
    id: row.id,
    state: row.state as DeploymentRequestState,
    account: row.account,
    requester: row.requester,
    channel: row.channel,
    oldCertificateId: row.old_certificate_id,
    newCertificateId: row.new_certificate_id,
    resources: targets,
    createdAt: readTime(row.created_at),
    expiresAt: readTime(row.expires_at),
    updatedAt: readTime(row.updated_at),
  };
  if (facts) request.facts = facts;
  if (row.approver !== null) request.approver = row.approver;
  if (row.message_ts !== null) request.messageTs = row.message_ts;
  if (row.note !== null) request.note = row.note;
  if (row.job_id !== null) request.jobId = Number(row.job_id);
  if (row.schedule_at !== null) request.scheduleAt = readTime(row.schedule_at);
  if (row.progress !== null && row.progress !== undefined)
    request.progress = readJson<NonNullable<DeploymentRequest['progress']>>(row.progress);
  return request;
}

/** Deployment requests in the store's own table (SQLite and PostgreSQL alike). */
export function deploymentRequestStore({ db }: Database): DeploymentRequestStore {
  // The resources column keeps the facts too, so a patch of resources must keep them.
  const resourcesJson = async (id: string, resources: DeploymentRequest['resources']) => {
    const current = await db.selectFrom('deployment_requests').selectAll().where('id', '=', id).executeTakeFirst();
    const facts = current ? toRequest(current as Row).facts : undefined;
    return writeJson({ targets: resources, facts });
  };
  const columns = async (id: string, patch: DeploymentRequestPatch, now: Date) => {
    const set = patchColumns(patch, now);
    if (patch.resources) set.resources = await resourcesJson(id, patch.resources);
    return set;
  };
  return {
    async create(request) {
      await db
        .insertInto('deployment_requests')
        .values({
          id: request.id,
          state: request.state,
          account: request.account,
          requester: request.requester,
          approver: request.approver ?? null,
          channel: request.channel,
          message_ts: request.messageTs ?? null,
          old_certificate_id: request.oldCertificateId,
          new_certificate_id: request.newCertificateId,
          resources: writeJson({ targets: request.resources, facts: request.facts }),
          note: request.note ?? null,
          job_id: request.jobId === undefined ? null : String(request.jobId),
          schedule_at: request.scheduleAt ? writeTime(request.scheduleAt) : null,
          created_at: writeTime(request.createdAt),
          expires_at: writeTime(request.expiresAt),
          updated_at: writeTime(request.updatedAt),
          progress: request.progress ? writeJson(request.progress) : null,
        })
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('deployment_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRequest(row as Row) : undefined;
    },
    async transition(id, from, to, patch, now) {
      if (from.length === 0) return undefined;
      const row = await db
        .updateTable('deployment_requests')
        .set({ ...(await columns(id, patch, now)), state: to })
        .where('id', '=', id)
        .where('state', 'in', [...from])
        .returningAll()
        .executeTakeFirst();
      return row ? toRequest(row as Row) : undefined;
    },
    async update(id, patch, now) {
      await db
        .updateTable('deployment_requests')
        .set(await columns(id, patch, now))
        .where('id', '=', id)
        .execute();
    },
    async list(states, limit = 500) {
      if (states.length === 0) return [];
      const rows = await db
        .selectFrom('deployment_requests')
        .selectAll()
        .where('state', 'in', [...states])
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => toRequest(row as Row));
    },
    async byJob(jobId) {
      const row = await db
        .selectFrom('deployment_requests')
        .selectAll()
        .where('job_id', '=', String(jobId))
        .executeTakeFirst();
      return row ? toRequest(row as Row) : undefined;
    },
  };
}
