/**
 * `Conv2DBackpropFilter` for tfjs-backend-wasm, which has none (4.22.0), so
 * that the gradient of conv2d with respect to its filter (D's and G's
 * weights in the DCGAN) runs on wasm.
 *
 * Hand-written because the wasm package ships no such kernel. It is a
 * convolution, so it is expressed as one and runs through XNNPACK:
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·sh + kh − pt, ow·sw + kw − pl, ci] · dy[n, oh, ow, co]
 *
 * reads as a stride-1 convolution whose "batch" is ci, whose "input
 * channels" are n, whose input is x transposed to [ci, H, W, n], whose
 * filter is dy transposed to [OH, OW, n, co], with dilation (sh, sw) and
 * padding (pt, pl) before; the padding after is whatever makes the output
 * KH × KW. The result [ci, KH, KW, co] is transposed to [KH, KW, ci, co].
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { free, type KernelArgs, run, transpose, type WasmBackend } from "../wasm_backend.ts";

type Inputs = { x: tf.TensorInfo; dy: tf.TensorInfo };

function conv2DBackpropFilter(
  args: KernelArgs<Inputs, tf.Conv2DBackpropFilterAttrs>,
): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args
    .attrs!;
  const channelsLast = dataFormat !== "NCHW";
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    channelsLast ? "channelsLast" : "channelsFirst",
  );
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  // Padding after that makes the output exactly filterHeight × filterWidth;
  // negative when the last rows (columns) of x reach no output: crop them.
  const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - top;
  const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - left;

  // x → [ci, H, W, n]; dy → [OH, OW, n, co].
  let xt = transpose(backend, x, channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]);
  const dyt = transpose(
    backend,
    dy,
    channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1],
  );
  if (bottom < 0 || right < 0) {
    const [c, h, w, n] = xt.shape;
    const cropped = run(tf.Slice, backend, { x: xt }, {
      begin: [0, 0, 0, 0],
      size: [c, h + Math.min(bottom, 0), w + Math.min(right, 0), n],
    });
    free(backend, xt);
    xt = cropped;
  }
  const dw = run(tf.Conv2D, backend, { x: xt, filter: dyt }, {
    strides: [1, 1],
    dilations: [strideHeight, strideWidth],
    pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [
      0,
      0,
    ]],
    dataFormat: "NHWC",
  });
  free(backend, xt, dyt);
  const out = transpose(backend, dw, [1, 2, 0, 3]);
  free(backend, dw);
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
