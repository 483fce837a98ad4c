import type { InventoryReading } from '../ops/inventory-metrics';
import type { InventoryReader } from './inventory-reader';

/**
 * What the inventory gauges read at a scrape, from a reader: the status's sync time, the counts
 * and the resource counts; the per-certificate gauge pages through every certificate.
 * Undefined before the first sync.
 */
export function metricsReading(reader: InventoryReader): (now: Date) => Promise<InventoryReading | undefined> {
  return async (now) => {
    const status = await reader.status(now);
    if (!status) return undefined;
    const [counts, resources] = await Promise.all([reader.counts(undefined, now), reader.resourceCounts(now)]);
    return {
      syncedAt: status.syncedAt,
      counts,
      resources,
      certificates: (offset, limit) => reader.select({}, now, { offset, limit, order: 'key' }),
    };
  };
}
