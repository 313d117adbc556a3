/**
 * `UnsortedSegmentSum` for tfjs-backend-wasm, which has none (4.22.0). It is
 * the gradient of `gather`, so an embedding layer (the conditional models'
 * class embeddings in G and D) needs it to train on wasm.
 *
 * Hand-written because the wasm package ships no such kernel. For float32
 * it is a matrix product, run by wasm's BatchMatMul (XNNPACK):
 * out[s, :] = Σ_i [ids[i] = s] · x[i, :] = oneHot(ids)ᵀ · x. Ids outside
 * [0, numSegments) get an all-zero one-hot row, so they are dropped, as in
 * TensorFlow. Other dtypes (int32) take a plain loop over the heap.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { free, type KernelArgs, run, view, type WasmBackend } from "../wasm_backend.ts";

type Inputs = { x: tf.TensorInfo; segmentIds: tf.TensorInfo };

function unsortedSegmentSum(
  args: KernelArgs<Inputs, tf.UnsortedSegmentSumAttrs>,
): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs!;
  const n = tf.util.sizeFromShape(segmentIds.shape);
  const rest = x.shape.slice(segmentIds.shape.length);
  const inner = tf.util.sizeFromShape(rest);
  const outShape = [numSegments, ...rest];

  if (x.dtype === "float32") {
    // The one-hot matrix is written here: wasm's OneHot kernel writes int32
    // whatever dtype it is asked for (see one_hot.ts).
    const oneHot = backend.makeOutput([n, numSegments], "float32");
    const h = backend.typedArrayFromHeap(oneHot);
    const is = backend.typedArrayFromHeap(segmentIds);
    h.fill(0);
    for (let i = 0; i < n; i++) {
      const s = is[i];
      if (s >= 0 && s < numSegments) h[i * numSegments + s] = 1;
    }
    const out = run(tf.BatchMatMul, backend, {
      a: oneHot,
      b: view(x, [n, inner]),
    }, { transposeA: true, transposeB: false });
    free(backend, oneHot);
    return view(out, outShape);
  }

  const out = backend.makeOutput(outShape, x.dtype);
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  const is = backend.typedArrayFromHeap(segmentIds);
  o.fill(0);
  for (let i = 0; i < n; i++) {
    const s = is[i];
    if (s < 0 || s >= numSegments) continue;
    for (let j = 0; j < inner; j++) o[s * inner + j] += xs[i * inner + j];
  }
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
