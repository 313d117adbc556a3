/**
 * The fixed-noise picture of progress (pytorch/examples dcgan's fixed_noise):
 * the same latents every epoch, as a PNG grid for image models (one row per
 * class for conditional ones) or an SVG scatter for points models.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sampleShape } from "../architectures.ts";
import { latents } from "@gan-edge/shared/prng";
import { pngGrid } from "@gan-edge/shared/render/png";
import { scatterSvg } from "@gan-edge/shared/render/svg";
import type { ArchitectureSpec } from "../architectures.ts";

/** Seed of the fixed noise: distinct from the training stream's seed. */
export const FIXED_NOISE_SEED = 0x5eed;

/** A rendered sample picture and its file extension. */
export interface SamplePicture {
  ext: "png" | "svg";
  bytes: Uint8Array;
}

/**
 * Renders G (inference mode) on the fixed noise: 64 images (10 per class row
 * for conditional models) or 1,000 points.
 */
export async function renderSamples(
  G: tf.LayersModel,
  spec: ArchitectureSpec,
): Promise<SamplePicture> {
  const isImage = spec.output.kind === "image";
  const classes = spec.numClasses ?? 0;
  const perRow = classes ? 10 : 8;
  const n = !isImage ? 1000 : classes ? classes * perRow : 64;
  const z = tf.tensor2d(latents(FIXED_NOISE_SEED, n, spec.latentDim, "normal"), [
    n,
    spec.latentDim,
  ]);
  const labels = classes
    ? tf.tensor2d(Float32Array.from({ length: n }, (_, i) => Math.floor(i / perRow)), [n, 1])
    : null;
  const out = G.predict(labels ? [z, labels] : z) as tf.Tensor;
  const values = await out.data() as Float32Array;
  tf.dispose([z, out, ...(labels ? [labels] : [])]);
  if (isImage) {
    return { ext: "png", bytes: pngGrid(values, n, sampleShape(spec.output), perRow) };
  }
  const dim = sampleShape(spec.output)[0];
  const points = Array.from(
    { length: n },
    (_, i) => Array.from(values.subarray(i * dim, i * dim + 2)),
  );
  return { ext: "svg", bytes: new TextEncoder().encode(scatterSvg(points)) };
}
