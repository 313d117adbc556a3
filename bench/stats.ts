/**
 * The bench's statistics: percentiles by linear interpolation between
 * closest ranks (NumPy's default), and the summary each timed measure
 * reports. Pure functions, tested by tests/bench/.
 *
 * @module
 */

/** The p-th percentile (0 ≤ p ≤ 100) of `values`, interpolating linearly. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError("percentile: expected at least one value");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: expected p in [0, 100], got ${p}`);
  const s = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** What a timed measure reports, in milliseconds. */
export interface Summary {
  p50: number;
  p99: number;
  min: number;
  max: number;
  runs: number;
}

/** p50, p99, min and max of `ms`. */
export function summarize(ms: readonly number[]): Summary {
  return {
    p50: median(ms),
    p99: percentile(ms, 99),
    min: Math.min(...ms),
    max: Math.max(...ms),
    runs: ms.length,
  };
}

/** Times `runs` calls of `f` after `warmup` untimed ones. */
export async function timeRuns(
  f: () => Promise<unknown> | unknown,
  runs: number,
  warmup: number,
): Promise<Summary> {
  return summarize(await timeSamples(f, runs, warmup));
}

/** Milliseconds of each of `runs` calls of `f`, after `warmup` untimed ones. */
export async function timeSamples(
  f: () => Promise<unknown> | unknown,
  runs: number,
  warmup: number,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** `x` rounded to `digits` significant digits (for the table and JSON). */
export function sig(x: number, digits = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}

/** Largest and mean |a − b| over two arrays of equal length. */
export function absDiff(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { max: number; mean: number } {
  if (a.length !== b.length) {
    throw new RangeError(`absDiff: lengths differ (${a.length} and ${b.length})`);
  }
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max || Number.isNaN(d)) max = d;
    sum += d;
  }
  return { max, mean: a.length ? sum / a.length : 0 };
}

/**
 * Milliseconds of `runs` calls of each of `fs`, taken in turn (the order
 * reversed every other run) after `warmup` untimed calls of each: a burst of
 * load on a shared machine then falls on all of them alike, not on whichever
 * happened to run during it.
 */
export async function timeAlternating(
  fs: (() => Promise<unknown> | unknown)[],
  runs: number,
  warmup: number,
): Promise<number[][]> {
  for (const f of fs) for (let i = 0; i < warmup; i++) await f();
  const ms = fs.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    const order = fs.map((_, j) => (i % 2 === 0 ? j : fs.length - 1 - j));
    for (const j of order) {
      const t0 = performance.now();
      await fs[j]();
      ms[j].push(performance.now() - t0);
    }
  }
  return ms;
}
