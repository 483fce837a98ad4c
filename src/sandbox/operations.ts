import { accountUserId, allResources, CLOUD_NAMES, MULTI_CLOUD_ACCOUNTS, resourceRow } from './cloud-resources';
import {
  assetCounts,
  currentYearFreeCertCount,
  type Dataset,
  riskCounts,
  type SandboxCertificate,
  type SandboxCertStatus,
} from './dataset';
import { DEPLOYMENT_OPERATIONS } from './deployment-operations';
import { fingerprintsOf } from './wire/leaf';
import { CAS_NOT_FOUND_MESSAGE, invalidParameter, missingParameter, SandboxError } from './errors';

/**
 * The CAS operations over the data set. Handlers return the body without RequestId
 * (the server adds it) and throw SandboxError for business errors.
 */
export type Params = Record<string, string>;

export interface Operation {
  version: string;
  /** `now` is the simulator's clock (deployment jobs run on it). */
  handle(params: Params, dataset: Dataset, now: number): Record<string, unknown>;
  /** The RAM action that authorises it, when it is not `yundun-cert:<Action>`. */
  ramAction?: string;
  /** How long a successful answer is held after the operation ran, in ms (a control setting); default none. */
  holdMs?(dataset: Dataset): number;
}

export const SSL_VERSION = '2020-04-07';
export const PCA_VERSION = '2020-06-30';
export const DEFAULT_SHOW_SIZE = 50;
/** Undocumented upstream; a bound keeps a buggy pager from pulling the whole account in one call. */
export const MAX_SHOW_SIZE = 1000;
/** ListCloudResources: the documented default page size. */
export const RESOURCES_DEFAULT_SHOW_SIZE = 20;
/**
 * ListCloudResources: the largest page. Upstream documents no maximum; the POP gateway checks
 * a declared maximum before the backend sees the call and refuses (rather than clamps) a
 * larger value with 400 InvalidParameter, which is what this simulator does. A client asking
 * for 50 is served; one asking for more learns it at once instead of paging wrongly.
 */
export const RESOURCES_MAX_SHOW_SIZE = 50;

const ORDER_TYPES = ['CPACK', 'BUY', 'UPLOAD', 'CERT'] as const;
const CERT_STATUSES: readonly SandboxCertStatus[] = ['ISSUED', 'WILLEXPIRED', 'EXPIRED', 'REVOKED'];
/** Order states that only exist for CPACK/BUY (resource plans and purchases). */
const ORDER_STATUSES = [
  'PAYED',
  'CHECKING',
  'CHECKED_FAIL',
  'NOTACTIVATED',
  'REVOKED',
  'ISSUED',
  'WILLEXPIRED',
  'EXPIRED',
];

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  GetRiskCount: { version: SSL_VERSION, handle: (_params, dataset) => ({ ...riskCounts(dataset) }) },
  GetAssetCount: { version: SSL_VERSION, handle: (_params, dataset) => ({ ...assetCounts(dataset) }) },
  ListUserCertificateOrder: { version: SSL_VERSION, handle: listUserCertificateOrder },
  DescribeClientCertificateStatusForSerialNumber: { version: PCA_VERSION, handle: describeCertificateStatus },
  AssignCertificateCount: { version: PCA_VERSION, handle: assignCertificateCount },
  ListCloudResources: { version: SSL_VERSION, handle: listCloudResources },
  ...DEPLOYMENT_OPERATIONS,
};

/** The RAM action a RAM policy must allow for an operation (AccessDeniedDetail.AuthAction). */
export function ramActionOf(action: string): string {
  return (Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action]?.ramAction : undefined) ?? `yundun-cert:${action}`;
}

/** Undefined for an unknown action or a known action asked with another version. */
export function resolveOperation(action: string, version: string): Operation | undefined {
  const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
  return operation?.version === version ? operation : undefined;
}

function listUserCertificateOrder(params: Params, dataset: Dataset): Record<string, unknown> {
  const orderType = params.OrderType || 'CPACK';
  if (!(ORDER_TYPES as readonly string[]).includes(orderType)) {
    throw invalidParameter('OrderType', orderType, `expected one of ${ORDER_TYPES.join(', ')}`);
  }
  const certOrders = orderType === 'CERT' || orderType === 'UPLOAD';
  const status = params.Status ?? '';
  const allowed: readonly string[] = certOrders ? CERT_STATUSES : ORDER_STATUSES;
  if (status !== '' && !allowed.includes(status)) {
    throw invalidParameter('Status', status, `expected one of ${allowed.join(', ')} for OrderType ${orderType}`);
  }
  const currentPage = integerParam(params, 'CurrentPage', 1);
  if (currentPage < 1) throw invalidParameter('CurrentPage', String(currentPage), 'must be at least 1');
  const showSize = integerParam(params, 'ShowSize', DEFAULT_SHOW_SIZE);
  if (showSize < 1 || showSize > MAX_SHOW_SIZE) {
    throw invalidParameter('ShowSize', String(showSize), `must be between 1 and ${MAX_SHOW_SIZE}`);
  }

  // The sandbox has certificates only; resource-plan and purchase orders are always empty.
  const matching = certOrders ? filterCertificates(dataset.certificates, orderType, status, params) : [];
  const start = (currentPage - 1) * showSize;
  return {
    TotalCount: matching.length,
    CurrentPage: currentPage,
    ShowSize: showSize,
    CertificateOrderList: matching.slice(start, start + showSize).map(certificateRow),
  };
}

function filterCertificates(
  certificates: readonly SandboxCertificate[],
  orderType: string,
  status: string,
  params: Params,
): SandboxCertificate[] {
  // Documented default for CERT/UPLOAD: the certificates that are still valid.
  const statuses = status === '' ? ['ISSUED', 'WILLEXPIRED'] : [status];
  const keyword = (params.Keyword ?? '').toLowerCase();
  const resourceGroupId = params.ResourceGroupId ?? '';
  return certificates
    .filter(
      (cert) =>
        (orderType === 'CERT' || cert.source === 'upload') &&
        statuses.includes(cert.status) &&
        (resourceGroupId === '' || cert.resourceGroupId === resourceGroupId) &&
        (keyword === '' ||
          [cert.commonName, cert.sans, cert.instanceId].some((field) => field.toLowerCase().includes(keyword))),
    )
    .sort((a, b) => a.certificateId - b.certificateId);
}

/** Fingerprint (SHA-1) and Sha2 (SHA-256) of the certificate the wire serves for the row. */
function wireFingerprints(cert: SandboxCertificate): { Fingerprint: string; Sha2: string } {
  const { sha1, sha256 } = fingerprintsOf(cert);
  return { Fingerprint: sha1, Sha2: sha256 };
}

/** The C/U fields of a CertificateOrderList row (docs/cas-api.md 1.4). */
function certificateRow(cert: SandboxCertificate): Record<string, unknown> {
  return {
    CertificateId: cert.certificateId,
    InstanceId: cert.instanceId,
    Name: cert.name,
    CommonName: cert.commonName,
    Sans: cert.sans,
    Issuer: cert.issuer,
    SerialNo: cert.serialNo,
    OrgName: cert.orgName,
    ...wireFingerprints(cert),
    Country: cert.country,
    Province: cert.province,
    City: cert.city,
    StartDate: cert.startDate,
    EndDate: cert.endDate,
    // Derived, so a test that edits status cannot make the flags disagree with it.
    Expired: cert.status === 'EXPIRED',
    Upload: cert.source === 'upload',
    Status: cert.status,
    ResourceGroupId: cert.resourceGroupId,
  };
}

function describeCertificateStatus(params: Params, dataset: Dataset): Record<string, unknown> {
  const asked = (params.SerialNumber ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (asked.length === 0) throw missingParameter('SerialNumber');
  const bySerial = new Map(dataset.certificates.map((cert) => [normaliseSerial(cert.serialNo), cert]));
  return {
    CertificateStatus: asked.map((serial) => {
      const cert = bySerial.get(normaliseSerial(serial));
      if (!cert) return { SerialNumber: serial, Status: 'unknown' };
      if (cert.status !== 'REVOKED') return { SerialNumber: serial, Status: 'good' };
      return { SerialNumber: serial, Status: 'revoked', RevokeTime: cert.revokeTime ?? dataset.day };
    }),
  };
}

/** Serials are compared as hex digits: case and the colons of `openssl x509 -serial` style do not matter. */
function normaliseSerial(serial: string): string {
  return serial.replace(/:/g, '').toUpperCase();
}

function assignCertificateCount(params: Params, dataset: Dataset): Record<string, unknown> {
  // An int64 upstream: read exactly, since a Number would round an ID above 2^53 onto its neighbour.
  const id = BigInt(requiredIntegerText(params, 'Id'));
  const total = Number(requiredIntegerText(params, 'CertTotalCount'));
  if (total < 0) throw new SandboxError(400, 'InvalidCertTotalCount', 'CertTotalCount must not be negative.');
  const source = dataset.dataSources.find((s) => BigInt(s.id) === id);
  if (!source) throw new SandboxError(404, 'NotFound', CAS_NOT_FOUND_MESSAGE);
  source.assignedCertCount = total;
  return { CertCount: total, CurrentYearFreeCertCount: currentYearFreeCertCount(dataset) };
}

/**
 * Where certificates are deployed (docs/cas-api.md 1.6), in record-ID order. Filters combine:
 * CertIds (one JSON-array string, `[12345,67890]`; `[]` filters nothing), CloudName and
 * CloudProduct (exact, case-insensitive; an unknown value matches nothing, as a filter does),
 * Keyword (substring of the domain or instance ID, case-insensitive) and SecretId (the
 * multi-cloud AccessKey the resources were found with). Parameters it does not know are
 * ignored, as the gateway ignores them: `CertIds.1=...` (an array sent without the SDK's
 * JSON shrinking) filters nothing.
 */
function listCloudResources(params: Params, dataset: Dataset): Record<string, unknown> {
  const certIds = certIdsParam(params.CertIds);
  const cloudName = (params.CloudName ?? '').toLowerCase();
  const product = (params.CloudProduct ?? '').toLowerCase();
  const keyword = (params.Keyword ?? '').trim().toLowerCase();
  const secretId = params.SecretId ?? '';
  const currentPage = integerParam(params, 'CurrentPage', 1);
  if (currentPage < 1) throw invalidParameter('CurrentPage', String(currentPage), 'must be at least 1');
  const showSize = integerParam(params, 'ShowSize', RESOURCES_DEFAULT_SHOW_SIZE);
  if (showSize < 1 || showSize > RESOURCES_MAX_SHOW_SIZE) {
    throw invalidParameter('ShowSize', String(showSize), `must be between 1 and ${RESOURCES_MAX_SHOW_SIZE}`);
  }
  const all = allResources(dataset.certificates);
  const filtered = certIds !== undefined || cloudName !== '' || product !== '' || secretId !== '' || keyword !== '';
  // A sync pages without filters: its pages are slices of the kept list, with no copy of it.
  const matching = !filtered
    ? all
    : all.filter(({ resource, cert }) => {
        if (certIds && !certIds.has(cert.certificateId)) return false;
        if (cloudName !== '' && CLOUD_NAMES[resource.provider].toLowerCase() !== cloudName) return false;
        if (product !== '' && resource.product.toLowerCase() !== product) return false;
        if (
          secretId !== '' &&
          (resource.provider === 'aliyun' || MULTI_CLOUD_ACCOUNTS[resource.provider].secretId !== secretId)
        )
          return false;
        if (keyword !== '') {
          const fields = [resource.domain, resource.instanceId ?? ''];
          if (!fields.some((field) => field.toLowerCase().includes(keyword))) return false;
        }
        return true;
      });
  const start = (currentPage - 1) * showSize;
  const userId = accountUserId(dataset.seed);
  return {
    Total: matching.length,
    CurrentPage: currentPage,
    ShowSize: showSize,
    Data: matching.slice(start, start + showSize).map(({ resource, cert }) => resourceRow(resource, cert, userId)),
  };
}

/** CertIds as the SDK sends it (style `json`): undefined for absent or `[]`. */
function certIdsParam(raw: string | undefined): Set<number> | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const bad = (why: string) => invalidParameter('CertIds', raw, why);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw bad('must be a JSON array of certificate IDs, e.g. [12345,67890]');
  }
  if (!Array.isArray(parsed)) throw bad('must be a JSON array of certificate IDs, e.g. [12345,67890]');
  const ids = parsed.map((item) => (typeof item === 'string' && /^\d+$/.test(item) ? Number(item) : item));
  if (!ids.every((id): id is number => typeof id === 'number' && Number.isSafeInteger(id) && id > 0)) {
    throw bad('every element must be a positive integer certificate ID');
  }
  return ids.length === 0 ? undefined : new Set(ids);
}

function integerParam(params: Params, name: string, fallback: number): number {
  const raw = params[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw invalidParameter(name, raw, 'must be an integer');
  return Number(raw);
}

/** The parameter's digits as sent, checked to be an integer but not converted (see assignCertificateCount). */
function requiredIntegerText(params: Params, name: string): string {
  const raw = params[name];
  if (raw === undefined || raw === '') throw missingParameter(name);
  if (!/^-?\d+$/.test(raw)) throw new SandboxError(400, `Invalid${name}`, `${name} "${raw}" must be an integer.`);
  return raw;
}
