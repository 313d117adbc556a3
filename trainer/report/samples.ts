/**
 * Sample pictures: {@link samplePicture} draws generated samples the one way
 * the project shows them, for the training report (the fixed-noise picture of
 * progress, pytorch/examples dcgan's fixed_noise, every epoch) and for
 * `deno task eval` (the picture beside a model) alike. Images become a PNG
 * grid (one row per class for conditional models), points an SVG scatter.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { latents } from "@gan-edge/shared/prng";
import { pngGrid } from "@gan-edge/shared/render/png";
import { sampleShape } from "@gan-edge/shared/shapes";
import { scatterSvg } from "@gan-edge/shared/render/svg";
import type { Output } from "@gan-edge/shared/schema";
import type { ArchitectureSpec } from "../architectures.ts";

/** Seed of the fixed noise: distinct from the training stream's seed. */
export const FIXED_NOISE_SEED = 0x5eed;

/** Images a class row holds in a conditional picture. */
export const PER_CLASS = 10;
/** Images (8 a row) in an unconditional picture. */
export const UNCONDITIONAL = 64;
/** Points in a scatter. */
export const POINTS = 1000;

/** A rendered sample picture and its file extension. */
export interface SamplePicture {
  ext: "png" | "svg";
  bytes: Uint8Array;
}

/**
 * The picture of samples `x` (row-major, `output`'s sample shape): the first
 * 1,000 points as a scatter; for images with `labels` (conditional models),
 * one row per class 0…classes−1 holding the first 10 samples of that class;
 * otherwise the first 64 images, 8 a row. Throws when there are too few.
 */
export function samplePicture(
  x: Float32Array,
  output: Output,
  labels?: { labels: ArrayLike<number>; classes: number },
): SamplePicture {
  const shape = sampleShape(output);
  const size = shape.reduce((a, b) => a * b, 1);
  const n = x.length / size;
  if (output.kind === "points") {
    const points = Array.from(
      { length: Math.min(POINTS, n) },
      (_, i) => Array.from(x.subarray(i * size, i * size + 2)),
    );
    return { ext: "svg", bytes: new TextEncoder().encode(scatterSvg(points)) };
  }
  if (!labels) {
    if (n < UNCONDITIONAL) {
      throw new RangeError(`sample picture: needs ${UNCONDITIONAL} images, got ${n}`);
    }
    return {
      ext: "png",
      bytes: pngGrid(x.subarray(0, UNCONDITIONAL * size), UNCONDITIONAL, shape, 8),
    };
  }
  const picked = new Float32Array(labels.classes * PER_CLASS * size);
  const filled = new Array(labels.classes).fill(0);
  for (let i = 0; i < n; i++) {
    const k = labels.labels[i];
    if (filled[k] === PER_CLASS) continue;
    picked.set(x.subarray(i * size, (i + 1) * size), (k * PER_CLASS + filled[k]++) * size);
  }
  const short = filled.findIndex((f) => f < PER_CLASS);
  if (short >= 0) {
    throw new RangeError(
      `sample picture: class ${short} has ${filled[short]} of the ${PER_CLASS} images a row needs`,
    );
  }
  return {
    ext: "png",
    bytes: pngGrid(picked, labels.classes * PER_CLASS, shape, PER_CLASS),
  };
}

/** G (inference mode) on the fixed noise, drawn by {@link samplePicture}. */
export async function renderSamples(
  G: tf.LayersModel,
  spec: ArchitectureSpec,
): Promise<SamplePicture> {
  const classes = spec.numClasses ?? 0;
  const n = spec.output.kind === "points" ? POINTS : classes ? classes * PER_CLASS : UNCONDITIONAL;
  const labels = classes
    ? Int32Array.from({ length: n }, (_, i) => Math.floor(i / PER_CLASS))
    : null;
  const values = tf.tidy(() => {
    const z = tf.tensor2d(latents(FIXED_NOISE_SEED, n, spec.latentDim, "normal"), [
      n,
      spec.latentDim,
    ]);
    const l = labels ? tf.tensor2d(Float32Array.from(labels), [n, 1]) : null;
    return G.predict(l ? [z, l] : z) as tf.Tensor;
  });
  const x = await values.data() as Float32Array;
  values.dispose();
  return samplePicture(x, spec.output, labels ? { labels, classes } : undefined);
}
