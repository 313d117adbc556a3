/**
 * `Tile` for tfjs-backend-wasm, replacing the stock kernel, which (4.22.0)
 * computes every output element's source index in a scalar loop: tiling a
 * [1, 1, 1, 64] batch-norm gradient to [64, 14, 14, 64] took ~30 ms, a tenth
 * of a DCGAN training step at batch 64.
 *
 * Hand-written because there is no faster kernel in wasm to express it with:
 * copying is all there is to do. Each input row is copied once, then every
 * finished block is repeated with `copyWithin` (a memmove), from the
 * innermost axis out.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelArgs, WasmBackend } from "../wasm_backend.ts";

function tile(
  args: KernelArgs<{ x: tf.TensorInfo }, tf.TileAttrs>,
): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs;
  const { reps } = args.attrs!;
  if (x.dtype === "string" || x.dtype === "complex64") {
    throw new Error(`wasm Tile: expected a numeric or bool tensor, got ${x.dtype}`);
  }
  const shape = x.shape;
  const rank = shape.length;
  const outShape = shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  if (rank === 0) {
    o[0] = xs[0];
    return out;
  }
  const xStrides = tf.util.computeStrides(shape);
  const outStrides = tf.util.computeStrides(outShape);
  const stride = (i: number, s: number[]) => i < rank - 1 ? s[i] : 1;
  // Fills out's block for input axis `axis` starting at the given offsets.
  const fill = (axis: number, src: number, dst: number): void => {
    const n = shape[axis];
    if (axis === rank - 1) {
      o.set(xs.subarray(src, src + n), dst);
    } else {
      for (let k = 0; k < n; k++) {
        fill(
          axis + 1,
          src + k * stride(axis, xStrides),
          dst + k * stride(axis, outStrides),
        );
      }
    }
    const block = n * stride(axis, outStrides);
    for (let r = 1; r < reps[axis]; r++) {
      o.copyWithin(dst + r * block, dst, dst + block);
    }
  };
  fill(0, 0, 0);
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: "wasm",
  kernelFunc: tile as unknown as tf.KernelFunc,
};
