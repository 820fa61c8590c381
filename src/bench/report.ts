// Rows of the bench's table: a figure over runs, its baseline over the same runs, and the
// ratio computed run by run (each run's figure over that run's baseline), all min/median/max.
import { fmtMs, fmtNum, fmtRatio, fmtSpread, ratio, spread, table, type Spread } from './stats.js';

export type Unit = 'ms' | 'MB' | 'per-s' | 'count';

export interface Row {
  section: string;
  figure: string;
  unit: Unit;
  value: Spread;
  /** what the figure is compared with; absent for plain counts */
  baseline?: { label: string; value: Spread };
  ratio?: Spread;
  goal?: string;
  /** whether the goal is met by the median (undefined: no goal, or not decidable) */
  met?: boolean;
}

const MB = 2 ** 20;

export function fmtUnit(unit: Unit): (n: number) => string {
  switch (unit) {
    case 'ms':
      return fmtMs;
    case 'MB':
      return (n) => (Number.isFinite(n) ? `${(n / MB).toFixed(0)} MB` : '–');
    case 'per-s':
      return (n) => (Number.isFinite(n) ? `${n >= 100 ? Math.round(n).toLocaleString('en-US') : fmtNum(n, 2)}/s` : '–');
    case 'count':
      return (n) => fmtNum(n, 1);
  }
}

/** A row from paired per-run samples: values[i] and baselines[i] come from run i. */
export function pairedRow(
  section: string,
  figure: string,
  unit: Unit,
  values: readonly number[],
  baseline?: { label: string; values: readonly number[] },
  goal?: { text: string; met: (median: number, ratioMedian: number) => boolean },
): Row {
  const value = spread(values);
  const row: Row = { section, figure, unit, value };
  if (baseline) {
    row.baseline = { label: baseline.label, value: spread(baseline.values) };
    row.ratio = spread(values.map((v, i) => ratio(v, baseline.values[i] ?? Number.NaN)));
  }
  if (goal) {
    row.goal = goal.text;
    row.met = value.n ? goal.met(value.median, row.ratio?.median ?? Number.NaN) : undefined;
  }
  return row;
}

export function renderRows(rows: readonly Row[]): string {
  const out: string[][] = [['figure', 'value min / median / max', 'baseline', 'baseline min / median / max', 'ratio min / median / max', 'goal']];
  for (const r of rows) {
    const f = fmtUnit(r.unit);
    out.push([
      r.figure,
      fmtSpread(r.value, f),
      r.baseline?.label ?? '',
      r.baseline ? fmtSpread(r.baseline.value, f) : '',
      r.ratio ? fmtSpread(r.ratio, fmtRatio) : '',
      r.goal ? `${r.goal}${r.met === undefined ? '' : r.met ? ' ✔' : ' ✘'}` : '',
    ]);
  }
  return table(out);
}
