/**
 * `BatchMatMul` for tfjs-backend-wasm, wrapping the stock kernel. The stock
 * kernel (4.22.0) sends a product to XNNPACK only when neither operand is
 * transposed and both have batch 1; every other product runs in a scalar
 * triple loop. Backpropagation through a dense layer asks for exactly those
 * products (dW = xᵀ·dy, dx = dy·Wᵀ), so on the ring8 MLP GAN they took ~75 %
 * of a training step, and ~60 ms of a DCGAN step.
 *
 * Here a transposed operand of a batch-1 product is first transposed into a
 * new tensor by wasm's Transpose kernel (O(n·k) copies, against the product's
 * O(m·n·k) multiply-adds), and the product then takes the stock XNNPACK path.
 * Batched products (batch > 1) go to the stock kernel unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  free,
  type KernelArgs,
  StockKernel,
  swapLastTwo,
  transpose,
  type WasmBackend,
} from "../wasm_backend.ts";

type Inputs = { a: tf.TensorInfo; b: tf.TensorInfo };
type Attrs = tf.BatchMatMulAttrs;

/** The stock kernel: ours calls it for every product. */
export const stockBatchMatMul: StockKernel = new StockKernel(
  tf.BatchMatMul,
  batchMatMul as unknown as tf.KernelFunc,
);

const batchOf = (x: tf.TensorInfo) => tf.util.sizeFromShape(x.shape.slice(0, -2));

function batchMatMul(args: KernelArgs<Inputs, Attrs>): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs;
  const attrs = args.attrs!;
  const { transposeA, transposeB } = attrs;
  const fastAfterTranspose = (transposeA || transposeB) && a.dtype === "float32" &&
    b.dtype === "float32" && batchOf(a) === 1 && batchOf(b) === 1;
  if (!fastAfterTranspose) return stockBatchMatMul.run({ a, b }, backend, attrs);

  const a2 = transposeA ? transpose(backend, a, swapLastTwo(a.shape.length)) : a;
  const b2 = transposeB ? transpose(backend, b, swapLastTwo(b.shape.length)) : b;
  try {
    return stockBatchMatMul.run({ a: a2, b: b2 }, backend, {
      transposeA: false,
      transposeB: false,
    });
  } finally {
    if (a2 !== a) free(backend, a2);
    if (b2 !== b) free(backend, b2);
  }
}

/** Kernel config for `tf.registerKernel`. */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: "wasm",
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
