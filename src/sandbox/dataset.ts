import {
  buildCertificateResources,
  type CloudResource,
  GENERATED_PRODUCTS,
  nextResourceId,
  type ResourceDraft,
  rollProvider,
} from './cloud-resources';
import { mulberry32, pick, type Random, randomHex, randomInt, shuffle } from './prng';

/**
 * The simulator's data: one account's certificates and assets. The data set is the
 * single source of truth; GetRiskCount and GetAssetCount are computed from it on every
 * call, so a test that edits a certificate sees every operation change consistently.
 */

export type SandboxCertStatus = 'ISSUED' | 'WILLEXPIRED' | 'EXPIRED' | 'REVOKED';
export type CertSource = 'buy' | 'free' | 'upload';
export type CloudProvider = 'aliyun' | 'tencent' | 'huawei' | 'aws';
/** mixed: a realistic account with risks; healthy: nothing for the bot to report. */
export type DatasetProfile = 'mixed' | 'healthy';

export type { CloudResource } from './cloud-resources';

export interface SandboxCertificate {
  certificateId: number;
  instanceId: string;
  name: string;
  commonName: string;
  /** Comma-separated, as ListUserCertificateOrder returns it. */
  sans: string;
  issuer: string;
  /**
   * Uppercase hex without separators. The row's Fingerprint and Sha2 are not stored: they are
   * those of the X.509 certificate made from these fields (wire/leaf.ts), which the wire serves.
   */
  serialNo: string;
  orgName: string;
  country: string;
  province: string;
  city: string;
  /** YYYY-MM-DD, UTC. */
  startDate: string;
  /** YYYY-MM-DD, UTC. */
  endDate: string;
  /** Stored rather than recomputed from dates so a scenario stays fixed while the clock moves. */
  status: SandboxCertStatus;
  source: CertSource;
  /** Served by at least one cloud resource; kept equal to `resources.length > 0` by every edit. */
  deployed: boolean;
  /** Hosting (trustee): CAS renews and redeploys the certificate itself. */
  hosted: boolean;
  /** Expiry alerting is switched on. */
  notice: boolean;
  /** Epoch ms; only for REVOKED. */
  revokeTime?: number;
  resourceGroupId: string;
  /**
   * Cloud resources (load balancer listeners, CDN domains...) that serve this certificate, as
   * ListCloudResources lists them (cloud-resources.ts). Generated: 1 to 5 for a deployed
   * certificate, across products, regions and clouds.
   */
  resources: CloudResource[];
}

export interface DomainAsset {
  domain: string;
  monitored: boolean;
}

/** Targets of AssignCertificateCount. */
export interface DataSource {
  id: number;
  name: string;
  assignedCertCount: number;
}

export interface Dataset {
  seed: number;
  profile: DatasetProfile;
  /** Start of the UTC day the dates are relative to (epoch ms). */
  day: number;
  certificates: SandboxCertificate[];
  domains: DomainAsset[];
  /** Orders that failed review; they are orders, not certificates, so they are plain counters. */
  failedOrders: { buy: number; free: number };
  dataSources: DataSource[];
  /** The previous health score; the current one is computed from the risks. */
  lastPoint: number;
  /**
   * The replaced pairs the data set was generated with: each expiring or expired certificate
   * and the later twin that renewed it. A record of the generation, not updated by later edits.
   */
  renewals: Renewal[];
}

/** A certificate and the twin that renewed it (same CommonName and SANs, later end date, valid). */
export interface Renewal {
  certificateId: number;
  renewedBy: number;
}

/** Exact numbers of certificates per risky state; the rest are ISSUED. */
export interface ScenarioCounts {
  willExpired: number;
  expired: number;
  revoked: number;
  /** Uploaded certificates (never REVOKED: CAS cannot revoke what it did not issue). */
  upload: number;
}

export interface DatasetOptions {
  count?: number;
  seed?: number;
  now?: number;
  profile?: DatasetProfile;
  /** Overrides the profile's default counts. */
  counts?: Partial<ScenarioCounts>;
  /**
   * Expiring (WILLEXPIRED) or expired certificates that also get a renewed twin: a new
   * CertificateId with the same CommonName and SANs, issued in the last days and valid well
   * beyond the original. The twins come on top of `count` (IDs after the last one); every
   * fourth renews an expired certificate, the rest expiring ones. The first `count`
   * certificates are the same with or without twins. Default 0.
   */
  replacedPairs?: number;
}

export interface RiskCountBody {
  BuyCertificateExpireCount: number;
  BuyCertificateWillExpiredCount: number;
  BuyCertificateNotDeploymentCount: number;
  BuyCertificateNotTrusteeCount: number;
  BuyCheckedFailCount: number;
  FreeCertificateExpireCount: number;
  FreeCertificateWillExpiredCount: number;
  FreeCertificateNotDeploymentCount: number;
  FreeCheckedFailCount: number;
  UploadCertificateExpireCount: number;
  UploadCertificateWillExpiredCount: number;
  UploadCertificateNotDeploymentCount: number;
  UploadCertificateNotNoticeCount: number;
  AliyunAssetCertificateExpiredCount: number;
  AliyunAssetCertificateWillExpiredCount: number;
  MultiCloudAssetCertificateExpiredCount: number;
  MultiCloudAssetCertificateWillExpiredCount: number;
  DomainAssetNotMonitorCount: number;
}

export interface AssetCountBody {
  Point: number;
  LastPoint: number;
  PointRatio: number;
  PointTime: number;
  BuyCertificateCount: number;
  FreeCertificateCount: number;
  UploadCertificateCount: number;
  AliyunAssetCount: number;
  TencentAssetCount: number;
  HuaweiAssetCount: number;
  AwsAssetCount: number;
  DomainAssetCount: number;
}

export const DAY_MS = 86_400_000;
/** WILLEXPIRED means at most this many days left, as in the CAS console. */
export const WILL_EXPIRE_DAYS = 30;
export const RESOURCE_GROUPS = ['rg-acfmzbn2vxwq4ya', 'rg-aek2hk6lrtfp3ka', 'rg-aekzdefault00001'] as const;
export const DATA_SOURCE_IDS = [33285, 33286, 33287] as const;

const MIXED_SHARE = { willExpired: 0.12, expired: 0.1, revoked: 0.08, upload: 0.15 };

const BRANDS = [
  'shop',
  'payments',
  'portal',
  'mail',
  'cdn',
  'auth',
  'billing',
  'media',
  'admin',
  'data',
  'crm',
  'iot',
  'search',
  'docs',
  'game',
  'travel',
] as const;
const ZONES = ['example.com', 'example.cn', 'example.net', 'example.org', 'example.com.cn'] as const;
const HOSTS = ['api', 'www', 'app', 'm', 'img', 'gw', 'console', 'pay', 'static', 'open', '*'] as const;
const BUY_ISSUERS = ['DigiCert', 'GlobalSign', 'GeoTrust', 'WoSign', 'vTrus'] as const;
const FREE_ISSUERS = ['DigiCert', 'GeoTrust'] as const;
const UPLOAD_ISSUERS = ["Let's Encrypt R11", "Let's Encrypt R11", 'GlobalSign', 'DigiCert'] as const;
const PLACES = [
  ['Zhejiang', 'Hangzhou'],
  ['Beijing', 'Beijing'],
  ['Shanghai', 'Shanghai'],
  ['Guangdong', 'Shenzhen'],
] as const;

export function startOfUtcDay(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS) * DAY_MS;
}

export function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/**
 * Builds a data set that depends only on (count, seed, profile, counts, UTC day of now):
 * the dates move with the day, everything else is fixed by the seed.
 */
export function generateDataset(options: DatasetOptions = {}): Dataset {
  const count = options.count ?? 500;
  const seed = options.seed ?? 42;
  const profile = options.profile ?? 'mixed';
  const day = startOfUtcDay(options.now ?? Date.now());
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const counts = scenarioCounts(count, profile, options.counts);
  const healthy = profile === 'healthy';
  const random = mulberry32(seed);

  const statuses = shuffle(random, [
    ...repeat<SandboxCertStatus>('REVOKED', counts.revoked),
    ...repeat<SandboxCertStatus>('EXPIRED', counts.expired),
    ...repeat<SandboxCertStatus>('WILLEXPIRED', counts.willExpired),
    ...repeat<SandboxCertStatus>('ISSUED', count - counts.revoked - counts.expired - counts.willExpired),
  ]);
  const revocable = statuses.flatMap((status, index) => (status === 'REVOKED' ? [] : [index]));
  const uploaded = new Set(shuffle(random, revocable).slice(0, counts.upload));

  const serials = new Set<string>();
  const instanceIds = new Set<string>();
  const drafts: ResourceDraft[][] = [];
  const certificates: SandboxCertificate[] = statuses.map((status, index) => {
    const source: CertSource = uploaded.has(index) ? 'upload' : random() < 0.6 ? 'buy' : 'free';
    return buildCertificate({ random, seed, day, index, status, source, healthy, serials, instanceIds, drafts });
  });
  // The details come from each certificate's own stream: the certificate stream does not move.
  let resourceId = nextResourceId([]);
  certificates.forEach((cert, index) => {
    cert.resources = buildCertificateResources(cert, drafts[index] ?? [], { seed, day, nextId: () => resourceId++ });
  });

  const domainNames = [...new Set(certificates.map((cert) => cert.commonName.replace(/^\*\./, '')))].sort();
  const domains = domainNames.map((domain) => ({ domain, monitored: healthy || random() < 0.8 }));

  const dataset: Dataset = {
    seed,
    profile,
    day,
    certificates,
    domains,
    failedOrders: healthy ? { buy: 0, free: 0 } : { buy: randomInt(random, 1, 3), free: randomInt(random, 1, 2) },
    dataSources: [
      { id: DATA_SOURCE_IDS[0], name: 'production-monitoring', assignedCertCount: 5 },
      { id: DATA_SOURCE_IDS[1], name: 'staging-monitoring', assignedCertCount: 0 },
      { id: DATA_SOURCE_IDS[2], name: 'multi-cloud-sync', assignedCertCount: 10 },
    ],
    lastPoint: 100,
    renewals: [],
  };
  dataset.lastPoint = healthy ? 100 : clamp(healthScore(dataset) + randomInt(random, -6, 6), 0, 100);
  // After everything else, from their own stream: the rest of the data set does not move.
  addRenewedTwins(dataset, options.replacedPairs ?? 0, { serials, instanceIds });
  return dataset;
}

/**
 * Appends `pairs` renewed twins (see DatasetOptions.replacedPairs). The originals are drawn,
 * seeded, from the WILLEXPIRED certificates, every fourth from the EXPIRED ones, each pool
 * standing in for the other when it runs out.
 */
function addRenewedTwins(
  dataset: Dataset,
  pairs: number,
  seen: { serials: Set<string>; instanceIds: Set<string> },
): void {
  if (!Number.isInteger(pairs) || pairs < 0) {
    throw new RangeError(`replacedPairs must be a non-negative integer, got ${pairs}`);
  }
  if (pairs === 0) return;
  const random = mulberry32(dataset.seed ^ 0x7e4e3a1);
  const pool = (status: SandboxCertStatus) =>
    shuffle(
      random,
      dataset.certificates.filter((c) => c.status === status),
    );
  const expiring = pool('WILLEXPIRED');
  const expired = pool('EXPIRED');
  if (pairs > expiring.length + expired.length) {
    throw new RangeError(
      `replacedPairs ${pairs} exceeds the ${expiring.length + expired.length} expiring and expired certificates`,
    );
  }
  let nextId = dataset.certificates.reduce((max, c) => Math.max(max, c.certificateId), 10_000_000) + 1;
  let resourceId = nextResourceId(dataset.certificates);
  const nextResource = () => resourceId++;
  for (let k = 0; k < pairs; k++) {
    const [first, second] = k % 4 === 3 ? [expired, expiring] : [expiring, expired];
    const original = (first.shift() ?? second.shift()) as SandboxCertificate;
    const twin = renewedTwin(original, nextId++, dataset, random, seen, nextResource);
    dataset.certificates.push(twin);
    dataset.renewals.push({ certificateId: original.certificateId, renewedBy: twin.certificateId });
  }
}

function renewedTwin(
  original: SandboxCertificate,
  certificateId: number,
  dataset: Dataset,
  random: Random,
  seen: { serials: Set<string>; instanceIds: Set<string> },
  nextResource: () => number,
): SandboxCertificate {
  const validityDays = original.source === 'free' || original.issuer.startsWith("Let's Encrypt") ? 90 : 365;
  const startOffset = -randomInt(random, 0, 5);
  const serialNo = uniqueValue(seen.serials, () => randomHex(random, 2 * randomInt(random, 16, 20)).toUpperCase());
  const prefix = original.source === 'upload' ? 'cas-upload' : 'cas-cert';
  const instanceId = uniqueValue(seen.instanceIds, () => `${prefix}-${randomHex(random, 10)}`);
  const twin: SandboxCertificate = {
    ...original,
    certificateId,
    instanceId,
    name: original.source === 'upload' ? `${original.name}-renewed` : `cert-${certificateId}`,
    serialNo,
    startDate: formatDate(dataset.day + startOffset * DAY_MS),
    endDate: formatDate(dataset.day + (startOffset + validityDays) * DAY_MS),
    status: 'ISSUED',
    // Renewed to be served: the twin is deployed to resources of its own. The original keeps
    // the resources it was generated with, so most expiring originals are still served (stale
    // deployments) and the expired ones less often.
    deployed: true,
    resources: [],
  };
  twin.resources = buildCertificateResources(twin, buildResources(random), {
    seed: dataset.seed,
    day: dataset.day,
    nextId: nextResource,
  });
  return twin;
}

function scenarioCounts(
  count: number,
  profile: DatasetProfile,
  overrides: Partial<ScenarioCounts> = {},
): ScenarioCounts {
  const share = (fraction: number) => (profile === 'healthy' ? 0 : Math.round(count * fraction));
  const counts: ScenarioCounts = {
    willExpired: overrides.willExpired ?? share(MIXED_SHARE.willExpired),
    expired: overrides.expired ?? share(MIXED_SHARE.expired),
    revoked: overrides.revoked ?? share(MIXED_SHARE.revoked),
    // Uploading is not a risk, so even a healthy account has uploaded certificates.
    upload: overrides.upload ?? Math.round(count * MIXED_SHARE.upload),
  };
  for (const [key, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`counts.${key} must be a non-negative integer`);
  }
  if (counts.willExpired + counts.expired + counts.revoked > count) {
    throw new RangeError(`counts exceed the ${count} certificates`);
  }
  if (counts.upload > count - counts.revoked) {
    throw new RangeError('counts.upload exceeds the certificates that are not REVOKED');
  }
  return counts;
}

interface BuildContext {
  random: Random;
  seed: number;
  day: number;
  index: number;
  status: SandboxCertStatus;
  source: CertSource;
  healthy: boolean;
  serials: Set<string>;
  instanceIds: Set<string>;
  /** Out: the resource drafts of each certificate, by index (filled in by generateDataset). */
  drafts: ResourceDraft[][];
}

function buildCertificate(ctx: BuildContext): SandboxCertificate {
  const { random, day, status, source, healthy } = ctx;
  const certificateId = 10_000_001 + ctx.index;
  const brand = pick(random, BRANDS);
  const zone = pick(random, ZONES);
  const base = random() < 0.7 ? `${brand}-${randomInt(random, 1, 40)}.${zone}` : `${brand}.${zone}`;
  const host = pick(random, HOSTS);
  const commonName = `${host}.${base}`;
  const sans = [commonName];
  if (host === '*') sans.push(base);
  for (let extra = randomInt(random, 0, 2); extra > 0; extra--) {
    const name = `${pick(
      random,
      HOSTS.filter((h) => h !== '*'),
    )}.${base}`;
    if (!sans.includes(name)) sans.push(name);
  }

  const issuer = pick(random, source === 'buy' ? BUY_ISSUERS : source === 'free' ? FREE_ISSUERS : UPLOAD_ISSUERS);
  // Free and ACME certificates live 90 days; paid ones a year.
  const validityDays = source === 'free' || issuer.startsWith("Let's Encrypt") ? 90 : 365;
  const endOffset = endDateOffset(random, status, validityDays);
  const startOffset = endOffset - validityDays;
  const organisation = source === 'buy' && random() < 0.5;
  const [province, city] = organisation ? pick(random, PLACES) : ['', ''];

  const serialNo = uniqueValue(ctx.serials, () => randomHex(random, 2 * randomInt(random, 16, 20)).toUpperCase());
  const prefix = source === 'upload' ? 'cas-upload' : 'cas-cert';
  const instanceId = uniqueValue(ctx.instanceIds, () => `${prefix}-${randomHex(random, 10)}`);

  const valid = status === 'ISSUED' || status === 'WILLEXPIRED';
  const deployed = healthy ? valid : random() < deployShare(status);
  const certificate: SandboxCertificate = {
    certificateId,
    instanceId,
    name: source === 'upload' ? `upload-${commonName.replace('*', 'wildcard')}` : `cert-${certificateId}`,
    commonName,
    sans: sans.join(','),
    issuer,
    serialNo,
    orgName: organisation ? `Example ${brand[0]?.toUpperCase()}${brand.slice(1)} Co., Ltd.` : '',
    country: organisation ? 'CN' : '',
    province,
    city,
    startDate: formatDate(day + startOffset * DAY_MS),
    endDate: formatDate(day + endOffset * DAY_MS),
    status,
    source,
    deployed,
    hosted: source === 'buy' && (healthy || random() < 0.7),
    notice: source !== 'upload' || healthy || random() < 0.6,
    resourceGroupId: pick(random, RESOURCE_GROUPS),
    resources: [],
  };
  // Drawn here, as the resources always were, so every later draw of the stream stays put.
  ctx.drafts[ctx.index] = deployed ? buildResources(random) : [];
  if (status === 'REVOKED') {
    // Revoked some whole days after issue and strictly before the generation day.
    const daysAgo = randomInt(random, 1, Math.max(1, -startOffset));
    certificate.revokeTime = day - daysAgo * DAY_MS + randomInt(random, 0, DAY_MS - 1);
  }
  return certificate;
}

function endDateOffset(random: Random, status: SandboxCertStatus, validityDays: number): number {
  switch (status) {
    case 'ISSUED':
      return randomInt(random, WILL_EXPIRE_DAYS + 1, validityDays - 1);
    case 'WILLEXPIRED':
      return randomInt(random, 1, WILL_EXPIRE_DAYS);
    case 'EXPIRED':
      return -randomInt(random, 1, 200);
    case 'REVOKED':
      return randomInt(random, 10, validityDays - 1);
  }
}

/** Expired certificates are often still served: that is exactly the asset risk CAS reports. */
function deployShare(status: SandboxCertStatus): number {
  switch (status) {
    case 'ISSUED':
      return 0.85;
    case 'WILLEXPIRED':
      return 0.9;
    case 'EXPIRED':
      return 0.35;
    case 'REVOKED':
      return 0.05;
  }
}

/**
 * The first one or two resources of a deployed certificate: cloud and product. The draws are
 * the ones this stream has always made (a roll, a pick, eight hex digits no longer used), so
 * the certificates after it do not change; buildCertificateResources adds the rest.
 */
function buildResources(random: Random): ResourceDraft[] {
  const drafts: ResourceDraft[] = [];
  for (let n = randomInt(random, 1, 2); n > 0; n--) {
    const provider = rollProvider(random());
    const product = pick(random, GENERATED_PRODUCTS[provider]);
    randomHex(random, 8);
    drafts.push({ provider, product });
  }
  return drafts;
}

function uniqueValue(seen: Set<string>, make: () => string): string {
  for (;;) {
    const value = make();
    if (!seen.has(value)) {
      seen.add(value);
      return value;
    }
  }
}

function repeat<T>(value: T, times: number): T[] {
  return Array.from({ length: times }, () => value);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function isValid(cert: SandboxCertificate): boolean {
  return cert.status === 'ISSUED' || cert.status === 'WILLEXPIRED';
}

function servedBy(cert: SandboxCertificate, cloud: 'aliyun' | 'multi'): boolean {
  return cert.resources.some((r) => (cloud === 'aliyun' ? r.provider === 'aliyun' : r.provider !== 'aliyun'));
}

/**
 * The GetRiskCount body for the data set. Hygiene counters (not deployed, not hosted,
 * no alerting) only count valid certificates: nobody deploys or hosts an expired one.
 */
export function riskCounts(dataset: Dataset): RiskCountBody {
  const certs = dataset.certificates;
  const count = (predicate: (cert: SandboxCertificate) => boolean) => certs.filter(predicate).length;
  const of = (source: CertSource, status: SandboxCertStatus) =>
    count((c) => c.source === source && c.status === status);
  const notDeployed = (source: CertSource) => count((c) => c.source === source && isValid(c) && !c.deployed);
  const onCloud = (cloud: 'aliyun' | 'multi', status: SandboxCertStatus) =>
    count((c) => c.status === status && servedBy(c, cloud));
  return {
    BuyCertificateExpireCount: of('buy', 'EXPIRED'),
    BuyCertificateWillExpiredCount: of('buy', 'WILLEXPIRED'),
    BuyCertificateNotDeploymentCount: notDeployed('buy'),
    BuyCertificateNotTrusteeCount: count((c) => c.source === 'buy' && isValid(c) && !c.hosted),
    BuyCheckedFailCount: dataset.failedOrders.buy,
    FreeCertificateExpireCount: of('free', 'EXPIRED'),
    FreeCertificateWillExpiredCount: of('free', 'WILLEXPIRED'),
    FreeCertificateNotDeploymentCount: notDeployed('free'),
    FreeCheckedFailCount: dataset.failedOrders.free,
    UploadCertificateExpireCount: of('upload', 'EXPIRED'),
    UploadCertificateWillExpiredCount: of('upload', 'WILLEXPIRED'),
    UploadCertificateNotDeploymentCount: notDeployed('upload'),
    UploadCertificateNotNoticeCount: count((c) => c.source === 'upload' && isValid(c) && !c.notice),
    AliyunAssetCertificateExpiredCount: onCloud('aliyun', 'EXPIRED'),
    AliyunAssetCertificateWillExpiredCount: onCloud('aliyun', 'WILLEXPIRED'),
    MultiCloudAssetCertificateExpiredCount: onCloud('multi', 'EXPIRED'),
    MultiCloudAssetCertificateWillExpiredCount: onCloud('multi', 'WILLEXPIRED'),
    DomainAssetNotMonitorCount: dataset.domains.filter((d) => !d.monitored).length,
  };
}

/**
 * Health score 0..100: weighted risks over what could be at risk. The weights are ours;
 * CAS does not document its formula. A data set without risks scores exactly 100.
 */
export function healthScore(dataset: Dataset): number {
  const risk = riskCounts(dataset);
  const expired = risk.BuyCertificateExpireCount + risk.FreeCertificateExpireCount + risk.UploadCertificateExpireCount;
  const expiring =
    risk.BuyCertificateWillExpiredCount + risk.FreeCertificateWillExpiredCount + risk.UploadCertificateWillExpiredCount;
  const served =
    risk.AliyunAssetCertificateExpiredCount +
    risk.AliyunAssetCertificateWillExpiredCount +
    risk.MultiCloudAssetCertificateExpiredCount +
    risk.MultiCloudAssetCertificateWillExpiredCount;
  const hygiene =
    risk.BuyCertificateNotDeploymentCount +
    risk.FreeCertificateNotDeploymentCount +
    risk.UploadCertificateNotDeploymentCount +
    risk.BuyCertificateNotTrusteeCount +
    risk.UploadCertificateNotNoticeCount +
    risk.BuyCheckedFailCount +
    risk.FreeCheckedFailCount;
  const penalty = 3 * expired + 2 * expiring + 3 * served + hygiene + risk.DomainAssetNotMonitorCount;
  const capacity = 6 * dataset.certificates.length + dataset.domains.length;
  if (penalty === 0 || capacity === 0) return 100;
  return clamp(Math.round(100 * (1 - penalty / capacity)), 0, 100);
}

/** The GetAssetCount body for the data set. */
export function assetCounts(dataset: Dataset): AssetCountBody {
  const certs = dataset.certificates;
  const resources = certs.flatMap((c) => c.resources);
  const onProvider = (provider: CloudProvider) => resources.filter((r) => r.provider === provider).length;
  const point = healthScore(dataset);
  return {
    Point: point,
    LastPoint: dataset.lastPoint,
    // Undocumented upstream; here the change against LastPoint, in percent.
    PointRatio: dataset.lastPoint === 0 ? 0 : Math.round(((point - dataset.lastPoint) / dataset.lastPoint) * 100),
    PointTime: dataset.day + 2 * 3_600_000,
    BuyCertificateCount: certs.filter((c) => c.source === 'buy').length,
    FreeCertificateCount: certs.filter((c) => c.source === 'free').length,
    UploadCertificateCount: certs.filter((c) => c.source === 'upload').length,
    AliyunAssetCount: onProvider('aliyun'),
    TencentAssetCount: onProvider('tencent'),
    HuaweiAssetCount: onProvider('huawei'),
    AwsAssetCount: onProvider('aws'),
    DomainAssetCount: dataset.domains.length,
  };
}

/** Free certificates issued in the calendar year of the data set's day (AssignCertificateCount reports it). */
export function currentYearFreeCertCount(dataset: Dataset): number {
  const year = formatDate(dataset.day).slice(0, 4);
  return dataset.certificates.filter((c) => c.source === 'free' && c.startDate.startsWith(year)).length;
}

/**
 * Moves one certificate into a state, with dates to match, so a test can change the risk
 * between two calls (e.g. two digests) without hand-editing dates.
 */
export function setCertificateStatus(
  dataset: Dataset,
  certificateId: number,
  status: SandboxCertStatus,
): SandboxCertificate {
  const cert = dataset.certificates.find((c) => c.certificateId === certificateId);
  if (!cert) throw new RangeError(`no certificate ${certificateId} in the data set`);
  const endOffset = { ISSUED: 200, WILLEXPIRED: 7, EXPIRED: -3, REVOKED: 200 }[status];
  cert.status = status;
  cert.endDate = formatDate(dataset.day + endOffset * DAY_MS);
  cert.startDate = formatDate(dataset.day + (endOffset - 365) * DAY_MS);
  if (status === 'REVOKED') cert.revokeTime = dataset.day - DAY_MS / 2;
  else delete cert.revokeTime;
  return cert;
}
