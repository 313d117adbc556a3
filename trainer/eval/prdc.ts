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
 * Distances come from tfjs matMuls in chunks (see ./parzen.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Rows, squaredDistances } from "./parzen.ts";

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
 * Squared distance from each row of `x` to its k-th nearest other row (the
 * row itself, at distance 0, is skipped): the squared ball radii.
 */
export async function kthNeighbourRadii(x: Rows, k: number): Promise<Float32Array> {
  const n = x.x.length / x.dim;
  if (k >= n) throw new RangeError(`k-NN: k = ${k} needs more than ${k} rows, got ${n}`);
  const all = tf.tensor2d(x.x, [n, x.dim]);
  const norms = tf.tidy(() => tf.reshape(tf.sum(tf.square(all), 1), [1, -1]));
  const radii = new Float32Array(n);
  try {
    for (let start = 0; start < n; start += CHUNK) {
      const rows = Math.min(CHUNK, n - start);
      const kth = tf.tidy(() => {
        const part = tf.slice(all, [start, 0], [rows, x.dim]);
        const d2 = squaredDistances(part, all, norms);
        // The k + 1 smallest (self included), the largest of them is the k-th other.
        const { values } = tf.topk(tf.neg(d2), k + 1);
        return tf.neg(tf.min(values, 1));
      });
      radii.set(await kth.data() as Float32Array, start);
      kth.dispose();
    }
  } finally {
    tf.dispose([all, norms]);
  }
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
  const m = points.x.length / points.dim;
  const n = centres.x.length / centres.dim;
  const c = tf.tensor2d(centres.x, [n, centres.dim]);
  const cNorms = tf.tidy(() => tf.reshape(tf.sum(tf.square(c), 1), [1, -1]));
  const r = tf.tensor2d(radii2, [1, n]);
  const inside = new Int32Array(m);
  const hit = new Uint8Array(n);
  try {
    for (let start = 0; start < m; start += CHUNK) {
      const rows = Math.min(CHUNK, m - start);
      const [count, any] = tf.tidy(() => {
        const p = tf.tensor2d(points.x.subarray(start * points.dim, (start + rows) * points.dim), [
          rows,
          points.dim,
        ]);
        const within = tf.cast(tf.lessEqual(squaredDistances(p, c, cNorms), r), "float32");
        return [tf.sum(within, 1), tf.max(within, 0)];
      });
      const [counts, anys] = await Promise.all([count.data(), any.data()]);
      tf.dispose([count, any]);
      for (let j = 0; j < rows; j++) inside[start + j] = counts[j];
      for (let i = 0; i < n; i++) if (anys[i] > 0) hit[i] = 1;
    }
  } finally {
    tf.dispose([c, cNorms, r]);
  }
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
