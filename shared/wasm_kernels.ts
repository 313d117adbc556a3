/**
 * Kernels that tfjs-backend-wasm 4.22.0 lacks or runs slowly, registered for
 * the "wasm" backend through tfjs's kernel registry, so that the DCGAN trains
 * on wasm and its generator serves faster. Importing this module registers
 * them (idempotent); import it after `@tensorflow/tfjs-backend-wasm`, whose
 * own `Conv2DBackpropInput` would otherwise replace ours.
 *
 * - `Conv2DBackpropFilter` (missing): conv2d's filter gradient, as an XNNPACK
 *   convolution of the transposed input with the transposed output gradient.
 * - `UnsortedSegmentSum` (missing): gather's gradient (embeddings), as
 *   oneHot(ids)ᵀ · x through wasm's BatchMatMul.
 * - `Conv2DBackpropInput` (stock is a scalar loop): transposed convolution as
 *   one XNNPACK conv2d over all stride phases plus depth-to-space.
 * - `OneHot` (stock writes int32 whatever the dtype): a loop over the heap.
 * - `Tile` (stock is a scalar index loop, ~10% of a DCGAN step): block
 *   copies with `copyWithin`.
 *
 * @example
 * ```ts ignore
 * import "@tensorflow/tfjs-backend-wasm";
 * import "@gan-edge/shared/wasm-kernels";
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2DBackpropFilterConfig } from "./kernels/conv2d_backprop_filter.ts";
import {
  conv2DBackpropInputConfig,
  rememberStock,
  stockConv2DBackpropInput,
} from "./kernels/conv2d_backprop_input.ts";
import { unsortedSegmentSumConfig } from "./kernels/unsorted_segment_sum.ts";
import { oneHotConfig } from "./kernels/one_hot.ts";
import { tileConfig } from "./kernels/tile.ts";

export { clearPhaseFilterCache } from "./kernels/conv2d_backprop_input.ts";
export {
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  oneHotConfig,
  tileConfig,
  unsortedSegmentSumConfig,
};

/** Kernels wasm lacks; registered only where none is. */
const MISSING = [conv2DBackpropFilterConfig, unsortedSegmentSumConfig];

function install(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, "wasm");
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current) tf.unregisterKernel(config.kernelName, "wasm");
  tf.registerKernel(config);
  // tfjs runs a kernel's setup when the backend starts; a kernel registered
  // after that (the stock one put back) is set up here.
  const backend = tf.findBackend("wasm");
  if (backend && config.setupFunc) config.setupFunc(backend);
}

/** Options of {@link registerWasmKernels}. */
export interface WasmKernelOptions {
  /**
   * Replace wasm's `Conv2DBackpropInput` with the XNNPACK one (default true);
   * false puts the stock kernel back.
   */
  fastConv2DBackpropInput?: boolean;
}

/**
 * Registers the kernels for "wasm". Safe to call again, for example after a
 * late import of `@tensorflow/tfjs-backend-wasm`, or to switch the
 * transposed convolution back to the stock kernel for a comparison.
 */
export function registerWasmKernels(options: WasmKernelOptions = {}): void {
  for (const config of MISSING) {
    if (!tf.getKernel(config.kernelName, "wasm")) tf.registerKernel(config);
  }
  install(oneHotConfig); // the stock one is wrong for float dtypes
  install(tileConfig); // the stock one is a scalar index loop
  const current = tf.getKernel(tf.Conv2DBackpropInput, "wasm");
  rememberStock(current);
  if (options.fastConv2DBackpropInput ?? true) {
    install(conv2DBackpropInputConfig);
  } else {
    const stock = stockConv2DBackpropInput();
    if (stock) install(stock);
  }
}

/** The kernel names this module registers for wasm. */
export const WASM_KERNEL_NAMES: readonly string[] = [
  tf.Conv2DBackpropFilter,
  tf.UnsortedSegmentSum,
  tf.Conv2DBackpropInput,
  tf.OneHot,
  tf.Tile,
];

registerWasmKernels();
