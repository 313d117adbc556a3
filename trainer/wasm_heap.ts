/**
 * What the trainer's own wasm kernels (adam.ts, gradients.ts) need of
 * tfjs-backend-wasm: its heap, typed structurally, and registration of a
 * kernel under a name of ours.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The wasm backend's heap, as much of it as our kernels touch. */
export interface WasmHeap {
  /** Allocates an uninitialised tensor; heap views taken before are invalid after it. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/** Registers `kernelFunc` as kernel `name` on wasm, once. */
export function registerWasmKernel(name: string, kernelFunc: unknown): void {
  if (tf.getKernel(name, "wasm")) return;
  tf.registerKernel({
    kernelName: name,
    backendName: "wasm",
    kernelFunc: kernelFunc as tf.KernelFunc,
  });
}
