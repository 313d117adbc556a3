// Generated from kernels/inference/gather_v2.ts by edge/tools/page_modules.ts (types stripped); do not edit.
/**
 * `GatherV2` for tfjs-backend-wasm, replacing the stock kernel (4.22.0), which
 * computes every output element's source index in a scalar loop: an
 * embedding lookup of 64 rows of 3,136 floats (the conditional DCGAN's class
 * embedding) took ~5 ms, five times a step.
 *
 * Hand-written because there is no faster kernel in wasm to express it with:
 * a gather is copies. With x seen as [batch, outer, dim, slice] and the
 * indices as [batch, n], out[b, o, i, :] = x[b, o, indices[b, i], :], one
 * contiguous slice per (b, o, i), copied with `TypedArray.set`.
 *
 * @module
 */ import * as tf from "@tensorflow/tfjs-core";
function gatherV2(args) {
  const backend = args.backend;
  const { x, indices } = args.inputs;
  const { axis, batchDims } = args.attrs;
  if (x.dtype === "string" || x.dtype === "complex64") {
    throw new Error(`wasm GatherV2: expected a numeric or bool tensor, got ${x.dtype}`);
  }
  const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x, indices, parsedAxis, batchDims);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const out = backend.makeOutput(info.outputShape, x.dtype);
  const n = tf.util.sizeFromShape(indices.shape) / batchSize;
  if (tf.util.sizeFromShape(info.outputShape) === 0) return out;
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(indices);
  for(let k = 0; k < ids.length; k++){
    if (!(ids[k] >= 0 && ids[k] < dimSize)) {
      throw new Error(`GatherV2: the index value ${ids[k]} is not in [0, ${dimSize - 1}]`);
    }
  }
  let dst = 0;
  for(let b = 0; b < batchSize; b++){
    for(let r = 0; r < outerSize; r++){
      const base = (b * outerSize + r) * dimSize;
      for(let i = 0; i < n; i++){
        const src = (base + ids[b * n + i]) * sliceSize;
        if (sliceSize >= 16) o.set(xs.subarray(src, src + sliceSize), dst);
        else for(let j = 0; j < sliceSize; j++)o[dst + j] = xs[src + j];
        dst += sliceSize;
      }
    }
  }
  return out;
}
/** Kernel config for `tf.registerKernel`. */ export const gatherV2Config = {
  kernelName: tf.GatherV2,
  backendName: "wasm",
  kernelFunc: gatherV2
};
