/**
 * Parzen-window log-likelihood, exactly as Goodfellow et al. 2014 (Table 1,
 * and their `parzen_ll.py`): a Gaussian kernel density with isotropic width σ
 * is fitted on generated samples μ_1…μ_n, and a point x scores
 *
 *     log p(x) = log (1/n) Σ_i exp(−‖x − μ_i‖² / 2σ²) − d·log(σ√(2π)),
 *
 * σ is the value of logspace(−1, 0, 10) with the highest mean log-likelihood
 * on a validation set, and the test set's mean is reported with its standard
 * error (std / √m). The paper's images are in [0, 1]; so are ours here (see
 * {@link toUnitInterval}).
 *
 * Squared distances come from one tfjs matMul per chunk of test points
 * (./distances.ts); the log-mean-exp is tfjs's max-shifted logSumExp,
 * numerically stable for σ = 0.1 where the exponents reach −4,000.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { distancesTo, prepare, type Rows } from "./distances.ts";

/** The paper's σ grid: logspace(−1, 0, 10) = 10^(−1 + i/9), i = 0…9. */
export const PAPER_SIGMAS: readonly number[] = Array.from(
  { length: 10 },
  (_, i) => 10 ** (-1 + i / 9),
);

/** Parzen protocol of the paper: 10,000 samples, 1,000 validation images. */
export const PAPER_PROTOCOL = { samples: 10_000, validation: 1_000 } as const;

/** log((1/n) Σ exp(x_i)), stable for any range of x (shifted by the max). */
export function logMeanExp(xs: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) max = Math.max(max, xs[i]);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += Math.exp(xs[i] - max);
  return max + Math.log(sum / xs.length);
}

/** Images from the generator's range [−1, 1] to the paper's [0, 1]. */
export function toUnitInterval(x: Float32Array): Float32Array {
  return x.map((v) => (v + 1) / 2);
}

/** Mean and standard error of the mean (population std / √n, as the paper). */
export function meanAndStderr(xs: ArrayLike<number>): { mean: number; stderr: number } {
  const n = xs.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - mean) ** 2;
  return { mean, stderr: Math.sqrt(ss / n) / Math.sqrt(n) };
}

/** Options of {@link parzenLogLikelihoods}. */
export interface ParzenOptions {
  /** Test points per matMul chunk (memory: chunk × samples floats). */
  chunk?: number;
  /** Called after each chunk with points done and points in all. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Per-point Parzen log-likelihoods of `points` under the kernel density on
 * `samples`, for each σ in `sigmas`: result[s][j] is log p(points_j | σ_s).
 * Distances are computed once per chunk and shared by every σ.
 */
export async function parzenLogLikelihoods(
  samples: Rows,
  points: Rows,
  sigmas: readonly number[],
  options: ParzenOptions = {},
): Promise<Float64Array[]> {
  const { dim } = samples;
  if (points.dim !== dim) {
    throw new RangeError(`parzen: samples have dim ${dim}, points ${points.dim}`);
  }
  const n = samples.x.length / dim;
  const m = points.x.length / dim;
  const chunk = options.chunk ?? 500;
  const out = sigmas.map(() => new Float64Array(m));
  const rows = tf.tensor2d(samples.x, [n, dim]);
  const mu = prepare(rows);
  rows.dispose();
  try {
    for (let start = 0; start < m; start += chunk) {
      const count = Math.min(chunk, m - start);
      const lse = tf.tidy(() => {
        const x = tf.tensor2d(points.x.subarray(start * dim, (start + count) * dim), [count, dim]);
        const d2 = distancesTo(x, mu);
        // log Σ exp(−d²/2σ²), one column per σ → [rows, sigmas]
        return tf.stack(sigmas.map((s) => tf.logSumExp(tf.mul(d2, -1 / (2 * s * s)), 1)), 1);
      });
      const values = await lse.data();
      lse.dispose();
      sigmas.forEach((s, k) => {
        const z = dim * Math.log(s * Math.sqrt(2 * Math.PI)) + Math.log(n);
        for (let j = 0; j < count; j++) out[k][start + j] = values[j * sigmas.length + k] - z;
      });
      options.onProgress?.(start + count, m);
    }
  } finally {
    mu.dispose();
  }
  return out;
}

/** The paper's numbers: chosen σ, test mean ± standard error, and σ's scores. */
export interface ParzenReport {
  sigma: number;
  mean: number;
  stderr: number;
  samples: number;
  validation: number;
  test: number;
  /** Mean validation log-likelihood of every σ tried. */
  validationBySigma: { sigma: number; mean: number }[];
  /** The scale the images were measured in. */
  scale: "[0, 1]" | "as given";
}

/**
 * The whole protocol: picks σ from `sigmas` on `validation`, then reports the
 * mean log-likelihood ± standard error of `test` with that σ. All three sets
 * must be in the same scale (the paper: images in [0, 1]).
 */
export async function parzenEvaluate(
  samples: Rows,
  validation: Rows,
  test: Rows,
  sigmas: readonly number[] = PAPER_SIGMAS,
  options: ParzenOptions & { scale?: ParzenReport["scale"] } = {},
): Promise<ParzenReport> {
  const byS = await parzenLogLikelihoods(samples, validation, sigmas, { chunk: options.chunk });
  const validationBySigma = sigmas.map((sigma, k) => ({
    sigma,
    mean: meanAndStderr(byS[k]).mean,
  }));
  const best = validationBySigma.reduce((a, b) => (b.mean > a.mean ? b : a));
  const [ll] = await parzenLogLikelihoods(samples, test, [best.sigma], options);
  const { mean, stderr } = meanAndStderr(ll);
  return {
    sigma: best.sigma,
    mean,
    stderr,
    samples: samples.x.length / samples.dim,
    validation: validation.x.length / validation.dim,
    test: test.x.length / test.dim,
    validationBySigma,
    scale: options.scale ?? "as given",
  };
}
