/**
 * Latent arithmetic done on the edge before the forward pass: the truncation
 * trick and spherical interpolation. Plain float32 loops; no tensors.
 *
 * @module
 */

/**
 * The truncation trick, as clipping: every coordinate with |z| > `threshold`
 * becomes ±threshold. In place; returns `z`. (Clipping rather than
 * resampling keeps vector i a function of (seed, i) alone.)
 */
export function truncate(z: Float32Array, threshold?: number): Float32Array {
  if (threshold === undefined) return z;
  for (let i = 0; i < z.length; i++) {
    z[i] = Math.max(-threshold, Math.min(threshold, z[i]));
  }
  return z;
}

/**
 * `steps` latents along the arc from `a` to `b`, both ends included,
 * row-major: slerp (Shoemake 1985) as White (2016) applies it to GAN
 * latents, which keeps intermediate vectors at a typical norm for a Gaussian
 * where linear interpolation would pass near the origin.
 * Falls back to linear interpolation when a and b are (anti)parallel or zero.
 */
export function slerp(
  a: Float32Array,
  b: Float32Array,
  steps: number,
): Float32Array {
  const dim = a.length;
  const out = new Float32Array(steps * dim);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < dim; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const cos = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 1;
  const omega = Math.acos(Math.max(-1, Math.min(1, cos)));
  const sin = Math.sin(omega);
  for (let s = 0; s < steps; s++) {
    const t = steps === 1 ? 0 : s / (steps - 1);
    const [wa, wb] = sin < 1e-6
      ? [1 - t, t]
      : [Math.sin((1 - t) * omega) / sin, Math.sin(t * omega) / sin];
    for (let i = 0; i < dim; i++) out[s * dim + i] = wa * a[i] + wb * b[i];
  }
  return out;
}
