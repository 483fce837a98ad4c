import { formatDelta } from './format';

/**
 * A trend in one line of text, for App Home and the terminal alike: `▁▂▃▅▇`, one bar per point,
 * scaled between the lowest and the highest point. Pure.
 */
const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** One bar per finite point, oldest first; a flat trend is a row of middle bars; no points: ''. */
export function sparkline(points: readonly number[]): string {
  const values = points.filter((p) => typeof p === 'number' && Number.isFinite(p));
  if (values.length === 0) return '';
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (high === low) return BARS[3].repeat(values.length);
  const top = BARS.length - 1;
  return values.map((v) => BARS[Math.round(((v - low) / (high - low)) * top)]).join('');
}

/** The change between the last two points: `▲ 2 since last week`, `no change`, or `trend from next week`. */
export function describeWeekChange(points: readonly number[]): string {
  const values = points.filter((p) => typeof p === 'number' && Number.isFinite(p));
  if (values.length < 2) return 'trend from next week';
  const delta = values[values.length - 1] - values[values.length - 2];
  return delta === 0 ? 'no change' : `${formatDelta(delta)} since last week`;
}
