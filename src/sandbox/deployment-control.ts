import { z } from 'zod';
import { CertificateEditError } from './certificate-edits';
import type { Dataset } from './dataset';
import { deploymentsOf } from './deployment-jobs';
import { SandboxError } from './errors';

/**
 * Control routes for the simulator's deployment jobs, under /_sandbox/deployments (unsigned,
 * never part of the CAS API; `?account=NAME` as every control route):
 *
 *   GET    deployments                   settings, every job with its workers, contacts
 *   POST   deployments/settings          change settings: startMode (editing | immediate),
 *                                        startDelayMs, workerDurationMs, rollbackDurationMs,
 *                                        failResources, failRollbackResources, resourceDurationsMs,
 *                                        holdCreateAnswerMs
 *   POST   deployments/reset             no jobs, default settings and contacts
 *   GET    deployments/jobs/<id>         one job with its workers
 *   POST   deployments/workers/<id>      one worker: durationMs (from its start), fail, rollbackFail
 *   GET    deployments/contacts          the contacts ListContact lists
 *   POST   deployments/contacts          add one: name, email, mobile, webhooks, contactId
 *   DELETE deployments/contacts/<id>     remove one
 */

export class DeploymentControlError extends CertificateEditError {
  constructor(status: 400 | 404, message: string, issues: { path: string; message: string }[] = []) {
    super(status, message, issues);
    this.name = 'DeploymentControlError';
  }
}

const ms = z
  .number()
  .int()
  .min(0)
  .max(7 * 86_400_000);
const resourceIds = z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));
const settingsSchema = z.strictObject({
  startMode: z.enum(['editing', 'immediate']).optional(),
  startDelayMs: ms.optional(),
  workerDurationMs: ms.optional(),
  rollbackDurationMs: ms.optional(),
  failResources: resourceIds.optional(),
  failRollbackResources: resourceIds.optional(),
  resourceDurationsMs: z.record(z.string().regex(/^\d{1,16}$/, 'must be a resource record ID'), ms).optional(),
  holdCreateAnswerMs: z
    .number()
    .int()
    .min(0)
    .max(10 * 60_000)
    .optional(),
});
const workerSchema = z.strictObject({
  durationMs: ms.optional(),
  rollbackDurationMs: ms.optional(),
  fail: z.boolean().optional(),
  rollbackFail: z.boolean().optional(),
});
const contactSchema = z.strictObject({
  contactId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  name: z.string().min(1, 'must not be empty').max(64),
  email: z.string().max(128).default(''),
  mobile: z.string().max(32).default(''),
  emailStatus: z.union([z.literal(0), z.literal(1)]).default(1),
  mobileStatus: z.union([z.literal(0), z.literal(1)]).default(0),
  webhooks: z.array(z.url()).max(5).default([]),
});

export type DeploymentSettingsInput = z.input<typeof settingsSchema>;
export type WorkerChanges = z.input<typeof workerSchema>;
export type ContactInput = z.input<typeof contactSchema>;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || 'body',
    message: issue.message,
  }));
  throw new DeploymentControlError(400, issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

function idOf(raw: string, name: string): number {
  const id = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!(id > 0)) throw new DeploymentControlError(400, `${name} must be a positive integer, got "${raw}"`);
  return id;
}

/**
 * Answers a deployment control route, or undefined when `route` is not one. `body` parses the
 * JSON body on demand. Throws DeploymentControlError (400 bad input, 404 unknown id).
 */
export function deploymentRoute(
  method: string,
  route: string,
  body: () => unknown,
  dataset: Dataset,
  now: number,
): { status: number; payload: unknown } | undefined {
  if (route !== 'deployments' && !route.startsWith('deployments/')) return undefined;
  const book = deploymentsOf(dataset);
  book.advance(now);
  const job = /^deployments\/jobs\/([^/]+)$/.exec(route);
  const worker = /^deployments\/workers\/([^/]+)$/.exec(route);
  const contact = /^deployments\/contacts\/([^/]+)$/.exec(route);
  try {
    if (method === 'GET' && route === 'deployments')
      return { status: 200, payload: { settings: book.settings, jobs: book.jobs, contacts: book.contacts } };
    if (method === 'POST' && route === 'deployments/settings') {
      const changes = parse(settingsSchema, body());
      book.settings = { ...book.settings, ...stripUndefined(changes) };
      return { status: 200, payload: { settings: book.settings } };
    }
    if (method === 'POST' && route === 'deployments/reset') {
      book.reset();
      return { status: 200, payload: { settings: book.settings, jobs: book.jobs, contacts: book.contacts } };
    }
    if (method === 'GET' && job) return { status: 200, payload: { job: book.job(idOf(job[1] as string, 'job id')) } };
    if (method === 'POST' && worker) {
      const changes = parse(workerSchema, body());
      return {
        status: 200,
        payload: { worker: book.adjustWorker(idOf(worker[1] as string, 'worker id'), stripUndefined(changes), now) },
      };
    }
    if (method === 'GET' && route === 'deployments/contacts')
      return { status: 200, payload: { contacts: book.contacts } };
    if (method === 'POST' && route === 'deployments/contacts')
      return { status: 201, payload: { contact: book.addContact(parse(contactSchema, body())) } };
    if (method === 'DELETE' && contact) {
      const id = idOf(contact[1] as string, 'contact id');
      return { status: 200, payload: { removed: id, contact: book.removeContact(id) } };
    }
    return undefined;
  } catch (error) {
    if (error instanceof SandboxError)
      throw new DeploymentControlError(error.status === 404 ? 404 : 400, describe(error, route));
    throw error;
  }
}

function describe(error: SandboxError, route: string): string {
  if (error.status !== 404) return error.message;
  const what = route.split('/')[1] ?? 'item';
  return `no ${what.replace(/s$/, '')} ${route.split('/')[2] ?? ''} in the simulator`.trim();
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]-?: Exclude<T[K], undefined>;
  };
}
