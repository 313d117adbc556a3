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
 * - `GatherV2` (stock is a scalar index loop; embeddings): slice copies.
 * - `BatchMatMul` (stock runs products with a transposed operand, i.e. every
 *   dense layer's backward pass, in a scalar loop): the operand transposed
 *   first, then the stock XNNPACK path.
 * - `Greater`, `Select` (stock compute a broadcast index per element; they
 *   are LeakyReLU's gradient), `Transpose` of the last two axes (stock
 *   thrashes the cache on power-of-two sides) and `Sum` over leading axes
 *   (stock transposes first; every bias gradient): plain or blocked loops
 *   over the heap.
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
  stockConv2DBackpropInput,
} from "./kernels/conv2d_backprop_input.ts";
import { batchMatMulConfig, stockBatchMatMul } from "./kernels/batch_mat_mul.ts";
import { unsortedSegmentSumConfig } from "./kernels/unsorted_segment_sum.ts";
import { oneHotConfig } from "./kernels/one_hot.ts";
import { tileConfig } from "./kernels/tile.ts";
import { gatherV2Config } from "./kernels/gather_v2.ts";
import {
  greaterConfig,
  selectConfig,
  stockGreater,
  stockSelect,
  stockTranspose,
  transposeConfig,
} from "./kernels/elementwise.ts";
import { stockSum, sumConfig } from "./kernels/sum.ts";
import type { StockKernel } from "./kernels/wasm_backend.ts";

export { clearPhaseFilterCache } from "./kernels/conv2d_backprop_input.ts";
/** The wasm backend as our kernels see it (the trainer's own kernels too). */
export type { WasmBackend } from "./kernels/wasm_backend.ts";
export {
  batchMatMulConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  gatherV2Config,
  greaterConfig,
  oneHotConfig,
  selectConfig,
  sumConfig,
  tileConfig,
  transposeConfig,
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
  // after that (the stock one put back) is set up here. Only a backend that
  // has started: tf.findBackend would start one (a whole wasm instance) at
  // every call made before tf.setBackend("wasm") settles.
  const backend = tf.engine().registry["wasm"] as tf.KernelBackend | undefined;
  if (backend && config.setupFunc) config.setupFunc(backend);
}

/** Installs `ours` over the stock kernel (remembered first), or puts the stock one back. */
function swap(stock: StockKernel, ours: tf.KernelConfig, fast = true): void {
  stock.remember();
  if (fast) install(ours);
  else if (stock.config) install(stock.config);
}

/** Options of {@link registerWasmKernels}. */
export interface WasmKernelOptions {
  /**
   * Replace wasm's `Conv2DBackpropInput` with the XNNPACK one (default true);
   * false puts the stock kernel back.
   */
  fastConv2DBackpropInput?: boolean;
  /**
   * Wrap wasm's `BatchMatMul` so that products with a transposed operand
   * take XNNPACK (default true); false puts the stock kernel back.
   */
  fastBatchMatMul?: boolean;
  /**
   * Replace wasm's `Greater`, `Select`, `Transpose` of the last two axes
   * and `Sum` over leading axes with loops over the heap (default true);
   * false puts the stock kernels back.
   */
  fastElementwise?: boolean;
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
  install(gatherV2Config); // so is this one
  swap(stockConv2DBackpropInput, conv2DBackpropInputConfig, options.fastConv2DBackpropInput);
  swap(stockBatchMatMul, batchMatMulConfig, options.fastBatchMatMul);
  swap(stockGreater, greaterConfig, options.fastElementwise);
  swap(stockSelect, selectConfig, options.fastElementwise);
  swap(stockTranspose, transposeConfig, options.fastElementwise);
  swap(stockSum, sumConfig, options.fastElementwise);
}

/** The kernel names this module registers for wasm. */
export const WASM_KERNEL_NAMES: readonly string[] = [
  tf.Conv2DBackpropFilter,
  tf.UnsortedSegmentSum,
  tf.Conv2DBackpropInput,
  tf.OneHot,
  tf.Tile,
  tf.BatchMatMul,
  tf.GatherV2,
  tf.Greater,
  tf.Select,
  tf.Transpose,
  tf.Sum,
];

registerWasmKernels();
