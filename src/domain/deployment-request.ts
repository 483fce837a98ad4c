/**
 * A deployment request made in Slack and its life: requested by one person, approved (or
 * rejected) by another, then the CAS job it made, followed to the end. Pure rules: who may do
 * what, which states still move, and how a request is described in a few words.
 */
import type { DeploymentTarget } from './deployment-plan';

export const DEPLOYMENT_REQUEST_STATES = [
  'requested',
  'approved',
  'rejected',
  'expired',
  'creating',
  'created',
  'started',
  'tracking',
  'succeeded',
  'failed',
  'rolling-back',
  'rolled-back',
] as const;

export type DeploymentRequestState = (typeof DEPLOYMENT_REQUEST_STATES)[number];

/** States the tracker moves on: after approval and before the job ended (or a request waiting to expire). */
export const MOVING_STATES: readonly DeploymentRequestState[] = [
  'requested',
  'approved',
  'creating',
  'created',
  'started',
  'tracking',
  'rolling-back',
];

/** States in which nothing will change any more without a new request (a rollback aside). */
export const FINAL_STATES: readonly DeploymentRequestState[] = [
  'rejected',
  'expired',
  'succeeded',
  'failed',
  'rolled-back',
];

/** A failed worker as the request message lists it. */
export interface FailedWorkerSummary {
  workerId: number;
  status: string;
  /** "SLB cn-hangzhou lb-1x2y:443" */
  where: string;
  error?: string;
}

/** What an endpoint of the deployed resources served when probed after the job. */
export interface DeploymentProbeSummary {
  /** `host:port` */
  endpoint: string;
  /** The probe verdict (ok, old, unmanaged, unreachable, pending …). */
  verdict: string;
  /** The CAS certificate it serves, when it serves one CAS holds. */
  certificateId?: string;
  /** The probe failed (and `text` says why). */
  failed?: boolean;
  /** The verdict in a sentence. */
  text: string;
}

/** What the tracker last read of the job. */
export interface DeploymentProgress {
  /** "3 of 5 resources done, 1 failed" */
  summary: string;
  total: number;
  deployed: number;
  failed: number;
  jobStatus?: string;
  failedWorkers: FailedWorkerSummary[];
  /** Resources the approval dropped because they had left the old certificate, in words. */
  dropped?: string[];
  /** After the job ended: resources still on the old certificate, in words. */
  left?: string[];
  /** Why the request stopped (CAS refused the create, nothing left to deploy …), for the message. */
  problem?: string;
  /** The CAS contact the job notifies, when the bot chose it (DEPLOY_CONTACT_IDS unset). */
  contact?: string;
  /** Who asked for the rollback. */
  rollbackBy?: string;
  /** Workers already counted in the workers metric, so a restart does not count them twice. */
  counted?: boolean;
  /** After the job ended, with live probing on: what the resources' endpoints serve, and when probed (ISO). */
  probed?: DeploymentProbeSummary[];
  probedAt?: string;
}

export interface DeploymentRequest {
  /** The nonce: random, 24 base64url characters; goes into the job's Name. */
  id: string;
  state: DeploymentRequestState;
  account: string;
  requester: string;
  approver?: string;
  channel: string;
  /** The request message, updated in place as the job moves. */
  messageTs?: string;
  oldCertificateId: string;
  newCertificateId: string;
  /** What goes where: the resources the requester selected (after approval: those still on the old certificate). */
  resources: DeploymentTarget[];
  /** Names and end dates shown in the message, kept so the message renders without CAS. */
  facts?: { oldNames?: string[]; oldEndDate?: string; newNames?: string[]; newEndDate?: string };
  note?: string;
  jobId?: number;
  /** Outside DEPLOY_HOURS: when the job runs. */
  scheduleAt?: Date;
  createdAt: Date;
  expiresAt: Date;
  updatedAt: Date;
  progress?: DeploymentProgress;
}

/** Expired: marked so, or still waiting for approval past its time. */
export function isExpired(request: Pick<DeploymentRequest, 'state' | 'expiresAt'>, now: Date): boolean {
  if (request.state === 'expired') return true;
  return request.state === 'requested' && request.expiresAt.getTime() <= now.getTime();
}

/** Whether `userId` is named directly or through one of `groupsOf(userId)` in `principals`. */
export function isAllowed(principals: readonly string[], userId: string, groups: readonly string[] = []): boolean {
  return principals.includes(userId) || groups.some((group) => principals.includes(group));
}

/** Why an approval or rejection is refused before anything else is looked at, or undefined. */
export function decisionRefusal(
  request: Pick<DeploymentRequest, 'requester' | 'state' | 'expiresAt'>,
  input: { userId: string; approver: boolean; decision: 'approve' | 'reject'; now: Date },
): 'own-request' | 'not-approver' | 'expired' | undefined {
  // The requester may withdraw (reject) their own request, never approve it.
  if (input.decision === 'approve' && input.userId === request.requester) return 'own-request';
  if (!input.approver && !(input.decision === 'reject' && input.userId === request.requester)) return 'not-approver';
  if (isExpired(request, input.now)) return 'expired';
  return undefined;
}
