/**
 * k-NN precision and recall (Kynkäänniemi et al. 2019, "Improved Precision
 * and Recall Metric for Assessing Generative Models"), plus density and
 * coverage (Naeem et al. 2020), which fall out of the same distances.
 *
 * Each real feature vector gets a ball whose radius is the distance to its
 * k-th nearest other real vector (likewise for the fakes):
 *
 * - precision: fraction of fakes inside at least one real ball (quality);
 * - recall: fraction of reals inside at least one fake ball (diversity);
 * - density: mean number of real balls holding a fake, divided by k;
 * - coverage: fraction of real balls holding at least one fake.
 *
 * Distances come from tfjs matMuls in chunks (see ./parzen.ts); the k-th
 * neighbour selection and the ball tests run in JS on each chunk.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { distancesTo, prepare, type Rows } from "./parzen.ts";

/** The paper's neighbourhood size. */
export const DEFAULT_K = 3;

/** Precision, recall, density and coverage of fakes against reals. */
export interface PrdcReport {
  k: number;
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  real: number;
  fake: number;
}

const CHUNK = 500;

/**
 * Calls `fn` with each chunk of squared distances between the rows of
 * `points` and those of `centres`, as a row-major Float32Array [rows, n].
 * The distances come from one matMul per chunk; the selections and
 * comparisons are done in JS on the downloaded chunk (on tfjs-backend-wasm
 * a broadcast lessEqual over 500 × 10,000 costs ~10× the download).
 */
async function forEachDistanceChunk(
  points: Rows,
  centres: Rows,
  fn: (d2: Float32Array, start: number, rows: number, n: number) => void,
): Promise<void> {
  const m = points.x.length / points.dim;
  const n = centres.x.length / centres.dim;
  const c = tf.tensor2d(centres.x, [n, centres.dim]);
  const prepared = prepare(c);
  c.dispose();
  try {
    for (let start = 0; start < m; start += CHUNK) {
      const rows = Math.min(CHUNK, m - start);
      const d2 = tf.tidy(() =>
        distancesTo(
          tf.tensor2d(points.x.subarray(start * points.dim, (start + rows) * points.dim), [
            rows,
            points.dim,
          ]),
          prepared,
        )
      );
      const values = await d2.data() as Float32Array;
      d2.dispose();
      fn(values, start, rows, n);
    }
  } finally {
    prepared.dispose();
  }
}

/**
 * Squared distance from each row of `x` to its k-th nearest other row (the
 * row itself, at distance 0, is skipped): the squared ball radii.
 */
export async function kthNeighbourRadii(x: Rows, k: number): Promise<Float32Array> {
  const n = x.x.length / x.dim;
  if (k >= n) throw new RangeError(`k-NN: k = ${k} needs more than ${k} rows, got ${n}`);
  const radii = new Float32Array(n);
  const best = new Float64Array(k + 1); // the k + 1 smallest, ascending (self included)
  await forEachDistanceChunk(x, x, (d2, start, rows, cols) => {
    for (let j = 0; j < rows; j++) {
      best.fill(Infinity);
      const row = j * cols;
      for (let i = 0; i < cols; i++) {
        const v = i === start + j ? 0 : d2[row + i]; // self is exactly 0
        if (v >= best[k]) continue;
        let p = k;
        while (p > 0 && best[p - 1] > v) {
          best[p] = best[p - 1];
          p--;
        }
        best[p] = v;
      }
      radii[start + j] = best[k];
    }
  });
  return radii;
}

/**
 * For each row of `points`, how many balls (centres `centres`, squared radii
 * `radii2`) hold it; and for each ball, whether any point falls in it.
 */
async function ballCounts(
  points: Rows,
  centres: Rows,
  radii2: Float32Array,
): Promise<{ inside: Int32Array; hit: Uint8Array }> {
  const inside = new Int32Array(points.x.length / points.dim);
  const hit = new Uint8Array(centres.x.length / centres.dim);
  await forEachDistanceChunk(points, centres, (d2, start, rows, n) => {
    for (let j = 0; j < rows; j++) {
      let count = 0;
      const row = j * n;
      for (let i = 0; i < n; i++) {
        if (d2[row + i] <= radii2[i]) {
          count++;
          hit[i] = 1;
        }
      }
      inside[start + j] = count;
    }
  });
  return { inside, hit };
}

/** Precision, recall, density and coverage of `fake` against `real` features. */
export async function precisionRecall(
  real: Rows,
  fake: Rows,
  k = DEFAULT_K,
): Promise<PrdcReport> {
  if (real.dim !== fake.dim) {
    throw new RangeError(`k-NN: real dim ${real.dim} differs from fake dim ${fake.dim}`);
  }
  const n = real.x.length / real.dim;
  const m = fake.x.length / fake.dim;
  const realRadii = await kthNeighbourRadii(real, k);
  const fakeRadii = await kthNeighbourRadii(fake, k);
  const fakesInReal = await ballCounts(fake, real, realRadii);
  const realsInFake = await ballCounts(real, fake, fakeRadii);
  let precise = 0;
  let density = 0;
  for (const c of fakesInReal.inside) {
    if (c > 0) precise++;
    density += c;
  }
  let recalled = 0;
  for (const c of realsInFake.inside) if (c > 0) recalled++;
  const covered = fakesInReal.hit.reduce((s, h) => s + h, 0);
  return {
    k,
    precision: precise / m,
    recall: recalled / n,
    density: density / (k * m),
    coverage: covered / n,
    real: n,
    fake: m,
  };
}
