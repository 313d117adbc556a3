// Generated from kernels/inference/mod.ts by edge/tools/page_modules.ts (types stripped); do not edit.
/**
 * The wasm kernels the generator's forward pass runs, for the edge: the two
 * of tfjs-backend-wasm 4.22.0's kernels that G reaches and that are slow.
 * Importing this module registers nothing; call {@link register} after
 * `@tensorflow/tfjs-backend-wasm` is imported, whose own
 * `Conv2DBackpropInput` would otherwise replace ours.
 *
 * - `Conv2DBackpropInput` (stock is a scalar loop; G's conv2dTranspose):
 *   transposed convolution as one XNNPACK conv2d over all stride phases plus
 *   depth-to-space, 5× faster G at batch 1.
 * - `GatherV2` (stock is a scalar index loop; the label embedding): slice
 *   copies.
 *
 * The training kernels are in `@gan-edge/kernels/training`.
 *
 * @example
 * ```ts ignore
 * import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
 * import { register } from "@gan-edge/kernels/inference";
 * register();
 * ```
 *
 * @module
 */ import * as tf from "@tensorflow/tfjs-core";
import { conv2DBackpropInputConfig, stockConv2DBackpropInput } from "./conv2d_backprop_input.js";
import { gatherV2Config } from "./gather_v2.js";
import { install, swap } from "../registry.js";
export { clearPhaseFilterCache } from "./conv2d_backprop_input.js";
/**
 * Registers the inference kernels for "wasm". Safe to call again, for
 * example after a late import of `@tensorflow/tfjs-backend-wasm`, or to
 * switch the transposed convolution back to the stock kernel for a
 * comparison.
 */ export function register(options = {}) {
  install(gatherV2Config); // the stock one is a scalar index loop
  swap(stockConv2DBackpropInput, conv2DBackpropInputConfig, options.fastConv2DBackpropInput);
}
/** The kernel names {@link register} registers for wasm. */ export const INFERENCE_KERNEL_NAMES = [
  tf.Conv2DBackpropInput,
  tf.GatherV2
];
