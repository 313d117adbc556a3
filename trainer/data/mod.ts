/**
 * Training data sources behind one interface, chosen by `--dataset`.
 *
 * @module
 */
import type { Prng } from "@gan-edge/shared/prng";
import type { Output } from "@gan-edge/shared/schema";
import { MIXTURES, sampleMixture } from "./toy.ts";

/** Where real batches come from. */
export interface DataSource {
  name: string;
  output: Output;
  /** `n` real samples, row-major, drawn with `prng`. */
  batch(prng: Prng, n: number): Float32Array;
}

/** The data source for a `--dataset` value. */
export function openDataset(name: string): DataSource {
  if (name === "ring8" || name === "grid25") {
    const mixture = MIXTURES[name];
    return {
      name,
      output: { kind: "points", dim: 2 },
      batch: (prng, n) => sampleMixture(mixture, prng, n),
    };
  }
  throw new Error(`--dataset: unknown dataset "${name}"`);
}
