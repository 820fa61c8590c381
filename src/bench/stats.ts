// The bench's arithmetic, pure and tested (test/bench.test.ts): percentiles, spreads over
// runs, the busiest 1 s window of a call log, and how ratios and times are written.

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
  /** how many runs */
  n: number;
}

/** min / median / max of one figure over runs (NaN values, i.e. runs without it, left out). */
export function spread(values: readonly number[]): Spread {
  const v = values.filter((x) => !Number.isNaN(x));
  if (v.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 };
  return { min: Math.min(...v), median: median(v), max: Math.max(...v), n: v.length };
}

/**
 * The most events in any window of `windowMs` (half-open: [t, t + windowMs)), for event
 * times in ms in any order. One event → 1; none → 0.
 */
export function windowMax(times: readonly number[], windowMs = 1000): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < t.length; end++) {
    while (t[end]! - t[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** windowMax per key (e.g. per channel, per account × Region). */
export function windowMaxBy<T>(items: readonly T[], key: (item: T) => string, time: (item: T) => number, windowMs = 1000): Record<string, number> {
  const groups = new Map<string, number[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k) ?? [];
    list.push(time(item));
    groups.set(k, list);
  }
  const out: Record<string, number> = {};
  for (const [k, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) out[k] = windowMax(list, windowMs);
  return out;
}

/**
 * The most intervals [start, end) open at once (e.g. calls in flight at a server). An
 * interval ending when another starts does not overlap it; one without an end is skipped.
 */
export function maxInFlight(intervals: readonly { start: number; end: number | undefined }[]): number {
  const edges: [number, number][] = [];
  for (const i of intervals) if (i.end !== undefined && Number.isFinite(i.end)) edges.push([i.start, 1], [i.end, -1]);
  // at equal times, ends before starts
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let best = 0;
  for (const [, d] of edges) best = Math.max(best, (open += d));
  return best;
}

/** The largest value of a record (0 when empty). */
export const maxOf = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => Math.max(a, b), 0);

/** value / baseline; NaN when either is missing or the baseline is 0. */
export function ratio(value: number, baseline: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return value / baseline;
}

/** "×3.21", "×0.052", "×1,234"; "–" when not a number. Three significant digits, at least. */
export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '–';
  if (r >= 100) return `×${Math.round(r).toLocaleString('en-US')}`;
  return `×${r.toPrecision(3)}`;
}

/** Milliseconds as people read them: "0.84 ms", "12.3 ms", "412 ms", "3.41 s", "–". */
export function fmtMs(msValue: number): string {
  if (!Number.isFinite(msValue)) return '–';
  if (msValue >= 1000) return `${(msValue / 1000).toFixed(2)} s`;
  if (msValue >= 100) return `${msValue.toFixed(0)} ms`;
  if (msValue >= 10) return `${msValue.toFixed(1)} ms`;
  return `${msValue.toFixed(2)} ms`;
}

/** A number with up to `digits` decimals and no trailing zeros; "–" when not a number. */
export function fmtNum(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return '–';
  return String(Number(n.toFixed(digits)));
}

/** "min / median / max" of a spread with a formatter. */
export function fmtSpread(s: Spread, fmt: (n: number) => string = fmtNum): string {
  if (s.n === 0) return '–';
  return `${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)}`;
}

/** Columns padded to their widest cell; the first row is the header, underlined. */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => cell + ' '.repeat(widths[c]! - [...cell].length))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
