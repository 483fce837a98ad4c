/**
 * Preloaded (`node -r`) into the simulator process of bench:inventory's serving part: the
 * simulator's ListCloudResources builds and sorts every resource of the data set for each page
 * it answers (src/sandbox/cloud-resources.ts allResources), so a sync of 100,000 certificates
 * (about 185,000 resources, 3,700 pages) costs the simulator minutes of CPU per sync, and the
 * serving part needs two. This keeps the sorted list while the data set's resources stay the
 * same, so every page answers the same rows in the same order from one sort. The bench edits no
 * resource; an edit anywhere changes the fingerprint and the list is built again.
 */
import * as cloudResources from '../src/sandbox/cloud-resources';

type AllResources = typeof cloudResources.allResources;
type Certificates = Parameters<AllResources>[0];

const original: AllResources = cloudResources.allResources;
const built = new WeakMap<Certificates, { fingerprint: string; rows: ReturnType<AllResources> }>();

/** Which resources belong to which certificate, in one pass (far cheaper than the sort). */
function fingerprint(certificates: Certificates): string {
  let count = 0;
  let sum = 0;
  for (const cert of certificates)
    for (const resource of cert.resources) {
      count += 1;
      // Rounded beyond 2^53, but the same for the same resources in the same order; a moved,
      // added or removed resource changes it.
      sum += resource.id * cert.certificateId;
    }
  return `${certificates.length}:${count}:${sum}`;
}

function indexed(certificates: Certificates): ReturnType<AllResources> {
  const key = fingerprint(certificates);
  const cached = built.get(certificates);
  if (cached?.fingerprint === key) return cached.rows;
  const rows = original(certificates);
  built.set(certificates, { fingerprint: key, rows });
  return rows;
}

// The compiled module calls `cloud_resources_1.allResources(...)` through its exports object, so
// replacing the export reaches the simulator's operations; if it cannot, it stays as it was.
try {
  (cloudResources as { allResources: AllResources }).allResources = indexed;
} catch {
  process.stderr.write('sim-resource-index: could not replace allResources; the simulator sorts per page\n');
}
