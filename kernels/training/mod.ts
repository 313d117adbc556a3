/**
 * The wasm kernels and gradients training needs, for the trainer: kernels
 * that tfjs-backend-wasm 4.22.0 lacks or runs slowly, so that the DCGAN
 * trains on wasm, plus the trainer's fused kernels. Importing this module
 * registers nothing; call {@link register} after
 * `@tensorflow/tfjs-backend-wasm` is imported, whose stock kernels would
 * otherwise replace ours. It registers the inference kernels
 * (`@gan-edge/kernels/inference`) too.
 *
 * - `Conv2DBackpropFilter` (missing): conv2d's filter gradient, as an XNNPACK
 *   convolution of the transposed input with the transposed output gradient.
 * - `UnsortedSegmentSum` (missing): gather's gradient (embeddings), as
 *   oneHot(ids)ᵀ · x through wasm's BatchMatMul.
 * - `OneHot` (stock writes int32 whatever the dtype): a loop over the heap.
 * - `Tile` (stock is a scalar index loop, ~10% of a DCGAN step): block
 *   copies with `copyWithin`.
 * - `BatchMatMul` (stock runs products with a transposed operand, i.e. every
 *   dense layer's backward pass, in a scalar loop): the operand transposed
 *   first, then the stock XNNPACK path.
 * - `Greater`, `Select` (stock compute a broadcast index per element; they
 *   are LeakyReLU's gradient), `Transpose` of the last two axes (stock
 *   thrashes the cache on power-of-two sides) and `Sum` over leading axes
 *   (stock transposes first; every bias gradient): plain or blocked loops
 *   over the heap.
 * - `GanEdgeAdamUpdate` (ours): one Adam step per variable in one pass, for
 *   the trainer's `FusedAdam`.
 * - `GanEdgeLeakyReluGrad` (ours) and the gradients of gradients.ts, which
 *   {@link registerGradients} registers on any backend.
 *
 * @example
 * ```ts ignore
 * import "@tensorflow/tfjs-backend-wasm";
 * import { register } from "@gan-edge/kernels/training";
 * register();
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { INFERENCE_KERNEL_NAMES, register as registerInference } from "../inference/mod.ts";
import { conv2DBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { batchMatMulConfig, stockBatchMatMul } from "./batch_mat_mul.ts";
import { unsortedSegmentSumConfig } from "./unsorted_segment_sum.ts";
import { oneHotConfig } from "./one_hot.ts";
import { tileConfig } from "./tile.ts";
import {
  greaterConfig,
  selectConfig,
  stockGreater,
  stockSelect,
  stockTranspose,
  transposeConfig,
} from "./elementwise.ts";
import { stockSum, sumConfig } from "./sum.ts";
import { ADAM_UPDATE, adamUpdateKernel } from "./adam_update.ts";
import { LEAKY_RELU_GRAD, leakyReluGradKernel, registerGradients } from "./gradients.ts";
import { install, installMissing, registerWasmKernel, swap } from "../registry.ts";

export { clearPhaseFilterCache } from "../inference/mod.ts";
export { ADAM_UPDATE, adamUpdate, type AdamUpdateAttrs } from "./adam_update.ts";
export { LEAKY_RELU_GRAD, leakyReluBackward, registerGradients } from "./gradients.ts";

/** Options of {@link register}. */
export interface TrainingKernelOptions {
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
 * Registers the inference and training kernels for "wasm", and the
 * gradients. Safe to call again, for example after a late import of
 * `@tensorflow/tfjs-backend-wasm`, or to put a stock kernel back for a
 * comparison.
 */
export function register(options: TrainingKernelOptions = {}): void {
  registerInference(options);
  installMissing(conv2DBackpropFilterConfig);
  installMissing(unsortedSegmentSumConfig);
  install(oneHotConfig); // the stock one is wrong for float dtypes
  install(tileConfig); // the stock one is a scalar index loop
  swap(stockBatchMatMul, batchMatMulConfig, options.fastBatchMatMul);
  swap(stockGreater, greaterConfig, options.fastElementwise);
  swap(stockSelect, selectConfig, options.fastElementwise);
  swap(stockTranspose, transposeConfig, options.fastElementwise);
  swap(stockSum, sumConfig, options.fastElementwise);
  registerWasmKernel(ADAM_UPDATE, adamUpdateKernel);
  registerWasmKernel(LEAKY_RELU_GRAD, leakyReluGradKernel);
  registerGradients();
}

/** The kernel names {@link register} registers for wasm. */
export const TRAINING_KERNEL_NAMES: readonly string[] = [
  ...INFERENCE_KERNEL_NAMES,
  tf.Conv2DBackpropFilter,
  tf.UnsortedSegmentSum,
  tf.OneHot,
  tf.Tile,
  tf.BatchMatMul,
  tf.Greater,
  tf.Select,
  tf.Transpose,
  tf.Sum,
  ADAM_UPDATE,
  LEAKY_RELU_GRAD,
];
