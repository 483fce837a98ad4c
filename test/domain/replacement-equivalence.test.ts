/**
 * findReplacements against the rule it implements, on random inventories with heavy name reuse:
 * for every certificate, the answer must be the best of all certificates `isReplacedBy` accepts
 * (latest end day, then highest id), found by comparing every pair.
 */
import type { Certificate } from '../../src/domain/certificate';
import { daysLeft } from '../../src/domain/expiry';
import {
  compareIds,
  findReplacements,
  findReplacementsByAccount,
  type InventoryCertificate,
  isReplacedBy,
} from '../../src/domain/replacement';
import { mulberry32, pick, type Random, randomInt } from '../../src/sandbox/prng';

const NOW = new Date(Date.UTC(2026, 4, 20, 14, 5));
const day = (offset: number) => new Date(Date.UTC(2026, 4, 20) + offset * 86_400_000).toISOString().slice(0, 10);

const ZONES = ['example.com', 'EXAMPLE.com', 'a.example.com', 'example.org', 'com', ''];
const LABELS = ['a', 'b', 'www', 'WWW', '*', 'a*', 'x.y'];

/** A name from a handful of labels and zones, so names repeat, nest and differ only in case. */
function randomName(random: Random): string {
  const roll = random();
  if (roll < 0.03) return '*.';
  if (roll < 0.05) return '*';
  if (roll < 0.07) return 'localhost';
  const zone = pick(random, ZONES);
  const label = pick(random, LABELS);
  return zone === '' ? `${label}.` : `${label}.${zone}`;
}

function randomCertificate(random: Random, index: number): InventoryCertificate {
  const names = Array.from({ length: randomInt(random, 0, 3) }, () => randomName(random));
  const endRoll = random();
  const id = random() < 0.1 ? String(randomInt(random, 1, 5)) : random() < 0.1 ? `inst-${index}` : String(index + 1);
  return {
    account: random() < 0.8 ? 'A' : 'B',
    id,
    certificateId: id,
    commonName: random() < 0.9 ? randomName(random) : undefined,
    sans: names,
    // Ends on few distinct days so ties are common; some unknown, some unreadable.
    endDate:
      endRoll < 0.05
        ? undefined
        : endRoll < 0.08
          ? 'soon'
          : `${day(randomInt(random, -5, 8) * 10)}${random() < 0.1 ? ' 12:00:00' : ''}`,
    expired: random() < 0.2,
    uploaded: false,
    status: random() < 0.08 ? 'REVOKED' : undefined,
    removedAt: random() < 0.08 ? new Date(NOW.getTime() + (random() < 0.5 ? -60_000 : 60_000)) : undefined,
  };
}

/** The rule itself: every pair compared, the latest end day first, then the highest id. */
function simpleBest(old: InventoryCertificate, all: readonly InventoryCertificate[]): Certificate | undefined {
  let best: InventoryCertificate | undefined;
  for (const candidate of all) {
    if (!isReplacedBy(old, candidate, NOW)) continue;
    if (!best) {
      best = candidate;
      continue;
    }
    const a = daysLeft(candidate.endDate, NOW) as number;
    const b = daysLeft(best.endDate, NOW) as number;
    if (a > b || (a === b && compareIds(candidate.id, best.id) > 0)) best = candidate;
  }
  return best;
}

describe('findReplacements agrees with isReplacedBy on random inventories', () => {
  it.each(Array.from({ length: 60 }, (_, seed) => [seed + 1]))('seed %i', (seed) => {
    const random = mulberry32(seed * 7919);
    const certs = Array.from({ length: randomInt(random, 1, 150) }, (_, i) => randomCertificate(random, i));
    const byAccount = findReplacementsByAccount(certs, NOW);
    for (const account of ['A', 'B']) {
      const mine = certs.filter((c) => c.account === account);
      // The map is keyed by id: when an id repeats, the last certificate holding it that is
      // replaced decides, as a map filled in inventory order.
      const expected = new Map<string, string>();
      for (const old of mine) {
        const best = simpleBest(old, mine);
        if (best) expected.set(old.id, best.id);
      }
      const got = byAccount.get(account) ?? new Map<string, Certificate>();
      const ids = new Set(mine.map((c) => c.id));
      for (const id of ids) expect([account, id, got.get(id)?.id]).toEqual([account, id, expected.get(id)]);
      expect(got.size).toBe(expected.size);
    }
  });

  it('finds the same replacements on a large inventory with heavy name reuse', () => {
    const random = mulberry32(2026);
    const bases = Array.from({ length: 20 }, (_, i) => `brand-${i}.example.com`);
    const hosts = ['api', 'www', 'app', 'm', '*'];
    const certs: InventoryCertificate[] = [];
    for (let i = 0; i < 600; i++) {
      const base = pick(random, bases);
      const host = pick(random, hosts);
      const sans = [`${host}.${base}`];
      if (host === '*') sans.push(base);
      for (let extra = randomInt(random, 0, 2); extra > 0; extra--) sans.push(`${pick(random, hosts)}.${base}`);
      certs.push({
        account: 'A',
        id: String(10_000_000 + i),
        certificateId: String(10_000_000 + i),
        commonName: sans[0],
        sans: [...new Set(sans)],
        endDate: day(randomInt(random, -60, 400)),
        expired: false,
        uploaded: false,
        status: random() < 0.05 ? 'REVOKED' : undefined,
      });
    }
    const fast = findReplacements(certs, NOW);
    let replaced = 0;
    for (const old of certs) {
      const expected = simpleBest(old, certs)?.id;
      if (expected !== undefined) replaced += 1;
      expect([old.id, fast.get(old.id)?.id]).toEqual([old.id, expected]);
    }
    expect(fast.size).toBe(replaced);
    expect(replaced).toBeGreaterThan(200);
  });
});
