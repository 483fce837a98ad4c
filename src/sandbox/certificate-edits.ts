import { createHash } from 'node:crypto';
import { z } from 'zod';
import { makeResource, nextResourceId } from './cloud-resources';
import {
  type CertSource,
  DAY_MS,
  type Dataset,
  formatDate,
  RESOURCE_GROUPS,
  type SandboxCertificate,
  type SandboxCertStatus,
  startOfUtcDay,
  WILL_EXPIRE_DAYS,
} from './dataset';

/**
 * Adding, changing and removing certificates of a running simulator, so a test can show a sync
 * picking changes up. Every operation reads the data set on each call, so ListUserCertificateOrder,
 * GetRiskCount and the status lookup see an edit at once. Input is checked before anything changes:
 * a bad request leaves the data set as it was.
 */

/** Bad input (400) or an unknown certificate (404); the message says what was wrong. */
export class CertificateEditError extends RangeError {
  readonly status: 400 | 404;
  /** One entry per problem found in the input (path within the request body, message). */
  readonly issues: { path: string; message: string }[];

  constructor(status: 400 | 404, message: string, issues: { path: string; message: string }[] = []) {
    super(message);
    this.name = 'CertificateEditError';
    this.status = status;
    this.issues = issues;
  }
}

const STATUSES = ['ISSUED', 'WILLEXPIRED', 'EXPIRED', 'REVOKED'] as const;
const SOURCES = ['buy', 'free', 'upload'] as const;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((value) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return true; // reported by the pattern already
    const ms = Date.parse(`${value}T00:00:00Z`);
    return Number.isFinite(ms) && formatDate(ms) === value;
  }, 'is not a calendar date');
const hostName = z
  .string()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .regex(/^[^\s,]+$/, 'must not contain spaces or commas');
/** An array of names, or one comma-separated string as CAS itself lists them. */
const sanList = z.union([
  z.array(hostName),
  z
    .string()
    .transform((value) => (value.trim() === '' ? [] : value.split(',').map((name) => name.trim())))
    .pipe(z.array(hostName)),
]);
const text = z.string().max(256, 'must be at most 256 characters');

const changeFields = {
  commonName: hostName.optional(),
  sans: sanList.optional(),
  name: text.min(1, 'must not be empty').optional(),
  issuer: text.min(1, 'must not be empty').optional(),
  serialNo: z
    .string()
    .regex(/^[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){0,39}$/, 'must be hex digits (colons between pairs allowed)')
    .optional(),
  startDate: isoDate.optional(),
  endDate: isoDate.optional(),
  status: z.enum(STATUSES).optional(),
  revokeTime: z.number().int().positive('must be epoch milliseconds').optional(),
  resourceGroupId: text.min(1, 'must not be empty').optional(),
  deployed: z.boolean().optional(),
  hosted: z.boolean().optional(),
  notice: z.boolean().optional(),
  orgName: text.optional(),
  country: text.optional(),
  province: text.optional(),
  city: text.optional(),
};

const changesSchema = z.strictObject(changeFields);
const inputSchema = z.strictObject({
  ...changeFields,
  certificateId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  /** CERT: a CAS-issued certificate (source buy); UPLOAD: an uploaded one. */
  orderType: z.enum(['CERT', 'UPLOAD']).optional(),
  source: z.enum(SOURCES).optional(),
});

/** A certificate to add; every field has a default (see addCertificates). */
export type CertificateInput = z.input<typeof inputSchema>;
/** Fields to change on a certificate; at least one. */
export type CertificateChanges = z.input<typeof changesSchema>;

export interface EditOptions {
  /** The clock for derived statuses and default dates (epoch ms); the data set's day by default. */
  now?: number;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].filter((part) => part !== '').join('.') || 'body',
    message: issue.message,
  }));
  throw new CertificateEditError(400, issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

function invalid(path: string, message: string): CertificateEditError {
  return new CertificateEditError(400, `${path}: ${message}`, [{ path, message }]);
}

/** ISSUED, WILLEXPIRED or EXPIRED from the end date, as CAS shows it on the UTC day of `now`. */
export function statusForEndDate(endDate: string, now: number): SandboxCertStatus {
  const days = Math.round((Date.parse(`${endDate}T00:00:00Z`) - startOfUtcDay(now)) / DAY_MS);
  if (days < 0) return 'EXPIRED';
  return days <= WILL_EXPIRE_DAYS ? 'WILLEXPIRED' : 'ISSUED';
}

const normaliseSerial = (serial: string) => serial.replace(/:/g, '').toUpperCase();
const hash = (algorithm: string, input: string) => createHash(algorithm).update(input).digest('hex').toUpperCase();

function find(dataset: Dataset, certificateId: number): SandboxCertificate {
  const cert = dataset.certificates.find((c) => c.certificateId === certificateId);
  if (!cert) throw new CertificateEditError(404, `no certificate ${certificateId} in the data set`);
  return cert;
}

function checkSerialFree(dataset: Dataset, serialNo: string, path: string, except: SandboxCertificate): void {
  const wanted = normaliseSerial(serialNo);
  if (dataset.certificates.some((c) => c !== except && normaliseSerial(c.serialNo) === wanted)) {
    throw invalid(path, `serial ${serialNo} is already used by another certificate`);
  }
}

function validityDays(source: CertSource, issuer: string): number {
  return source === 'free' || issuer.startsWith("Let's Encrypt") ? 90 : 365;
}

function dateOffset(date: string, days: number): string {
  return formatDate(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);
}

/** What `deployed: true` gives a certificate with no resources: one SLB HTTPS listener in cn-hangzhou. */
function defaultResource(cert: SandboxCertificate, id: number, now: number) {
  return makeResource({ id, product: 'SLB' }, cert, now);
}

/** Keeps the domain assets in step with new names (a new domain is monitored, so no new risk). */
function noteDomain(dataset: Dataset, commonName: string): void {
  const domain = commonName.replace(/^\*\./, '');
  if (dataset.domains.some((d) => d.domain === domain)) return;
  dataset.domains.push({ domain, monitored: true });
  dataset.domains.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
}

/** Status, revoke time and dates together, checked for consistency. */
function settleStatus(
  cert: SandboxCertificate,
  asked: { status?: SandboxCertStatus; revokeTime?: number; datesChanged: boolean },
  now: number,
  path: string,
): void {
  if (cert.startDate > cert.endDate) {
    throw invalid(`${path}startDate`, `${cert.startDate} is after endDate ${cert.endDate}`);
  }
  if (asked.status) cert.status = asked.status;
  else if (asked.datesChanged && cert.status !== 'REVOKED') cert.status = statusForEndDate(cert.endDate, now);
  if (cert.status === 'REVOKED') {
    if (cert.source === 'upload') {
      throw invalid(`${path}status`, 'an uploaded certificate cannot be REVOKED (CAS only revokes what it issued)');
    }
    cert.revokeTime = asked.revokeTime ?? cert.revokeTime ?? now - 60_000;
  } else {
    if (asked.revokeTime !== undefined) throw invalid(`${path}revokeTime`, 'only a REVOKED certificate has one');
    delete cert.revokeTime;
  }
}

function sourceOf(input: z.output<typeof inputSchema>, path: string): CertSource {
  const fromOrderType = input.orderType === 'UPLOAD' ? 'upload' : input.orderType === 'CERT' ? 'buy' : undefined;
  if (input.source && input.orderType && (input.source === 'upload') !== (input.orderType === 'UPLOAD')) {
    throw invalid(`${path}source`, `source ${input.source} contradicts orderType ${input.orderType}`);
  }
  return input.source ?? fromOrderType ?? 'buy';
}

/**
 * Adds certificates, all or none: each input is checked (types, dates, unique id and serial)
 * before the first is added. Left out: the id (after the highest), CommonName
 * (`added-<id>.example.com`), SANs (the CommonName), dates (from today, or back from the end
 * date, for 365 days or 90 for free and Let's Encrypt ones), status (from the end date),
 * serial and instance ID (derived from the id). Answers the added certificates.
 */
export function addCertificates(
  dataset: Dataset,
  inputs: readonly unknown[],
  options: EditOptions = {},
): SandboxCertificate[] {
  const now = options.now ?? dataset.day;
  const today = formatDate(now);
  if (inputs.length === 0) throw invalid('body', 'no certificates to add');
  const parsed = inputs.map((input, index) => parse(inputSchema, input, inputs.length > 1 ? `[${index}]` : ''));
  let nextId = dataset.certificates.reduce((max, c) => Math.max(max, c.certificateId), 10_000_000) + 1;
  const ids = new Set(dataset.certificates.map((c) => c.certificateId));
  const serials = new Set(dataset.certificates.map((c) => normaliseSerial(c.serialNo)));
  let resourceId = nextResourceId(dataset.certificates);
  const added = parsed.map((input, index) => {
    const path = inputs.length > 1 ? `[${index}].` : '';
    if (input.certificateId !== undefined && ids.has(input.certificateId)) {
      throw invalid(`${path}certificateId`, `${input.certificateId} is already in the data set`);
    }
    const certificateId = input.certificateId ?? nextId;
    ids.add(certificateId);
    nextId = Math.max(nextId, certificateId + 1);
    const source = sourceOf(input, path);
    const issuer = input.issuer ?? (source === 'upload' ? "Let's Encrypt R11" : 'DigiCert');
    const days = validityDays(source, issuer);
    const commonName = input.commonName ?? `added-${certificateId}.example.com`;
    const startDate = input.startDate ?? (input.endDate ? dateOffset(input.endDate, -days) : today);
    const endDate = input.endDate ?? dateOffset(startDate, days);
    const serialNo = normaliseSerial(
      input.serialNo ?? hash('sha1', `serial:${dataset.seed}:${certificateId}`).slice(0, 32),
    );
    if (serials.has(serialNo))
      throw invalid(`${path}serialNo`, `serial ${serialNo} is already used by another certificate`);
    serials.add(serialNo);
    const prefix = source === 'upload' ? 'cas-upload' : 'cas-cert';
    const cert: SandboxCertificate = {
      certificateId,
      instanceId: `${prefix}-${hash('sha1', `instance:${certificateId}`).slice(0, 10).toLowerCase()}`,
      name:
        input.name ?? (source === 'upload' ? `upload-${commonName.replace('*', 'wildcard')}` : `cert-${certificateId}`),
      commonName,
      sans: (input.sans ?? [commonName]).join(','),
      issuer,
      serialNo,
      orgName: input.orgName ?? '',
      country: input.country ?? '',
      province: input.province ?? '',
      city: input.city ?? '',
      startDate,
      endDate,
      status: 'ISSUED',
      source,
      deployed: input.deployed ?? false,
      hosted: input.hosted ?? source === 'buy',
      notice: input.notice ?? true,
      resourceGroupId: input.resourceGroupId ?? RESOURCE_GROUPS[0],
      resources: [],
    };
    if (cert.deployed) cert.resources = [defaultResource(cert, resourceId++, now)];
    settleStatus(cert, { status: input.status, revokeTime: input.revokeTime, datesChanged: true }, now, path);
    return cert;
  });

  dataset.certificates.push(...added);
  // The list is kept in id order (ListUserCertificateOrder pages by it); new, higher ids keep it so.
  const certs = dataset.certificates;
  if (certs.some((c, i) => i > 0 && (certs[i - 1] as SandboxCertificate).certificateId > c.certificateId)) {
    certs.sort((a, b) => a.certificateId - b.certificateId);
  }
  for (const cert of added) noteDomain(dataset, cert.commonName);
  return added;
}

/**
 * Changes fields of one certificate in place. Moving the end date re-derives the status (unless
 * the status is given too, or the certificate is REVOKED); moving one date past the other moves
 * the other along, keeping the certificate's length; a new CommonName replaces the old one
 * among the SANs unless SANs are given. Answers the changed certificate.
 */
export function updateCertificate(
  dataset: Dataset,
  certificateId: number,
  changes: unknown,
  options: EditOptions = {},
): SandboxCertificate {
  const now = options.now ?? dataset.day;
  const cert = find(dataset, certificateId);
  const parsed = parse(changesSchema, changes, '');
  if (Object.keys(parsed).length === 0) throw invalid('body', 'no fields to change');
  const next: SandboxCertificate = { ...cert, resources: [...cert.resources] };
  const { status, revokeTime, sans, ...fields } = parsed;
  Object.assign(next, fields);
  if (sans) next.sans = sans.join(',');
  else if (parsed.commonName && parsed.commonName !== cert.commonName) {
    next.sans = cert.sans
      .split(',')
      .map((name) => (name === cert.commonName ? (parsed.commonName as string) : name))
      .join(',');
  }
  if (parsed.serialNo) {
    next.serialNo = normaliseSerial(parsed.serialNo);
    checkSerialFree(dataset, next.serialNo, 'serialNo', cert);
  }
  if (parsed.deployed === true && next.resources.length === 0) {
    next.resources = [defaultResource(next, nextResourceId(dataset.certificates), now)];
  }
  if (parsed.deployed === false) next.resources = [];
  // One date moved past the other: the other follows, keeping the certificate's length.
  const length = Math.round((Date.parse(cert.endDate) - Date.parse(cert.startDate)) / DAY_MS);
  if (parsed.endDate && !parsed.startDate && next.endDate < next.startDate) {
    next.startDate = dateOffset(next.endDate, -length);
  }
  if (parsed.startDate && !parsed.endDate && next.startDate > next.endDate) {
    next.endDate = dateOffset(next.startDate, length);
  }
  const datesChanged = parsed.endDate !== undefined || parsed.startDate !== undefined;
  settleStatus(next, { status, revokeTime, datesChanged }, now, '');
  if (next.revokeTime === undefined) delete cert.revokeTime;
  // In place, so references to the certificate (tests, the data set's lists) stay current.
  Object.assign(cert, next);
  noteDomain(dataset, cert.commonName);
  return cert;
}

/**
 * Removes one certificate; answers it. Its resource records go with it; domain assets stay
 * (they belong to the account, not the certificate).
 */
export function removeCertificate(dataset: Dataset, certificateId: number): SandboxCertificate {
  const cert = find(dataset, certificateId);
  dataset.certificates.splice(dataset.certificates.indexOf(cert), 1);
  return cert;
}

/** One certificate, or a 404 CertificateEditError. */
export function getCertificate(dataset: Dataset, certificateId: number): SandboxCertificate {
  return find(dataset, certificateId);
}
