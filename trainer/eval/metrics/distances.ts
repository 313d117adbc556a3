/**
 * Squared Euclidean distances between the rows of two matrices, the common
 * part of the Parzen window, the k-NN precision/recall and the near-duplicate
 * measures: ‖a‖² + ‖b‖² − 2a·b from one tfjs matMul per chunk of rows
 * (10,000 × 10,000 × 784 is ~8·10¹⁰ multiply-adds: fine on wasm-SIMD,
 * hopeless in plain JS loops), and the k-th nearest neighbour of each row.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Rows of a row-major matrix: values and width. */
export interface Rows {
  /** [count, dim], row-major. */
  x: Float32Array;
  dim: number;
}

/**
 * The right-hand side of {@link distancesTo}, prepared once: rows transposed
 * to [d, q] (tfjs-backend-wasm's matMul is ~10× slower with `transposeB`
 * than on a pre-transposed operand) and their squared norms [1, q].
 */
export interface Prepared {
  t: tf.Tensor2D;
  norms: tf.Tensor2D;
  dispose(): void;
}

/** Prepares `b` [q, d] for {@link distancesTo}; the caller disposes it. */
export function prepare(b: tf.Tensor2D): Prepared {
  const [t, norms] = tf.tidy(() => [
    tf.transpose(b) as tf.Tensor2D,
    tf.reshape(tf.sum(tf.square(b), 1), [1, -1]) as tf.Tensor2D,
  ]);
  return { t, norms, dispose: () => tf.dispose([t, norms]) };
}

/**
 * Squared Euclidean distances [p, q] between each row of `a` [p, d] and each
 * prepared row, clamped at 0 (the expanded form ‖a‖² + ‖b‖² − 2a·b can dip
 * below by rounding). The caller disposes the result (or a tidy does).
 */
export function distancesTo(a: tf.Tensor2D, b: Prepared): tf.Tensor2D {
  return tf.tidy(() => {
    const an = tf.sum(tf.square(a), 1, true); // [p, 1]
    const cross = tf.matMul(a, b.t); // [p, q]
    return tf.relu(tf.sub(tf.add(an, b.norms), tf.mul(cross, 2))) as tf.Tensor2D;
  });
}

/** Squared distances between the rows of `a` [p, d] and of `b` [q, d]. */
export function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const prepared = prepare(b);
  try {
    return distancesTo(a, prepared);
  } finally {
    prepared.dispose();
  }
}

/** Rows of `points` per matMul (memory: CHUNK × centres floats). */
const CHUNK = 500;

/**
 * Calls `fn` with each chunk of squared distances between the rows of
 * `points` and those of `centres`, as a row-major Float32Array [rows, n].
 * The distances come from one matMul per chunk; the selections and
 * comparisons are done in JS on the downloaded chunk (on tfjs-backend-wasm
 * a broadcast lessEqual over 500 × 10,000 costs ~10× the download).
 */
export async function forEachDistanceChunk(
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
 * Squared distances from each row of `x` to its 1st, 2nd, …, k-th nearest
 * other row (the row itself, at distance 0, is skipped; an exact copy is a
 * neighbour at 0): result[j − 1][i] is row i's j-th. One pass over the
 * distances gives every j ≤ k.
 */
export async function nearestNeighbourRadii(x: Rows, k: number): Promise<Float32Array[]> {
  const n = x.x.length / x.dim;
  if (k < 1 || k >= n) throw new RangeError(`k-NN: k = ${k} needs more than ${k} rows, got ${n}`);
  const radii = Array.from({ length: k }, () => new Float32Array(n));
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
      for (let r = 1; r <= k; r++) radii[r - 1][start + j] = best[r];
    }
  });
  return radii;
}

/**
 * Squared distance from each row of `x` to its k-th nearest other row (the
 * row itself, at distance 0, is skipped): the squared ball radii.
 */
export async function kthNeighbourRadii(x: Rows, k: number): Promise<Float32Array> {
  return (await nearestNeighbourRadii(x, k))[k - 1];
}
