import {
  DAY_MS,
  formatDate,
  type ResourceInput,
  type ResourceView,
  type Sandbox,
  type SandboxCertificate,
  startOfUtcDay,
} from '../../src/sandbox';

/** YYYY-MM-DD `offset` days from today (UTC): the simulator's clock must be real for signatures. */
export const dayFromToday = (offset: number) => formatDate(startOfUtcDay(Date.now()) + offset * DAY_MS);

export interface StaleRenewal {
  /** Ends in 6 days, still served by `resources`. */
  old: SandboxCertificate;
  /** The same names, issued today, for a year: the replacement. */
  renewed: SandboxCertificate;
  resources: ResourceView[];
}

/** A stale deployment in the simulator: a certificate, its renewal, and resources still on the old one. */
export function addStaleRenewal(
  sandbox: Pick<Sandbox, 'addCertificate' | 'addResource'>,
  name: string,
  resources: ReadonlyArray<Omit<ResourceInput, 'certificateId'>>,
): StaleRenewal {
  const names = { commonName: name, sans: [name] };
  const old = sandbox.addCertificate({ ...names, startDate: dayFromToday(-300), endDate: dayFromToday(6) });
  const renewed = sandbox.addCertificate({ ...names, startDate: dayFromToday(0), endDate: dayFromToday(365) });
  return {
    old,
    renewed,
    resources: resources.map((input) => sandbox.addResource({ ...input, certificateId: old.certificateId })),
  };
}
