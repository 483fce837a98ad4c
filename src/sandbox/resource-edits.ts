import { z } from 'zod';
import { CertificateEditError } from './certificate-edits';
import {
  CLOUD_PRODUCTS,
  type CloudResource,
  LISTENER_PRODUCTS,
  makeResource,
  nextResourceId,
  providerOfProduct,
  type ResourceView,
  resourceView,
} from './cloud-resources';
import type { Dataset, SandboxCertificate } from './dataset';

/**
 * Moving, adding and removing the cloud resources of a running simulator, so a test can
 * "deploy" a replacement and see ListCloudResources, GetRiskCount and GetAssetCount follow.
 * Each edit keeps `deployed` equal to `resources.length > 0` on the certificates it touches.
 * Input is checked before anything changes.
 */

/** Bad input (400) or an unknown resource or certificate (404); a CertificateEditError, so routes answer it alike. */
export class ResourceEditError extends CertificateEditError {
  constructor(status: 400 | 404, message: string, issues: { path: string; message: string }[] = []) {
    super(status, message, issues);
    this.name = 'ResourceEditError';
  }
}

export interface ResourceEditOptions {
  /** GmtCreate / GmtModified of what the edit touches (epoch ms); the data set's day by default. */
  now?: number;
}

const ALL_PRODUCTS = Object.values(CLOUD_PRODUCTS).flat();
const positiveId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const addSchema = z.strictObject({
  certificateId: positiveId,
  /** A record ID of your choice; after the highest by default. */
  id: positiveId.optional(),
  product: z
    .string()
    .refine((p) => ALL_PRODUCTS.includes(p), `must be a CloudProduct: ${ALL_PRODUCTS.join(', ')}`)
    .optional(),
  region: z.string().min(1, 'must not be empty').max(64).optional(),
  domain: z
    .string()
    .max(253)
    .regex(/^[^\s,]*$/, 'must not contain spaces or commas')
    .optional(),
  instanceId: z.string().min(1, 'must not be empty').max(128).optional(),
  listenerId: z.string().min(1, 'must not be empty').max(128).optional(),
  listenerPort: z.number().int().min(1).max(65_535).optional(),
  defaultResource: z.boolean().optional(),
  enableHttps: z.boolean().optional(),
  status: z.string().min(1, 'must not be empty').max(64).optional(),
  certTimeUnit: z.enum(['ms', 's']).optional(),
});
const moveSchema = z.strictObject({ certificateId: positiveId });

/** A resource to add: the certificate it serves, and any field of CloudResource to set (defaults: makeResource). */
export type ResourceInput = z.input<typeof addSchema>;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || 'body',
    message: issue.message,
  }));
  throw new ResourceEditError(400, issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

function checkId(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ResourceEditError(400, `${name}: must be a positive integer, got ${JSON.stringify(value)}`, [
      { path: name, message: 'must be a positive integer' },
    ]);
  }
  return value;
}

function certificate(dataset: Dataset, certificateId: number): SandboxCertificate {
  const cert = dataset.certificates.find((c) => c.certificateId === certificateId);
  if (!cert) throw new ResourceEditError(404, `no certificate ${certificateId} in the data set`);
  return cert;
}

function locate(dataset: Dataset, resourceId: number): { resource: CloudResource; cert: SandboxCertificate } {
  for (const cert of dataset.certificates) {
    const resource = cert.resources.find((r) => r.id === resourceId);
    if (resource) return { resource, cert };
  }
  throw new ResourceEditError(404, `no resource ${resourceId} in the data set`);
}

/** Every resource, or one certificate's (404 for an unknown certificate), in record-ID order. */
export function listResources(dataset: Dataset, filter: { certificateId?: number } = {}): ResourceView[] {
  const certs =
    filter.certificateId === undefined
      ? dataset.certificates
      : [certificate(dataset, checkId(filter.certificateId, 'certificateId'))];
  return certs.flatMap((cert) => cert.resources.map((r) => resourceView(r, cert))).sort((a, b) => a.id - b.id);
}

/** The live resources of one certificate (the objects themselves, in a new array); 404 for an unknown one. */
export function resourcesOf(dataset: Dataset, certificateId: number): CloudResource[] {
  return [...certificate(dataset, checkId(certificateId, 'certificateId')).resources].sort((a, b) => a.id - b.id);
}

export function getResource(dataset: Dataset, resourceId: number): ResourceView {
  const { resource, cert } = locate(dataset, checkId(resourceId, 'resourceId'));
  return resourceView(resource, cert);
}

/**
 * Points a resource at another certificate (what deploying a certificate to it does): same
 * record ID, GmtModified now. The certificate it leaves is no longer deployed if that was its
 * last resource. Moving to the certificate it already serves changes nothing.
 */
export function moveResource(
  dataset: Dataset,
  resourceId: number,
  target: unknown,
  options: ResourceEditOptions = {},
): ResourceView {
  const { certificateId } = parse(moveSchema, target);
  const { resource, cert: from } = locate(dataset, checkId(resourceId, 'resourceId'));
  const to = certificate(dataset, certificateId);
  if (to === from) return resourceView(resource, to);
  from.resources.splice(from.resources.indexOf(resource), 1);
  from.deployed = from.resources.length > 0;
  resource.modifiedAt = options.now ?? dataset.day;
  to.resources.push(resource);
  to.deployed = true;
  return resourceView(resource, to);
}

/** Adds a resource serving a certificate; answers it. */
export function addResource(dataset: Dataset, input: unknown, options: ResourceEditOptions = {}): ResourceView {
  const spec = parse(addSchema, input);
  const cert = certificate(dataset, spec.certificateId);
  const product = spec.product ?? 'SLB';
  const listener = providerOfProduct(product) === 'aliyun' && LISTENER_PRODUCTS.includes(product);
  if (!listener) {
    for (const field of ['instanceId', 'listenerId', 'listenerPort', 'defaultResource'] as const) {
      if (spec[field] !== undefined) {
        const message = `only load balancers (SLB, ALB, NLB) and GA have one, not ${product}`;
        throw new ResourceEditError(400, `${field}: ${message}`, [{ path: field, message }]);
      }
    }
  }
  const id = spec.id ?? nextResourceId(dataset.certificates);
  if (dataset.certificates.some((c) => c.resources.some((r) => r.id === id))) {
    throw new ResourceEditError(400, `id: ${id} is already a resource in the data set`, [
      { path: 'id', message: 'is already a resource in the data set' },
    ]);
  }
  const resource = makeResource({ ...spec, id, product }, cert, options.now ?? dataset.day);
  cert.resources.push(resource);
  cert.deployed = true;
  return resourceView(resource, cert);
}

/** Removes a resource (the resource no longer uses any certificate); answers it. */
export function removeResource(dataset: Dataset, resourceId: number): ResourceView {
  const { resource, cert } = locate(dataset, checkId(resourceId, 'resourceId'));
  cert.resources.splice(cert.resources.indexOf(resource), 1);
  cert.deployed = cert.resources.length > 0;
  return resourceView(resource, cert);
}
