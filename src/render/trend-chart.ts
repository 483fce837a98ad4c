import type { TopLevelSpec } from 'vega-lite';
import type { CertificateState } from '../domain/certificate-state';
import type { DigestSnapshot } from '../store/types';

/**
 * The digest's trend chart: the health score as a line over the certificates at risk in the
 * bot's inventory (stale deployments, expired, expiring: the counts the digest's text shows, not
 * CAS's risk counters) as stacked bars, one point per digest. A Vega-Lite spec built by
 * a pure function, compiled and rendered headless to SVG by vega (no browser, no canvas), then
 * rasterised to PNG by resvg with a bundled font, so it looks the same on every machine.
 */

/** Digests the chart covers: twelve weeks. */
export const TREND_WEEKS = 12;
/** The PNG's size in pixels. */
export const TREND_CHART_SIZE = { width: 1000, height: 500 } as const;

/** The series, in stacking (and legend) order: the at-risk states, in precedence order, named as everywhere. */
export const TREND_SERIES = [
  { key: 'stale', label: 'Stale deployments', color: '#8250df' },
  { key: 'expired', label: 'Expired', color: '#d1242f' },
  { key: 'expiring', label: 'Expiring', color: '#f08c00' },
] as const satisfies ReadonlyArray<{ key: CertificateState; label: string; color: string }>;
/** The bars' axis: what they count, and whose counts they are. */
export const TREND_AXIS_TITLE = 'Certificates at risk (bot inventory)';
export const HEALTH_SERIES = { label: 'Health score (CAS)', color: '#0969da' } as const;
export const TREND_BACKGROUND = '#ffffff';

/** The font family the spec names; its files ship with the bot (see chartFontFiles). */
export const CHART_FONT_FAMILY = 'Inter';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One bar group and line point: a digest's period, labelled by its date. */
export interface TrendRow {
  period: string;
  label: string;
  point: number | null;
  /** The inventory's counts; null for a digest that had none (before the first sync, or older). */
  expired: number | null;
  expiring: number | null;
  stale: number | null;
}

const count = (states: DigestSnapshot['states'], key: CertificateState) => {
  const value = states?.[key];
  if (!states) return null;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
};

/**
 * One row per snapshot, oldest first. Labels are the period's UTC date ("24 Nov"); when two
 * periods fall on one day (a cron shorter than a day), each gets its time as well.
 */
export function trendRows(snapshots: readonly DigestSnapshot[]): TrendRow[] {
  const sorted = [...snapshots].sort((a, b) => a.period.localeCompare(b.period)).slice(-TREND_WEEKS);
  const startOf = (s: DigestSnapshot) => {
    const start = new Date(s.period);
    return Number.isNaN(start.getTime()) ? s.takenAt : start;
  };
  const day = (d: Date) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  const days = sorted.map((s) => day(startOf(s)));
  const sameDay = new Set(days).size < days.length;
  return sorted.map((s, i) => ({
    period: s.period,
    label: sameDay ? `${days[i]} ${startOf(s).toISOString().slice(11, 19)}` : days[i],
    point: typeof s.point === 'number' && Number.isFinite(s.point) ? s.point : null,
    expired: count(s.states, 'expired'),
    expiring: count(s.states, 'expiring'),
    stale: count(s.states, 'stale'),
  }));
}

/** The Vega-Lite spec of the chart for these snapshots (oldest first). Pure. */
export function trendChartSpec(snapshots: readonly DigestSnapshot[]): TopLevelSpec {
  const rows = trendRows(snapshots);
  const labels = rows.map((r) => r.label);
  // CAS scores health out of 100; a larger value widens the axis rather than leaving the chart.
  const scoreMax = Math.max(100, ...rows.map((r) => r.point ?? 0));
  const x = {
    field: 'label',
    type: 'ordinal' as const,
    sort: labels,
    title: 'Digest of',
    axis: { labelAngle: 0, labelOverlap: true },
  };
  const color = {
    scale: {
      domain: [...TREND_SERIES.map((s) => s.label), HEALTH_SERIES.label],
      range: [...TREND_SERIES.map((s) => s.color), HEALTH_SERIES.color],
    },
    legend: {
      title: null,
      orient: 'top' as const,
      direction: 'horizontal' as const,
      symbolSize: 160,
      labelLimit: 300,
      columnPadding: 24,
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `Certificates at risk in the bot's inventory, and CAS health score, last ${rows.length} digests`,
      anchor: 'start',
      fontSize: 18,
    },
    width: TREND_CHART_SIZE.width,
    height: TREND_CHART_SIZE.height,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 16,
    background: TREND_BACKGROUND,
    data: { values: rows as unknown as Record<string, unknown>[] },
    layer: [
      {
        transform: [
          { fold: TREND_SERIES.map((s) => s.key), as: ['kind', 'count'] },
          { filter: 'isValid(datum.count)' },
          {
            calculate: TREND_SERIES.map((s) => `datum.kind === '${s.key}' ? '${s.label}' : `).join('') + "''",
            as: 'series',
          },
          {
            calculate: TREND_SERIES.map((s, i) => `datum.kind === '${s.key}' ? ${i} : `).join('') + '9',
            as: 'order',
          },
        ],
        mark: { type: 'bar', width: { band: 0.6 } },
        encoding: {
          x,
          y: {
            field: 'count',
            type: 'quantitative',
            stack: 'zero',
            title: TREND_AXIS_TITLE,
            axis: { tickMinStep: 1, format: 'd' },
          },
          color: { field: 'series', type: 'nominal', ...color },
          order: { field: 'order', type: 'quantitative' },
          tooltip: [
            { field: 'label', title: 'Digest' },
            { field: 'series', title: 'State' },
            { field: 'count', title: 'Certificates' },
          ],
        },
      },
      {
        transform: [{ filter: 'isValid(datum.point)' }],
        mark: { type: 'line', strokeWidth: 4, point: { size: 90, filled: true } },
        encoding: {
          x,
          y: {
            field: 'point',
            type: 'quantitative',
            title: 'Health score (CAS)',
            scale: { domain: [0, scoreMax] },
            axis: { orient: 'right', titleColor: HEALTH_SERIES.color },
          },
          color: { datum: HEALTH_SERIES.label, ...color },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
    config: {
      font: CHART_FONT_FAMILY,
      axis: { labelFontSize: 13, titleFontSize: 14, gridColor: '#e6e6e6' },
      legend: { labelFontSize: 14 },
      view: { stroke: null },
    },
  };
}

/** The font files resvg loads (no system fonts: the runtime image has none). */
export function chartFontFiles(): string[] {
  return ['400Regular/Inter_400Regular.ttf', '700Bold/Inter_700Bold.ttf'].map((file) =>
    require.resolve(`@expo-google-fonts/inter/${file}`),
  );
}

/** The chart as SVG text (vega headless, renderer 'none'). */
export async function trendChartSvg(snapshots: readonly DigestSnapshot[]): Promise<string> {
  // Loaded on first use: a process that never draws a chart never loads vega.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(trendChartSpec(snapshots)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The trend chart as a PNG of TREND_CHART_SIZE, or undefined with fewer than two snapshots
 * (one point is no trend). `snapshots` are the last digests of every account, oldest first.
 */
export async function renderTrendChart(snapshots: readonly DigestSnapshot[]): Promise<Buffer | undefined> {
  if (snapshots.length < 2) return undefined;
  const svg = await trendChartSvg(snapshots);
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, {
    background: TREND_BACKGROUND,
    fitTo: { mode: 'width', value: TREND_CHART_SIZE.width },
    font: { loadSystemFonts: false, fontFiles: chartFontFiles(), defaultFontFamily: CHART_FONT_FAMILY },
  }).render();
  return png.asPng();
}
