import type { AssignCertificateCountResult, CasApi } from '../cas/types';
import { type Assignment, parseAssignment } from '../domain/assignment';
import { describeError } from '../domain/error-description';
import type { AuditLog, ClaimStore, ConfirmationStore } from '../store/types';

/** The kind of a pending /cert-assign request in the confirmations store, and of its decision claim. */
export const ASSIGN_CONFIRMATION_KIND = 'cert-assign';

/**
 * A decision is never taken over: a holder that died mid-call may have changed the quota, so
 * only a person, with a new /cert-assign, may try again.
 */
const DECISION_LEASE_MS = 100 * 365 * 86_400_000;

export interface DecideDeps {
  store: { confirmations: ConfirmationStore; claims: ClaimStore; audit: AuditLog };
  accounts: ReadonlyArray<{ name: string; cas: Pick<CasApi, 'assignCertificateCount'> }>;
  adminUserIds: readonly string[];
  instanceId: string;
  now: () => Date;
}

export interface Decision {
  decision: 'confirm' | 'cancel';
  /** The pending request's nonce, from the button. */
  nonce: string;
  userId: string;
  teamId?: string;
  channelId?: string;
}

/** What was decided, for the person who pressed the button (or ran the command). */
export type DecisionOutcome =
  | { kind: 'unavailable'; reason: 'unknown' | 'expired' | 'invalid'; detail?: string }
  | { kind: 'not-yours'; requester: string }
  | { kind: 'already-decided'; status: string }
  | { kind: 'cancelled'; assignment: DecidedAssignment }
  | { kind: 'done'; assignment: DecidedAssignment; result: AssignCertificateCountResult }
  | { kind: 'failed'; assignment: DecidedAssignment; error: unknown };

export type DecidedAssignment = Assignment & { adminId: string; account: string };

/**
 * Confirm or Cancel of a /cert-assign request. The pending request is read from the store by
 * its nonce; only the admin who asked may decide, and only while still an admin and before it
 * expires; every press is audited. The decision is an exactly-once claim, so a Confirm pressed
 * twice, replayed after a restart or sent to two replicas runs AssignCertificateCount once.
 */
export async function decideAssignment(deps: DecideDeps, input: Decision): Promise<DecisionOutcome> {
  const { decision, nonce, userId } = input;
  const audit = { userId, teamId: input.teamId, channelId: input.channelId, action: 'cert-assign' };
  const pending = await deps.store.confirmations.get(nonce);
  const parsed =
    pending?.kind === ASSIGN_CONFIRMATION_KIND
      ? parseAssignment([pending.payload.dataSourceId, pending.payload.count])
      : undefined;
  // Requests stored before accounts existed carry none: they were for the first (only) account.
  const accountName = typeof pending?.payload.account === 'string' ? pending.payload.account : deps.accounts[0].name;
  const account = deps.accounts.find((a) => a.name === accountName);
  const details =
    parsed && typeof parsed !== 'string'
      ? { dataSourceId: parsed.dataSourceId, count: parsed.count, account: accountName }
      : {};
  const deny = async (outcome: DecisionOutcome, reason: string): Promise<DecisionOutcome> => {
    await deps.store.audit.record({
      ...audit,
      at: deps.now(),
      outcome: 'denied',
      details: { ...details, decision, reason },
    });
    return outcome;
  };
  if (!pending || parsed === undefined) return deny({ kind: 'unavailable', reason: 'unknown' }, 'unknown');
  if (pending.requester !== userId || !deps.adminUserIds.includes(userId))
    return deny({ kind: 'not-yours', requester: pending.requester }, 'not the requester');
  if (typeof parsed === 'string') return deny({ kind: 'unavailable', reason: 'invalid', detail: parsed }, 'invalid');
  if (pending.expiresAt.getTime() <= deps.now().getTime())
    return deny({ kind: 'unavailable', reason: 'expired' }, 'expired');
  if (!account)
    return deny(
      { kind: 'unavailable', reason: 'invalid', detail: `account ${accountName} is no longer configured` },
      'unknown account',
    );

  const key = { kind: ASSIGN_CONFIRMATION_KIND, subject: nonce, period: 'decision' };
  const claimed = await deps.store.claims.claim({
    ...key,
    holder: deps.instanceId,
    now: deps.now(),
    leaseMs: DECISION_LEASE_MS,
  });
  if (!claimed) return { kind: 'already-decided', status: (await deps.store.claims.get(key))?.status ?? 'claimed' };
  const assignment = { ...parsed, adminId: userId, account: account.name };
  if (decision === 'cancel') {
    await deps.store.audit.record({ ...audit, at: deps.now(), outcome: 'cancelled', details });
    await deps.store.claims.finish(key, deps.instanceId, { status: 'cancelled', now: deps.now() });
    return { kind: 'cancelled', assignment };
  }
  await deps.store.audit.record({ ...audit, at: deps.now(), outcome: 'confirmed', details });
  try {
    const result = await account.cas.assignCertificateCount({ id: parsed.dataSourceId, certTotalCount: parsed.count });
    await deps.store.audit.record({
      ...audit,
      at: deps.now(),
      outcome: 'succeeded',
      details: { ...details, certCount: result.CertCount, currentYearFreeCertCount: result.CurrentYearFreeCertCount },
      requestId: result.RequestId,
    });
    await deps.store.claims.finish(key, deps.instanceId, {
      status: 'succeeded',
      now: deps.now(),
      result: { requestId: result.RequestId ?? null },
    });
    return { kind: 'done', assignment, result };
  } catch (error) {
    const { code, requestId } = describeError(error);
    await deps.store.audit.record({
      ...audit,
      at: deps.now(),
      outcome: 'failed',
      details: { ...details, error: code ?? 'error' },
      requestId,
    });
    await deps.store.claims.finish(key, deps.instanceId, { status: 'failed', now: deps.now(), error: code ?? 'error' });
    return { kind: 'failed', assignment, error };
  }
}
