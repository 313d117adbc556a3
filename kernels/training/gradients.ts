/**
 * Gradients that tfjs leaves unregistered, or runs slowly on wasm.
 *
 * - Comparisons: WGAN-GP's penalty differentiates D's input gradient, and
 *   leaky ReLU's gradient compares x with 0. A comparison is piecewise
 *   constant, so its gradient is zero everywhere it is defined; registering
 *   that lets the penalty's gradient flow.
 * - Leaky ReLU: tfjs computes dx = where(x > 0, dy, α·dy) in three kernels
 *   (Greater, Mul, Select), each a pass over the batch plus its dispatch and
 *   tape bookkeeping. On wasm the `GanEdgeLeakyReluGrad` kernel here does it
 *   in one pass over the heap (hand-written: tfjs has no fused kernel for
 *   it); other backends keep tfjs's formula. Its own gradient is registered
 *   too, so second-order passes (WGAN-GP) still work.
 *
 * Gradients belong to no backend: {@link registerGradients} is for every
 * backend, and the wasm kernel is registered by the training `register()`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { WasmHeap } from "../wasm_backend.ts";

const COMPARISONS = ["Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual"];

/** The fused kernel's name in tfjs's registry (wasm only). */
export const LEAKY_RELU_GRAD = "GanEdgeLeakyReluGrad";

/**
 * Leaky ReLU's input gradient over arrays: `out[i] = x[i] > 0 ? dy[i] : α·dy[i]`,
 * bit-identical to tfjs's formula (α is a float32 there, and so here).
 */
export function leakyReluBackward(
  dy: Float32Array,
  x: Float32Array,
  alpha: number,
  out: Float32Array,
): void {
  const a = Math.fround(alpha);
  const b = 1 - a;
  const n = out.length;
  if (a + b !== 1) {
    // Only for an α below ~2⁻²⁹, where 1 − α rounds.
    for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? dy[i] : a * dy[i];
    return;
  }
  // Branch-free: the sign of x is a coin flip per element, and as a branch
  // (x > 0 ? dy : a·dy) the mispredictions made this loop ~6× slower (85
  // against 14 µs on a 128×128 batch). dy·(a + b) is dy·1 and dy·a is a·dy,
  // both in float64, so the float32 results are the same.
  for (let i = 0; i < n; i++) out[i] = dy[i] * (a + b * +(x[i] > 0));
}

/** The fused kernel: dx from dy and x (float32, one shape). */
export function leakyReluGradKernel(
  args: {
    inputs: { dy: tf.TensorInfo; x: tf.TensorInfo };
    backend: unknown;
    attrs?: tf.NamedAttrMap;
  },
): tf.TensorInfo {
  const heap = args.backend as WasmHeap;
  const { dy, x } = args.inputs;
  if (dy.dtype !== "float32" || x.dtype !== "float32" || !tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new Error(
      `${LEAKY_RELU_GRAD}: expected float32 dy and x of one shape, got ${dy.dtype} [${dy.shape}] ` +
        `and ${x.dtype} [${x.shape}]`,
    );
  }
  const out = heap.makeOutput(x.shape, "float32"); // first: views die at the next allocation
  leakyReluBackward(
    heap.typedArrayFromHeap(dy) as Float32Array,
    heap.typedArrayFromHeap(x) as Float32Array,
    args.attrs!.alpha as number,
    heap.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
}

/** dx of leaky ReLU: the fused kernel on wasm, tfjs's formula elsewhere. */
function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  if (tf.getBackend() === "wasm" && dy.dtype === "float32" && x.dtype === "float32") {
    return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha }) as tf.Tensor;
  }
  return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
}

const leakyRelu: tf.GradConfig = {
  kernelName: tf.LeakyRelu,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const alpha = (attrs as unknown as tf.LeakyReluAttrs).alpha;
    return { x: () => leakyReluGrad(dy as tf.Tensor, x, alpha) };
  },
};

// dx is linear in dy with the same mask, and piecewise constant in x.
const leakyReluGradGrad: tf.GradConfig = {
  kernelName: LEAKY_RELU_GRAD,
  inputsToSave: ["x"],
  gradFunc: (ddx, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const alpha = (attrs as unknown as tf.LeakyReluAttrs).alpha;
    return { dy: () => leakyReluGrad(ddx as tf.Tensor, x, alpha), x: () => tf.zerosLike(x) };
  },
};

/**
 * Registers the gradients above with tfjs, on every backend (idempotent).
 * Leaky ReLU's replaces tfjs's own; the comparisons' only fill a gap.
 */
export function registerGradients(): void {
  for (const kernelName of COMPARISONS) {
    if (tf.getGradient(kernelName) === undefined) {
      tf.registerGradient({
        kernelName,
        inputsToSave: ["a", "b"],
        gradFunc: (_dy, saved) => {
          const [a, b] = saved as tf.Tensor[];
          return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
        },
      });
    }
  }
  for (const config of [leakyRelu, leakyReluGradGrad]) {
    if (tf.getGradient(config.kernelName)?.gradFunc !== config.gradFunc) {
      tf.registerGradient(config);
    }
  }
}
