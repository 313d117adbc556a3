/**
 * How many latent directions a class-conditional generator really uses per
 * class. G multiplies z by a learnt class embedding e (as tfjs-examples'
 * mnist-acgan does), so z_i reaches the rest of G scaled by e_i: where e² is
 * concentrated on a few dimensions, each class's samples vary along a few
 * directions only (partial mode collapse).
 *
 * The effective number of dimensions is the participation ratio of a
 * weight vector w ≥ 0, (Σ w)² / Σ w²: n when all n weights are equal, 1 when
 * one carries everything. It is measured three ways, from the inside out:
 * the embedding alone (w_i = e_i²), the first linear layer after it
 * (w_i = e_i² ‖W_i‖², the variance z_i adds to that layer's input), and the
 * whole generator (w_i = E‖∂G(z)/∂z_i‖², by central differences).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { latents } from "@gan-edge/shared/prng";

/** (Σ w)² / Σ w² of non-negative weights; throws if all are 0. */
export function participationRatio(w: ArrayLike<number>): number {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < w.length; i++) {
    if (!(w[i] >= 0)) throw new RangeError(`participation ratio: weight ${i} is ${w[i]}`);
    sum += w[i];
    squares += w[i] * w[i];
  }
  if (sum === 0) throw new RangeError("participation ratio: every weight is 0");
  return (sum * sum) / squares;
}

/** Share of Σ w carried by the `top` largest weights. */
export function topShare(w: ArrayLike<number>, top: number): number {
  const sorted = Float64Array.from(w).sort().reverse();
  const total = sorted.reduce((a, b) => a + b, 0);
  return sorted.subarray(0, top).reduce((a, b) => a + b, 0) / total;
}

/** One class's spread over the latent dimensions, by one of the measures. */
export interface Spread {
  /** Participation ratio of the weights: the effective number of dimensions. */
  participation: number;
  /** Share of the weights' total carried by the 4 largest. */
  top4: number;
}

/** {@link participationRatio} and the top-4 share of `w`. */
export function spread(w: ArrayLike<number>): Spread {
  return { participation: participationRatio(w), top4: topShare(w, 4) };
}

/**
 * Per class k, the weights with which z_i reaches the first linear layer:
 * e_ki² ‖W_i‖² (`embedding` [classes, dim], `kernel` [dim, units] row-major);
 * without a kernel, e_ki² alone.
 */
export function embeddingWeights(
  embedding: Float32Array,
  classes: number,
  dim: number,
  kernel?: { values: Float32Array; units: number },
): Float64Array[] {
  if (embedding.length !== classes * dim) {
    throw new RangeError(`embedding: ${embedding.length} values for ${classes} × ${dim}`);
  }
  const rowNorms = new Float64Array(dim).fill(1);
  if (kernel) {
    if (kernel.values.length !== dim * kernel.units) {
      throw new RangeError(`kernel: ${kernel.values.length} values for ${dim} × ${kernel.units}`);
    }
    for (let i = 0; i < dim; i++) {
      let s = 0;
      for (let u = 0; u < kernel.units; u++) s += kernel.values[i * kernel.units + u] ** 2;
      rowNorms[i] = s;
    }
  }
  return Array.from(
    { length: classes },
    (_, k) =>
      Float64Array.from({ length: dim }, (_, i) => embedding[k * dim + i] ** 2 * rowNorms[i]),
  );
}

/**
 * Per class, E_z ‖(G(z + δ·u_i) − G(z − δ·u_i)) / 2δ‖² for each latent
 * dimension i (u_i its unit vector): the whole generator's sensitivity to
 * each direction, averaged over `n` latents of `seed` (standard normal).
 * `G` takes [z, label] ([batch, dim], [batch, 1]).
 */
export async function latentSensitivity(
  G: tf.LayersModel,
  classes: number,
  dim: number,
  { n = 32, delta = 0.05, seed = 0 } = {},
): Promise<Float64Array[]> {
  const z = latents(seed, n, dim, "normal");
  const out: Float64Array[] = [];
  for (let k = 0; k < classes; k++) {
    const s = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      const value = tf.tidy(() => {
        const base = tf.tensor2d(z, [n, dim]);
        const step = tf.oneHot(tf.fill([n], i, "int32"), dim).mul(delta);
        const label = tf.fill([n, 1], k);
        const up = G.predict([base.add(step), label]) as tf.Tensor;
        const down = G.predict([base.sub(step), label]) as tf.Tensor;
        const d = up.sub(down).div(2 * delta).reshape([n, -1]);
        return d.square().sum(1).mean();
      });
      s[i] = (await value.data())[0];
      value.dispose();
    }
    out.push(s);
  }
  return out;
}
