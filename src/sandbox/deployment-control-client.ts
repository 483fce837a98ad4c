import type { ContactInput, DeploymentSettingsInput, WorkerChanges } from './deployment-control';
import type { DeploymentSettings, SandboxContact, SandboxJob, SandboxWorker } from './deployment-jobs';
import { controlRequest } from './process';
import { CONTROL_PREFIX } from './server';

/** The deployment control routes of a running simulator, as a client (any process). */
export interface DeploymentControl {
  state(): Promise<{ settings: DeploymentSettings; jobs: SandboxJob[]; contacts: SandboxContact[] }>;
  configure(settings: DeploymentSettingsInput): Promise<DeploymentSettings>;
  reset(): Promise<void>;
  job(jobId: number): Promise<SandboxJob>;
  adjustWorker(workerId: number, changes: WorkerChanges): Promise<SandboxWorker>;
  contacts(): Promise<SandboxContact[]>;
  addContact(input: ContactInput): Promise<SandboxContact>;
  removeContact(contactId: number): Promise<void>;
}

/** Drives the deployment routes of the simulator at `url`, for one account (default the first). */
export function connectDeployments(url: string, options: { account?: string; ca?: string } = {}): DeploymentControl {
  const control = async (method: string, route: string, body?: unknown) => {
    const target = new URL(`${url}${CONTROL_PREFIX}deployments${route}`);
    if (options.account !== undefined) target.searchParams.set('account', options.account);
    const res = await controlRequest(target, method, body === undefined ? undefined : JSON.stringify(body), options.ca);
    if (res.status < 200 || res.status > 299)
      throw new Error(`sandbox control ${method} deployments${route}: HTTP ${res.status} ${res.text}`.trim());
    return JSON.parse(res.text) as Record<string, unknown>;
  };
  return {
    state: async () => (await control('GET', '')) as Awaited<ReturnType<DeploymentControl['state']>>,
    configure: async (settings) => (await control('POST', '/settings', settings)).settings as DeploymentSettings,
    reset: async () => {
      await control('POST', '/reset');
    },
    job: async (jobId) => (await control('GET', `/jobs/${jobId}`)).job as SandboxJob,
    adjustWorker: async (workerId, changes) =>
      (await control('POST', `/workers/${workerId}`, changes)).worker as SandboxWorker,
    contacts: async () => (await control('GET', '/contacts')).contacts as SandboxContact[],
    addContact: async (input) => (await control('POST', '/contacts', input)).contact as SandboxContact,
    removeContact: async (contactId) => {
      await control('DELETE', `/contacts/${contactId}`);
    },
  };
}
