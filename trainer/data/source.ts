/**
 * What every data source offers the loop: a batch of real samples drawn with
 * the shared PRNG. Its own module so that the sources (images.ts, toy.ts, …)
 * and the dispatcher (mod.ts) import it without importing each other.
 *
 * @module
 */
import type { Prng } from "@gan-edge/shared/prng";
import type { Output } from "@gan-edge/shared/schema";

/** A batch of real samples: row-major values and, for labelled data, labels. */
export interface Batch {
  /** [n, ...sample shape] row-major; images are NHWC in [−1, 1]. */
  x: Float32Array;
  /** Class index per sample, for labelled datasets. */
  labels?: Int32Array;
}

/** Where real batches come from. */
export interface DataSource {
  name: string;
  output: Output;
  /** Class names of a labelled dataset (enables `--conditional`). */
  classNames?: string[];
  /** Points: the extent of the data (|coordinate| ≤ scale, up to noise); absent: 1. */
  scale?: number;
  /** Examples in one epoch; null for an endless generator (the mixtures). */
  size: number | null;
  /** `n` real samples drawn uniformly (with replacement) with `prng`. */
  batch(prng: Prng, n: number): Batch;
}
