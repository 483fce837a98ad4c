/**
 * What deploying a renewal would do: the replacement of an old certificate and every resource
 * still serving the old one, or why there is nothing to deploy. Pure: the caller passes the
 * certificates (the inventory, or CAS's listing), the resources serving the old certificate
 * (ListCloudResources) and `now`; the replacement is the one the rest of the bot infers
 * (replacement.ts), so a plan never names another certificate than an alert does.
 */
import { type Certificate, certificateNames } from './certificate';
import type { ServingResource } from './deployment';
import { type InventoryCertificate, findReplacementsByAccount } from './replacement';

/** A resource a job can deploy to: ListCloudResources' record (`id`) and what a person recognises it by. */
export interface DeploymentTarget extends ServingResource {
  listenerId?: string;
}

/** Another cloud's resource is deployed by a multi-cloud (`cloud`) job, which the bot does not create. */
export interface SkippedTarget {
  resource: DeploymentTarget;
  reason: 'other-cloud';
}

export interface DeploymentPlan {
  account: string;
  /** The certificate still serving. */
  old: Certificate;
  /** What replaces it: its ID, names and end date. */
  replacement: Certificate;
  /** Every Alibaba Cloud resource still on the old certificate, in a stable order (product, region, where). */
  resources: DeploymentTarget[];
  /** Resources on the old certificate that this plan leaves alone, and why. */
  skipped: SkippedTarget[];
}

/**
 * Why there is no plan:
 * - `unknown-certificate`: no certificate with that ID in the account;
 * - `no-replacement`: nothing renews it (no valid certificate covering all its names ends later);
 * - `nothing-stale`: renewed, but no resource serves the old certificate any more;
 * - `other-clouds-only`: the only resources left are other clouds' (a CAS console job).
 */
export type NoPlanReason =
  | { kind: 'unknown-certificate'; certificateId: string }
  | { kind: 'no-replacement'; old: Certificate }
  | { kind: 'nothing-stale'; old: Certificate; replacement: Certificate }
  | { kind: 'other-clouds-only'; old: Certificate; replacement: Certificate; skipped: SkippedTarget[] };

export type PlanOutcome = { plan: DeploymentPlan } | { noPlan: NoPlanReason };

export interface PlanInput {
  account: string;
  /** The old certificate's ID (CertificateId). */
  certificateId: string;
  /** The account's certificates (others are ignored): the old one and its candidates. */
  certificates: readonly InventoryCertificate[];
  /** Resources as ListCloudResources lists them; only those on the old certificate count. */
  resources: readonly DeploymentTarget[];
  now: Date;
}

/** `aliyun` (or unknown, as CAS leaves it out for its own products) is what a `user` job deploys to. */
export function isAlibabaCloud(resource: Pick<ServingResource, 'cloud'>): boolean {
  return resource.cloud === undefined || resource.cloud.toLowerCase() === 'aliyun';
}

function byPlace(a: DeploymentTarget, b: DeploymentTarget): number {
  const key = (r: DeploymentTarget) =>
    [r.product ?? '', r.region ?? '', r.instanceId ?? '', r.listenerPort?.padStart(5, '0') ?? '', r.domain ?? ''].join(
      '\u0000',
    );
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The plan for deploying the replacement of `certificateId`, or why there is none. */
export function planDeployment(input: PlanInput): PlanOutcome {
  const certificates = input.certificates.filter((c) => c.account === input.account && c.removedAt === undefined);
  const old = certificates.find((c) => c.id === input.certificateId || c.certificateId === input.certificateId);
  if (!old) return { noPlan: { kind: 'unknown-certificate', certificateId: input.certificateId } };
  const replacement = findReplacementsByAccount(certificates, input.now).get(input.account)?.get(old.id);
  if (!replacement) return { noPlan: { kind: 'no-replacement', old } };
  const oldId = old.certificateId ?? old.id;
  const serving = input.resources.filter((r) => r.certificateId === oldId).sort(byPlace);
  const resources = serving.filter(isAlibabaCloud);
  const skipped = serving
    .filter((r) => !isAlibabaCloud(r))
    .map((resource): SkippedTarget => ({ resource, reason: 'other-cloud' }));
  if (serving.length === 0) return { noPlan: { kind: 'nothing-stale', old, replacement } };
  if (resources.length === 0) return { noPlan: { kind: 'other-clouds-only', old, replacement, skipped } };
  return { plan: { account: input.account, old, replacement, resources, skipped } };
}

/** "12345678 (shop.example.com)": a certificate as a plan names it. */
function named(certificate: Certificate): string {
  const name = certificate.commonName ?? certificate.name;
  return name ? `${certificate.id} (${name})` : certificate.id;
}

/** What to tell a person asking for a deployment that has no plan, in one sentence. */
export function describeNoPlan(reason: NoPlanReason): string {
  switch (reason.kind) {
    case 'unknown-certificate':
      return `No certificate ${reason.certificateId} in this account.`;
    case 'no-replacement':
      return `Certificate ${named(reason.old)} has no replacement: no valid certificate covering all its names ends later. Renew it first.`;
    case 'nothing-stale':
      return `Nothing to deploy: no resource serves certificate ${named(reason.old)} any more; its replacement ${named(reason.replacement)} is in place.`;
    case 'other-clouds-only':
      return `Nothing the bot can deploy: the ${reason.skipped.length === 1 ? 'resource' : `${reason.skipped.length} resources`} still on certificate ${named(reason.old)} ${reason.skipped.length === 1 ? 'is' : 'are'} on other clouds; deploy ${named(reason.replacement)} there from the CAS console.`;
  }
}

/** Every name a replacement covers, for a plan's summary. */
export function replacementNames(plan: Pick<DeploymentPlan, 'replacement'>): string[] {
  return certificateNames(plan.replacement);
}

/** The resources a plan keeps of those still on the old certificate when it is approved (re-read from CAS), and those that left. */
export function stillStale(
  plan: Pick<DeploymentPlan, 'old' | 'resources'>,
  current: readonly DeploymentTarget[],
): { kept: DeploymentTarget[]; gone: DeploymentTarget[] } {
  const oldId = plan.old.certificateId ?? plan.old.id;
  const serving = new Set(current.filter((r) => r.certificateId === oldId).map((r) => r.id));
  return {
    kept: plan.resources.filter((r) => serving.has(r.id)),
    gone: plan.resources.filter((r) => !serving.has(r.id)),
  };
}
