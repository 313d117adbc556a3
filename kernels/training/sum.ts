/**
 * `Sum` over leading axes for tfjs-backend-wasm, wrapping the stock kernel.
 * The stock kernel (4.22.0) sums innermost axes only, so for any other axis
 * it first transposes the input with its scalar-index Transpose. Every dense
 * layer's bias gradient is such a sum (dy [batch, units] over axis 0): on a
 * [128, 256] batch it took ~150 µs, of which ~120 µs was the transpose.
 *
 * Here the leading axes are summed in place: out[j] accumulates x[i, j] for
 * i = 0, 1, … in float32, the same additions in the same order as the stock
 * kernel's loop over the transposed rows, so results are bit-identical.
 * Hand-written because it is a loop over the heap with nothing for XNNPACK
 * to do. Other sums go to the stock kernel unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { type KernelArgs, StockKernel, type WasmBackend } from "../wasm_backend.ts";

type Inputs = { x: tf.TensorInfo };

/** The stock kernel, for the sums ours leaves to it. */
export const stockSum: StockKernel = new StockKernel(tf.Sum, sum as unknown as tf.KernelFunc);

/**
 * How many leading axes `axes` names: k if it is exactly 0 … k − 1, in that
 * order, else 0. (The stock kernel adds the reduced axes in the order given,
 * so [1, 0] is summed in another order and is left to it.)
 */
function leadingAxes(axes: number[]): number {
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

function sum(args: KernelArgs<Inputs, tf.SumAttrs>): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs;
  const { axis, keepDims } = args.attrs!;
  const rank = x.shape.length;
  const k = leadingAxes(tf.util.parseAxisParam(axis, x.shape));
  // k = rank is a whole-tensor sum, which the stock kernel runs without a transpose.
  if (x.dtype !== "float32" || k === 0 || k === rank) {
    return stockSum.run({ x }, backend, { axis, keepDims });
  }
  const rest = x.shape.slice(k);
  const out = backend.makeOutput(
    keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest,
    "float32",
  );
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  const n = o.length;
  o.fill(0);
  // Each += stores into a Float32Array, rounding to float32 as wasm's f32.add does.
  for (let at = 0; at < xs.length; at += n) {
    for (let j = 0; j < n; j++) o[j] += xs[at + j];
  }
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: "wasm",
  kernelFunc: sum as unknown as tf.KernelFunc,
  setupFunc: (backend) => stockSum.setup(backend as unknown as WasmBackend),
};
