/**
 * How long `findReplacements` takes, on two inventories:
 *  - the simulator's data set, by default 100,000 certificates (seed 11, mixed), of which the
 *    inventory holds those that are not revoked, with the data set's name reuse (a few thousand
 *    base domains, eleven host labels, wildcards);
 *  - partial renewals: certificates whose names come back in other combinations, many of them
 *    ending later without covering the older ones, where comparing each certificate with every
 *    certificate sharing one of its names grows as n².
 * Part of `npm run bench:inventory`; run alone with `node dist/bench/replacements.js`.
 */
import { findReplacements, type InventoryCertificate } from '../src/domain/replacement';
import { generateDataset, type SandboxCertificate } from '../src/sandbox';

export interface ReplacementRun {
  label: string;
  /** Certificates given to findReplacements. */
  inventory: number;
  replaced: number;
  /** Wall time of each run, in ms; the first also warms the code up. */
  runsMs: number[];
  /** CPU time of each run (this process, its collector included), in ms: what other load skews least. */
  cpuMs: number[];
  /** The fastest run by CPU time, in ms. */
  bestMs: number;
}

/** A simulator row as the inventory holds it (what certificateFromOrder makes of it). */
function inventoryCertificate(row: SandboxCertificate): InventoryCertificate {
  const id = String(row.certificateId);
  return {
    account: 'bench',
    id,
    certificateId: id,
    commonName: row.commonName,
    sans: row.sans.split(',').filter((name) => name !== ''),
    startDate: row.startDate,
    endDate: row.endDate,
    expired: row.status === 'EXPIRED',
    uploaded: row.source === 'upload',
    status: row.status,
  };
}

/** The simulator's certificates without revoked ones: what a sync puts in the inventory. */
export function simulatorInventory(count: number, now: Date): InventoryCertificate[] {
  // Only the certificates stay: the simulator's resources would load the heap's collector.
  return generateDataset({ count, seed: 11, profile: 'mixed', now: now.getTime() })
    .certificates.filter((row) => row.status !== 'REVOKED')
    .map(inventoryCertificate);
}

/**
 * A third of the certificates serve `a` and `b` of one zone and end within the year; the others
 * serve `a` or `b` with a name of their own and end later, so they replace none of the first.
 */
export function partialRenewals(count: number, now: Date): InventoryCertificate[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const day = (offset: number) => new Date(today + offset * 86_400_000).toISOString().slice(0, 10);
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 3;
    const sans =
      kind === 0
        ? ['a.zone.example', 'b.zone.example']
        : kind === 1
          ? ['a.zone.example', `c${i % 50}.zone.example`]
          : ['b.zone.example', `d${i % 50}.zone.example`];
    const id = String(10_000_000 + i);
    return {
      account: 'bench',
      id,
      certificateId: id,
      commonName: sans[0],
      sans,
      endDate: day(kind === 0 ? (i % 300) - 30 : 300 + (i % 60)),
      expired: false,
      uploaded: false,
    };
  });
}

export function measureReplacements(
  label: string,
  inventory: readonly InventoryCertificate[],
  now: Date,
  runs = 3,
): ReplacementRun {
  const runsMs: number[] = [];
  const cpuMs: number[] = [];
  let replaced = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    replaced = findReplacements(inventory, now).size;
    const used = process.cpuUsage(cpu);
    runsMs.push(performance.now() - started);
    cpuMs.push((used.user + used.system) / 1000);
  }
  return { label, inventory: inventory.length, replaced, runsMs, cpuMs, bestMs: Math.min(...cpuMs) };
}

export function describeReplacementRun(run: ReplacementRun): string {
  const ms = (values: number[]) => values.map((value) => value.toFixed(0)).join(' / ');
  return (
    `findReplacements, ${run.label}: ${run.inventory} certificates, ${run.replaced} replaced; ` +
    `CPU ${ms(run.cpuMs)} ms (wall ${ms(run.runsMs)} ms), best ${run.bestMs.toFixed(0)} ms CPU`
  );
}

/** Both inventories; the table sets no target, so the figures are printed, not judged. */
export function replacementRuns(simulatorCount = 100_000, partialCount = 15_000): ReplacementRun[] {
  const now = new Date();
  return [
    measureReplacements(
      `the simulator's ${simulatorCount} without revoked ones`,
      simulatorInventory(simulatorCount, now),
      now,
    ),
    measureReplacements('partial renewals', partialRenewals(partialCount, now), now),
  ];
}

if (require.main === module) {
  const runs = replacementRuns(
    Number(process.env.BENCH_REPLACEMENT_CERTS ?? 100_000),
    Number(process.env.BENCH_PARTIAL_CERTS ?? 15_000),
  );
  for (const run of runs) console.log(describeReplacementRun(run));
}
