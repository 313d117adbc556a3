/**
 * A whole image dataset in memory, and the {@link DataSource} that samples
 * batches from it with the shared PRNG (so a run's batches follow its seed).
 *
 * @module
 */
import type { Prng } from "@gan-edge/shared/prng";
import type { Batch, DataSource } from "./source.ts";

/** Every image of a dataset split, NHWC float32 in [−1, 1]. */
export interface ImageSet {
  /** [count, height, width, channels], row-major. */
  x: Float32Array;
  count: number;
  height: number;
  width: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  /** Class index per image, for labelled datasets. */
  labels?: Int32Array;
  /** Name of each class index. */
  classNames?: string[];
}

/** Byte value 0..255 → [−1, 1], as a lookup table (fast on 47 M pixels). */
const BYTE_TO_UNIT = Float32Array.from(
  { length: 256 },
  (_, v) => v / 127.5 - 1,
);

/** Maps unsigned bytes to [−1, 1] (0 → −1, 255 → 1). */
export function bytesToUnit(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = BYTE_TO_UNIT[bytes[i]];
  return out;
}

/**
 * Pads `count` square single-channel images of side `size` by `pad` pixels on
 * every side with `fill` (DCGAN users pad 28×28 MNIST to 32×32 with the
 * background, −1).
 */
export function padImages(
  x: Float32Array,
  count: number,
  size: number,
  pad: number,
  fill = -1,
): Float32Array {
  const side = size + 2 * pad;
  const out = new Float32Array(count * side * side).fill(fill);
  for (let n = 0; n < count; n++) {
    for (let r = 0; r < size; r++) {
      const from = (n * size + r) * size;
      out.set(x.subarray(from, from + size), (n * side + r + pad) * side + pad);
    }
  }
  return out;
}

/** A {@link DataSource} drawing uniformly, with replacement, from `set`. */
export function imageDataSource(name: string, set: ImageSet): DataSource {
  const { count, height, width, channels } = set;
  const stride = height * width * channels;
  return {
    name,
    output: { kind: "image", height, width, channels, range: [-1, 1] },
    ...(set.classNames ? { classNames: set.classNames } : {}),
    size: count,
    batch(prng: Prng, n: number): Batch {
      const x = new Float32Array(n * stride);
      const labels = set.labels ? new Int32Array(n) : undefined;
      for (let i = 0; i < n; i++) {
        const j = prng.int(count);
        x.set(set.x.subarray(j * stride, (j + 1) * stride), i * stride);
        if (labels) labels[i] = set.labels![j];
      }
      return labels ? { x, labels } : { x };
    },
  };
}
