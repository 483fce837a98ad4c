import { PNG } from 'pngjs';
import {
  HEALTH_SERIES,
  renderTrendChart,
  TREND_CHART_SIZE,
  TREND_SERIES,
  trendChartSpec,
  trendChartSvg,
  trendRows,
} from '../../src/render/trend-chart';
import type { DigestSnapshot } from '../../src/store/types';

/** Weekly snapshots, Mondays 09:00 UTC from 1 Sep 2025, oldest first. */
function weeks(count: number): DigestSnapshot[] {
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(Date.UTC(2025, 8, 1 + 7 * i, 9));
    // CAS's counters (much larger: they count resources and domains too) and the inventory's states.
    const risks = { expired: 300, expiring: 600, notDeployed: 400 };
    const states = { stale: 1 + (i % 2), expired: 3 + (i % 3), expiring: 6 + (i % 4), renewed: 2, valid: 40 };
    return {
      period: start.toISOString().replace('.000Z', 'Z'),
      takenAt: start,
      point: 55 + 2 * i,
      risks,
      totalRisk: risks.expired + risks.expiring + risks.notDeployed,
      states,
    };
  });
}

const hex = (color: string) => [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));

/** Pixels within a small distance of `color` (anti-aliasing blends the edges only). */
function countNear(png: PNG, color: string, tolerance = 12): number {
  const [r, g, b] = hex(color);
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const d = Math.abs(png.data[i] - r) + Math.abs(png.data[i + 1] - g) + Math.abs(png.data[i + 2] - b);
    if (d <= tolerance) n++;
  }
  return n;
}

test('the chart is a PNG of the set size: bars and line in their colours, text, many colours', async () => {
  const started = Date.now();
  const buffer = await renderTrendChart(weeks(12));
  const firstMs = Date.now() - started;
  expect(buffer).toBeDefined();
  const png = PNG.sync.read(buffer as Buffer);
  expect({ width: png.width, height: png.height }).toEqual(TREND_CHART_SIZE);

  // The plot area (the middle of the image) is drawn on, not blank.
  const colours = new Set<number>();
  let inked = 0;
  for (let y = 100; y < 420; y++)
    for (let x = 80; x < 900; x++) {
      const i = (y * png.width + x) * 4;
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      colours.add((r << 16) | (g << 8) | b);
      if (r + g + b < 3 * 235) inked++;
    }
  expect(colours.size).toBeGreaterThan(50);
  expect(inked).toBeGreaterThan(30_000);

  // Each stacked series is a solid bar; the health score a thick line.
  for (const series of TREND_SERIES) expect(countNear(png, series.color)).toBeGreaterThan(2_000);
  expect(countNear(png, HEALTH_SERIES.color)).toBeGreaterThan(1_000);
  // Text (axes, dates, legend, title) is rendered: dark grey/black glyph pixels.
  expect(countNear(png, '#000000', 60)).toBeGreaterThan(1_000);

  // Fast enough for a weekly job and the test suite (vega loads once per process).
  const again = Date.now();
  await renderTrendChart(weeks(12));
  expect(Date.now() - again).toBeLessThan(1_000);
  expect(firstMs).toBeLessThan(5_000);
});

test('the SVG has the dates, the axis titles and the legend', async () => {
  const svg = await trendChartSvg(weeks(12));
  for (const text of [
    '1 Sep',
    '17 Nov',
    // The axis and legend say what the bars are: the bot's inventory counts, not CAS's counters.
    'Certificates at risk (bot inventory)',
    'Health score (CAS)',
    'Expired',
    'Expiring',
    'Stale deployments',
  ])
    expect(svg).toContain(text);
  expect(svg).toContain(`width="${TREND_CHART_SIZE.width}"`);
  expect(svg).toContain(`height="${TREND_CHART_SIZE.height}"`);
});

test('fewer than two snapshots: no chart', async () => {
  expect(await renderTrendChart([])).toBeUndefined();
  expect(await renderTrendChart(weeks(1))).toBeUndefined();
  expect(await renderTrendChart(weeks(2))).toBeInstanceOf(Buffer);
});

test('the spec is pure: the last twelve digests, oldest first, labelled by date', () => {
  const snapshots = weeks(14).reverse();
  const spec = trendChartSpec(snapshots);
  expect(trendChartSpec(snapshots)).toEqual(spec);
  const rows = trendRows(snapshots);
  expect(rows).toHaveLength(12);
  // The bars are the inventory's counts of each state, never CAS's counters.
  expect(rows[0]).toMatchObject({ label: '15 Sep', expired: 5, expiring: 8, stale: 1, point: 59 });
  // A digest without inventory counts (before the first sync, or older) has no bars, not CAS's numbers.
  const older = weeks(2).map((s, i) => (i === 0 ? { ...s, states: undefined } : s));
  expect(trendRows(older)[0]).toMatchObject({ expired: null, expiring: null, stale: null });
  expect(rows[11].label).toBe('1 Dec');
  expect(JSON.stringify(spec)).toContain('"fold"');
  // A missing score leaves a gap in the line, not a zero.
  const gap = weeks(3).map((s, i) => (i === 1 ? { ...s, point: undefined } : s));
  expect(trendRows(gap)[1].point).toBeNull();
});

test('periods shorter than a day get their time, so no two points share a label', () => {
  const base = Date.UTC(2025, 10, 24, 9);
  const snapshots = [0, 3, 6].map((s) => ({
    period: new Date(base + s * 1000).toISOString(),
    takenAt: new Date(base + s * 1000),
    point: 70,
    risks: { expired: 1, expiring: 2 },
    totalRisk: 3,
    states: { expired: 1, expiring: 2, stale: 0 },
  }));
  expect(trendRows(snapshots).map((r) => r.label)).toEqual(['24 Nov 09:00:00', '24 Nov 09:00:03', '24 Nov 09:00:06']);
});
