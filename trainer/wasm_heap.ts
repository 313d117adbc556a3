/**
 * What the trainer's own wasm kernels (adam.ts, gradients.ts) need of
 * tfjs-backend-wasm: its heap (the shared kernels' structural type) and
 * registration of a kernel under a name of ours.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "@gan-edge/shared/wasm-kernels";

/** The wasm backend's heap: allocate first, since views die at the next allocation. */
export type WasmHeap = Pick<WasmBackend, "makeOutput" | "typedArrayFromHeap">;

/** Registers `kernelFunc` as kernel `name` on wasm, once. */
export function registerWasmKernel(name: string, kernelFunc: unknown): void {
  if (tf.getKernel(name, "wasm")) return;
  tf.registerKernel({
    kernelName: name,
    backendName: "wasm",
    kernelFunc: kernelFunc as tf.KernelFunc,
  });
}
