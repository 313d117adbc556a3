/**
 * `OneHot` for tfjs-backend-wasm, replacing the stock kernel, which (4.22.0)
 * writes int32 values into the output whatever its dtype: on wasm,
 * `tf.oneHot(ids, n, 1, 0, "float32")` holds int32 bit patterns (1 reads as
 * 1.4e-45), and on/off values are truncated to integers.
 *
 * Hand-written because the stock kernel is wrong, not missing: a loop over
 * the heap writes off values, then one on value per index (there is nothing
 * for XNNPACK to do).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelArgs, WasmBackend } from "../wasm_backend.ts";

type Inputs = { indices: tf.TensorInfo };

function oneHot(args: KernelArgs<Inputs, tf.OneHotAttrs>): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { indices } = args.inputs;
  const { depth, onValue, offValue, dtype } = args.attrs!;
  const n = tf.util.sizeFromShape(indices.shape);
  const out = backend.makeOutput([...indices.shape, depth], dtype);
  const o = backend.typedArrayFromHeap(out);
  const ids = backend.typedArrayFromHeap(indices);
  o.fill(offValue);
  for (let i = 0; i < n; i++) {
    const k = ids[i];
    if (k >= 0 && k < depth) o[i * depth + k] = onValue;
  }
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const oneHotConfig: tf.KernelConfig = {
  kernelName: tf.OneHot,
  backendName: "wasm",
  kernelFunc: oneHot as unknown as tf.KernelFunc,
};
