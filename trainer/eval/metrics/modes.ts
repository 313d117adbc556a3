/**
 * Mode-collapse measurement on the Gaussian mixtures, with the protocol of
 * VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018): a sample is
 * high quality if it lies within 3σ of its nearest mode; a mode is captured
 * if it is the nearest mode of at least one high-quality sample.
 *
 * @module
 */
import type { Mixture } from "../../data/toy.ts";

/** Mode coverage of a set of generated points. */
export interface ModeReport {
  samples: number;
  modes: number;
  /** Modes that are the nearest mode of at least one high-quality sample. */
  captured: number;
  /** Fraction of samples within 3σ of their nearest mode. */
  highQuality: number;
  /** KL(q ‖ uniform) of the high-quality samples' mode histogram q (nats). */
  reverseKl: number;
  /** High-quality samples per mode. */
  histogram: number[];
}

/** Measures `points` (row-major [n, 2]) against `mixture`'s modes. */
export function modeCoverage(
  points: Float32Array,
  mixture: Mixture,
): ModeReport {
  const n = points.length / 2;
  const histogram = new Array(mixture.modes.length).fill(0);
  const limit = 3 * mixture.sigma;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDist = Infinity;
    mixture.modes.forEach(([mx, my], m) => {
      const d = Math.hypot(points[2 * i] - mx, points[2 * i + 1] - my);
      if (d < bestDist) [best, bestDist] = [m, d];
    });
    if (bestDist <= limit) histogram[best]++;
  }
  const good = histogram.reduce((a, b) => a + b, 0);
  const k = mixture.modes.length;
  const reverseKl = good === 0 ? Infinity : histogram.reduce((kl, c) => {
    const q = c / good;
    return q > 0 ? kl + q * Math.log(q * k) : kl;
  }, 0);
  return {
    samples: n,
    modes: k,
    captured: histogram.filter((c) => c > 0).length,
    highQuality: n === 0 ? 0 : good / n,
    reverseKl,
    histogram,
  };
}
