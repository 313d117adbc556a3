/**
 * The standard mode-collapse mixtures of VEEGAN and PacGAN, as pure samplers
 * over the shared PRNG (so a run's data stream is part of its seed).
 *
 * @module
 */
import type { Prng } from "@gan-edge/shared/prng";

/** A mixture of isotropic Gaussians in 2-D with equal weights. */
export interface Mixture {
  name: "ring8" | "grid25";
  modes: [number, number][];
  sigma: number;
  /** The largest |coordinate| of a mode: the networks' unit (architectures.ts `scale`). */
  scale: number;
}

/** 8 Gaussians evenly on the unit circle, σ = 0.01. */
export const RING8: Mixture = {
  name: "ring8",
  modes: Array.from({ length: 8 }, (_, i) => {
    const a = (2 * Math.PI * i) / 8;
    return [Math.cos(a), Math.sin(a)] as [number, number];
  }),
  sigma: 0.01,
  scale: 1,
};

/** 25 Gaussians on the grid {−4, −2, 0, 2, 4}², σ = 0.05. */
export const GRID25: Mixture = {
  name: "grid25",
  modes: [-4, -2, 0, 2, 4].flatMap((x) => [-4, -2, 0, 2, 4].map((y) => [x, y] as [number, number])),
  sigma: 0.05,
  scale: 4,
};

export const MIXTURES = { ring8: RING8, grid25: GRID25 } as const;

/** `n` points of `mixture`, row-major [n, 2]: a uniform mode plus noise. */
export function sampleMixture(
  mixture: Mixture,
  prng: Prng,
  n: number,
): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const [mx, my] = mixture.modes[prng.int(mixture.modes.length)];
    out[2 * i] = mx + mixture.sigma * prng.normal();
    out[2 * i + 1] = my + mixture.sigma * prng.normal();
  }
  return out;
}
