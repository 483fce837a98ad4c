import { createHash } from 'node:crypto';
import { mulberry32, pick, type Random } from './prng';
import type { CloudProvider, SandboxCertificate } from './dataset';

/**
 * The cloud resources (load balancer listeners, CDN domains, ...) that serve the certificates,
 * as ListCloudResources reports them (docs/cas-api.md 1.6). A resource lives in the `resources`
 * list of the certificate it serves; moving it to another certificate keeps its record ID.
 * This file only builds and renders resources; edits are in resource-edits.ts.
 */

/** The unit a ListCloudResources row gives CertStartTime/CertEndTime in (both occur upstream). */
export type CertTimeUnit = 'ms' | 's';

export interface CloudResource {
  /** Resource record ID (ListCloudResources `Id`): unique in the data set, kept when the resource moves. */
  id: number;
  provider: CloudProvider;
  /**
   * CloudProduct as CAS names it: SLB, ALB, NLB, CDN, DCDN, WAF, OSS, GA (and the other aliyun
   * products of 1.6); TencentCDN, TencentCLB, TencentWAF; HuaweiCDN; AwsCloudFront, AwsCLB, AwsALB, AwsNLB.
   */
  product: string;
  /** What identifies the resource to a person: the instance ID of a load balancer or GA, the domain otherwise. */
  resourceId: string;
  /** CloudRegion (and RegionId) of the row. */
  region: string;
  /** Load balancers (SLB, ALB, NLB) and GA only, as upstream. */
  instanceId?: string;
  listenerId?: string;
  listenerPort?: number;
  /** Whether the certificate is the listener's default one (not an extension/SNI certificate). */
  defaultResource?: boolean;
  /** '' for load balancers and GA. */
  domain: string;
  enableHttps: boolean;
  /** Upstream enum undocumented; generated resources are all `online`. */
  status: string;
  /** Multi-cloud resources only: the CAS record of the other cloud's AccessKey (see SecretId). */
  cloudAccessId?: string;
  certTimeUnit: CertTimeUnit;
  /** Epoch ms; GmtCreate / GmtModified of the row. */
  createdAt: number;
  modifiedAt: number;
}

/** A resource with the certificate that currently holds it (the control routes answer these). */
export type ResourceView = CloudResource & { certificateId: number };

/** CloudName on the wire, per provider (1.6). */
export const CLOUD_NAMES: Record<CloudProvider, string> = {
  aliyun: 'aliyun',
  tencent: 'Tencent',
  huawei: 'Huawei',
  aws: 'Aws',
};

/** Every CloudProduct of 1.6, per provider. */
export const CLOUD_PRODUCTS: Record<CloudProvider, readonly string[]> = {
  aliyun: [
    'SLB',
    'ALB',
    'NLB',
    'CDN',
    'DCDN',
    'WAF',
    'OSS',
    'GA',
    'FC',
    'APIGateway',
    'MSE',
    'SAE',
    'DDOS',
    'LIVE',
    'VOD',
    'CR',
    'webHosting',
  ],
  tencent: ['TencentCDN', 'TencentCLB', 'TencentWAF'],
  huawei: ['HuaweiCDN'],
  aws: ['AwsCloudFront', 'AwsCLB', 'AwsALB', 'AwsNLB'],
};

/** The products whose rows carry InstanceId, ListenerId, ListenerPort and DefaultResource. */
export const LISTENER_PRODUCTS: readonly string[] = ['SLB', 'ALB', 'NLB', 'GA'];

/**
 * The products generated data sets use, weighted by repetition. Each pick is one draw of the
 * generator whatever the list, so these lists can change without moving the rest of the data set.
 */
export const GENERATED_PRODUCTS: Record<CloudProvider, readonly string[]> = {
  aliyun: ['SLB', 'SLB', 'ALB', 'ALB', 'NLB', 'CDN', 'CDN', 'DCDN', 'WAF', 'OSS', 'GA'],
  tencent: ['TencentCLB', 'TencentCDN', 'TencentWAF'],
  huawei: ['HuaweiCDN'],
  aws: ['AwsCloudFront', 'AwsALB', 'AwsCLB', 'AwsNLB'],
};

const ALIYUN_REGIONS = [
  'cn-hangzhou',
  'cn-hangzhou',
  'cn-shanghai',
  'cn-shanghai',
  'cn-beijing',
  'cn-shenzhen',
  'cn-hongkong',
  'ap-southeast-1',
  'ap-southeast-1',
  'eu-central-1',
] as const;
/** The zone part of an instance ID per region, as real IDs carry it (lb-bp1..., lb-uf6...). */
const REGION_PREFIX: Record<string, string> = {
  'cn-hangzhou': 'bp1',
  'cn-shanghai': 'uf6',
  'cn-beijing': '2ze',
  'cn-shenzhen': 'wz9',
  'cn-hongkong': 'j6c',
  'ap-southeast-1': 't4n',
  'eu-central-1': 'gw8',
};
const OTHER_REGIONS: Record<Exclude<CloudProvider, 'aliyun'>, readonly string[]> = {
  tencent: ['ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-singapore'],
  huawei: ['cn-north-4', 'cn-east-3'],
  aws: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
};
/** Multi-cloud AccessKeys stored in CAS: the SecretId a request filters by, and the CloudAccessId of the rows. */
export const MULTI_CLOUD_ACCOUNTS: Record<
  Exclude<CloudProvider, 'aliyun'>,
  { secretId: string; cloudAccessId: string }
> = {
  tencent: { secretId: 'AKIDSandboxTencent0000000000000001', cloudAccessId: '3301' },
  huawei: { secretId: 'HPUASANDBOXHUAWEI0001', cloudAccessId: '3302' },
  aws: { secretId: 'AKIASANDBOXAWS000001', cloudAccessId: '3303' },
};
const LISTENER_PORTS = [443, 443, 443, 443, 443, 443, 8443, 8443, 4443, 10443] as const;
const WILDCARD_HOSTS = ['www', 'cdn', 'static', 'img', 'assets'] as const;
/** Record IDs start here: seven digits, so they are never mistaken for certificate IDs (eight). */
export const FIRST_RESOURCE_ID = 3_000_001;
const DAY = 86_400_000;

/** What the certificate generator decides from its own stream (see dataset.ts buildResources). */
export interface ResourceDraft {
  provider: CloudProvider;
  product: string;
}

export function providerOfProduct(product: string): CloudProvider | undefined {
  return (Object.keys(CLOUD_PRODUCTS) as CloudProvider[]).find((p) => CLOUD_PRODUCTS[p].includes(product));
}

/** The account's UserId in every row: fixed by the seed, below 2^53. */
export function accountUserId(seed: number): number {
  return Number(1_000_000_000_000_000n + ((BigInt(seed >>> 0) * 2_654_435_761n) % 900_000_000_000_000n));
}

/** A stream per certificate, so a certificate's resources do not depend on how many come before it. */
export function resourceRandom(seed: number, certificateId: number): Random {
  const digest = createHash('sha256').update(`resources:${seed}:${certificateId}`).digest();
  return mulberry32(digest.readUInt32LE(0));
}

function alnum(random: Random, length: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += chars[Math.floor(random() * chars.length)];
  return out;
}

/** A provider rolled as the certificate generator rolls it (mostly Alibaba Cloud). */
export function rollProvider(roll: number): CloudProvider {
  return roll < 0.75 ? 'aliyun' : roll < 0.85 ? 'tencent' : roll < 0.93 ? 'huawei' : 'aws';
}

/** Region for a product: CDN, DCDN and GA are global and report their control region. */
export function regionFor(random: Random, provider: CloudProvider, product: string): string {
  if (provider === 'aliyun') {
    if (product === 'CDN' || product === 'DCDN' || product === 'GA') return 'cn-hangzhou';
    // WAF has a mainland and a non-mainland instance.
    if (product === 'WAF') return random() < 0.7 ? 'cn-hangzhou' : 'ap-southeast-1';
    return pick(random, ALIYUN_REGIONS);
  }
  if (product === 'AwsCloudFront') return 'us-east-1';
  return pick(random, OTHER_REGIONS[provider]);
}

export function instanceIdFor(random: Random, product: string, region: string): string {
  const zone = REGION_PREFIX[region] ?? 'bp1';
  switch (product) {
    case 'SLB':
      return `lb-${zone}${alnum(random, 20)}`;
    case 'ALB':
      return `alb-${alnum(random, 18)}`;
    case 'NLB':
      return `nlb-${alnum(random, 18)}`;
    default:
      return `ga-bp1${alnum(random, 17)}`;
  }
}

export function listenerIdFor(random: Random, product: string): string {
  return product === 'GA' ? `lsr-bp1${alnum(random, 17)}` : `lsn-${alnum(random, 18)}`;
}

/** A name the certificate covers, with a wildcard filled in, preferring one not yet used. */
function domainFor(random: Random, cert: SandboxCertificate, used: Set<string>): string {
  const names = cert.sans.split(',').filter((n) => n !== '');
  const candidates = (names.length > 0 ? names : [cert.commonName]).map((name) =>
    name.startsWith('*.') ? `${pick(random, WILDCARD_HOSTS)}.${name.slice(2)}` : name,
  );
  const fresh = candidates.filter((name) => !used.has(name));
  const domain = pick(random, fresh.length > 0 ? fresh : candidates);
  used.add(domain);
  return domain;
}

function startMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/**
 * The full resources of a generated certificate: the drafts from the certificate stream, plus
 * up to three more and every detail from the certificate's own resource stream, so 1 to 5 in all.
 */
export function buildCertificateResources(
  cert: SandboxCertificate,
  drafts: readonly ResourceDraft[],
  context: { seed: number; day: number; nextId: () => number },
): CloudResource[] {
  if (drafts.length === 0) return [];
  const random = resourceRandom(context.seed, cert.certificateId);
  const all = [...drafts];
  // More resources on the clouds the certificate is already on, so the per-cloud risk counters
  // of GetRiskCount (and the health score) are what they were before resources had details.
  for (let extra = pick(random, [0, 0, 0, 0, 1, 1, 1, 2, 2, 3]); extra > 0 && all.length < 5; extra--) {
    const { provider } = pick(random, drafts);
    all.push({ provider, product: pick(random, GENERATED_PRODUCTS[provider]) });
  }
  const used = new Set<string>();
  return all.map((draft) => {
    const region = regionFor(random, draft.provider, draft.product);
    const listener = draft.provider === 'aliyun' && LISTENER_PRODUCTS.includes(draft.product);
    const domain = listener ? '' : domainFor(random, cert, used);
    const start = Math.min(startMs(cert.startDate), context.day);
    // Deployed within three days of issue, changed since, never after the data set's day.
    const createdAt = start + Math.floor(random() * Math.min(3 * DAY, context.day - start));
    const modifiedAt = createdAt + Math.floor(random() * (context.day - createdAt));
    const resource: CloudResource = {
      id: context.nextId(),
      provider: draft.provider,
      product: draft.product,
      resourceId: domain,
      region,
      domain,
      // A listener is HTTPS by definition; a domain can have HTTPS switched off with the certificate still bound.
      enableHttps: listener || random() < 0.95,
      status: 'online',
      certTimeUnit: random() < 0.5 ? 's' : 'ms',
      createdAt,
      modifiedAt,
    };
    if (listener) {
      resource.instanceId = instanceIdFor(random, draft.product, region);
      resource.resourceId = resource.instanceId;
      resource.listenerId = listenerIdFor(random, draft.product);
      resource.listenerPort = draft.product === 'NLB' || draft.product === 'GA' ? 443 : pick(random, LISTENER_PORTS);
      resource.defaultResource = draft.product === 'NLB' || draft.product === 'GA' || random() < 0.75;
    }
    if (draft.provider !== 'aliyun') resource.cloudAccessId = MULTI_CLOUD_ACCOUNTS[draft.provider].cloudAccessId;
    return resource;
  });
}

/** The highest record ID in the data set plus one (FIRST_RESOURCE_ID for none). */
export function nextResourceId(certificates: readonly SandboxCertificate[]): number {
  let max = FIRST_RESOURCE_ID - 1;
  for (const cert of certificates) for (const r of cert.resources) max = Math.max(max, r.id);
  return max + 1;
}

function certTime(date: string, unit: CertTimeUnit): string {
  const ms = startMs(date);
  return String(unit === 's' ? Math.floor(ms / 1000) : ms);
}

/** One ListCloudResources `Data` row (wire names of 1.6). */
export function resourceRow(
  resource: CloudResource,
  cert: SandboxCertificate,
  userId: number,
): Record<string, unknown> {
  const row: Record<string, unknown> = {
    Id: resource.id,
    CertId: cert.certificateId,
    CertName: cert.name,
    CertStartTime: certTime(cert.startDate, resource.certTimeUnit),
    CertEndTime: certTime(cert.endDate, resource.certTimeUnit),
    CloudName: CLOUD_NAMES[resource.provider],
    CloudProduct: resource.product,
    CloudRegion: resource.region,
    RegionId: resource.region,
  };
  if (resource.instanceId !== undefined) row.InstanceId = resource.instanceId;
  if (resource.listenerId !== undefined) row.ListenerId = resource.listenerId;
  if (resource.listenerPort !== undefined) row.ListenerPort = String(resource.listenerPort);
  if (resource.defaultResource !== undefined) row.DefaultResource = resource.defaultResource ? 1 : 0;
  Object.assign(row, {
    Domain: resource.domain,
    EnableHttps: resource.enableHttps ? 1 : 0,
    UseSsl: resource.enableHttps ? 1 : 0,
    Status: resource.status,
  });
  if (resource.cloudAccessId !== undefined) row.CloudAccessId = resource.cloudAccessId;
  Object.assign(row, {
    GmtCreate: String(resource.createdAt),
    GmtModified: String(resource.modifiedAt),
    UserId: userId,
  });
  return row;
}

/** A resource with the certificate that holds it. */
export interface HeldResource {
  resource: CloudResource;
  cert: SandboxCertificate;
}

/**
 * The sorted list last built for a certificates array, with the objects it was built from in
 * walk order (each certificate, then its resources). Kept because ListCloudResources is paged:
 * building and sorting 185,000 resources for each of 3,700 pages of a 100,000-certificate sync
 * cost the simulator minutes of CPU per sync.
 */
interface SortedResources {
  walk: ReadonlyArray<SandboxCertificate | CloudResource>;
  rows: readonly HeldResource[];
}
const sortedResources = new WeakMap<readonly SandboxCertificate[], SortedResources>();

/**
 * Whether the certificates and their resources are the very objects, in the same places, that
 * `walk` recorded. Edits replace a certificate object (updates), move or push a resource, or
 * splice one out, in place or through the control routes, deployment jobs and tests alike:
 * each changes this walk, so no edit path has to remember to invalidate. Fields of a resource
 * edited in place need no check: the rows hold the objects themselves. A record ID is never
 * changed in place (an ID of choice makes a new resource), so the kept order stays right.
 */
function sameWalk(certificates: readonly SandboxCertificate[], walk: SortedResources['walk']): boolean {
  let at = 0;
  for (const cert of certificates) {
    if (walk[at++] !== cert) return false;
    for (const resource of cert.resources) if (walk[at++] !== resource) return false;
  }
  return at === walk.length;
}

/**
 * Every resource with its certificate, in record-ID order (the order ListCloudResources pages
 * in). The list is kept while the data set's resources stay where they are, so asking for each
 * page costs one walk of the data set instead of a sort; callers must not change it.
 */
export function allResources(certificates: readonly SandboxCertificate[]): readonly HeldResource[] {
  const kept = sortedResources.get(certificates);
  if (kept && sameWalk(certificates, kept.walk)) return kept.rows;
  const walk: Array<SandboxCertificate | CloudResource> = [];
  const rows: HeldResource[] = [];
  for (const cert of certificates) {
    walk.push(cert);
    for (const resource of cert.resources) {
      walk.push(resource);
      rows.push({ resource, cert });
    }
  }
  rows.sort((a, b) => a.resource.id - b.resource.id);
  sortedResources.set(certificates, { walk, rows });
  return rows;
}

export function resourceView(resource: CloudResource, cert: SandboxCertificate): ResourceView {
  return { ...resource, certificateId: cert.certificateId };
}

/** Where a resource added without a region lives. */
export const DEFAULT_REGIONS: Record<CloudProvider, string> = {
  aliyun: 'cn-hangzhou',
  tencent: 'ap-guangzhou',
  huawei: 'cn-north-4',
  aws: 'us-east-1',
};

/** The fields of a resource to make; everything left out gets a default (see makeResource). */
export interface ResourceSpec {
  id: number;
  product: string;
  region?: string;
  domain?: string;
  instanceId?: string;
  listenerId?: string;
  listenerPort?: number;
  defaultResource?: boolean;
  enableHttps?: boolean;
  status?: string;
  certTimeUnit?: CertTimeUnit;
}

/**
 * A resource for a certificate, made on request (control route, `deployed: true`). IDs of
 * listeners and instances left out are derived from the record ID, so repeated runs agree;
 * a domain left out is the certificate's CommonName (a wildcard's `www`).
 */
export function makeResource(spec: ResourceSpec, cert: SandboxCertificate, now: number): CloudResource {
  const provider = providerOfProduct(spec.product) ?? 'aliyun';
  const random = resourceRandom(0, spec.id);
  const region = spec.region ?? DEFAULT_REGIONS[provider];
  const listener = provider === 'aliyun' && LISTENER_PRODUCTS.includes(spec.product);
  const domain = spec.domain ?? (listener ? '' : cert.commonName.replace(/^\*\./, 'www.'));
  const resource: CloudResource = {
    id: spec.id,
    provider,
    product: spec.product,
    resourceId: domain,
    region,
    domain,
    enableHttps: spec.enableHttps ?? true,
    status: spec.status ?? 'online',
    certTimeUnit: spec.certTimeUnit ?? 'ms',
    createdAt: now,
    modifiedAt: now,
  };
  if (listener) {
    resource.instanceId = spec.instanceId ?? instanceIdFor(random, spec.product, region);
    resource.resourceId = resource.instanceId;
    resource.listenerId = spec.listenerId ?? listenerIdFor(random, spec.product);
    resource.listenerPort = spec.listenerPort ?? 443;
    resource.defaultResource = spec.defaultResource ?? true;
  }
  if (provider !== 'aliyun') resource.cloudAccessId = MULTI_CLOUD_ACCOUNTS[provider].cloudAccessId;
  return resource;
}
