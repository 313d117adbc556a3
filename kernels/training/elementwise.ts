/**
 * `Greater`, `Select` and `Transpose` for tfjs-backend-wasm, each wrapping the
 * stock kernel for the cases it does not cover. The stock kernels (4.22.0)
 * compute a broadcast or permuted index per element in a scalar loop:
 *
 * - LeakyReLU's gradient is `where(x > 0, dy, α·dy)`: on a [128, 128] batch
 *   `Greater` against the scalar 0 and `Select` took ~80 µs each, more than
 *   the 128×128×128 matrix product beside them (~125 µs), so on the ring8 MLP
 *   GAN they were a tenth of a training step.
 * - Transposing a [128, 128] matrix (every dense layer's backward product
 *   transposes one operand, see batch_mat_mul.ts) took ~55 µs against ~7 µs
 *   for [64, 128]: its power-of-two stride thrashes the cache. tf.matMul's
 *   operands arrive as [1, m, k], so the last two axes of any rank are
 *   swapped here (a [1, 256, 256] one: ~280 µs stock, ~100 µs here).
 *
 * Hand-written because these are copies and compares with nothing for
 * XNNPACK to do: a plain loop over the heap (or a blocked one, for the
 * transpose) is all there is. Results are bit-identical to the stock kernels.
 * Each runs the stock kernel's setup too: other stock kernels call into it
 * (wasm's Mean transposes through Transpose's internals).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { type KernelArgs, StockKernel, swapLastTwo, type WasmBackend } from "../wasm_backend.ts";

type Binary = { a: tf.TensorInfo; b: tf.TensorInfo };
type SelectInputs = { condition: tf.TensorInfo; t: tf.TensorInfo; e: tf.TensorInfo };
type TransposeInputs = { x: tf.TensorInfo };

const size = (x: tf.TensorInfo) => tf.util.sizeFromShape(x.shape);
const sameShape = (a: tf.TensorInfo, b: tf.TensorInfo) => tf.util.arraysEqual(a.shape, b.shape);

/** The stock kernels, for the cases ours leave to them. */
export const stockGreater: StockKernel = new StockKernel(
  tf.Greater,
  greater as unknown as tf.KernelFunc,
);
export const stockSelect: StockKernel = new StockKernel(
  tf.Select,
  select as unknown as tf.KernelFunc,
);
export const stockTranspose: StockKernel = new StockKernel(
  tf.Transpose,
  transpose as unknown as tf.KernelFunc,
);

/** a > b for float32 tensors of one shape, or against a one-element b. */
function greater(args: KernelArgs<Binary, never>): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs;
  const covered = a.dtype === "float32" && b.dtype === "float32" &&
    (sameShape(a, b) || (size(b) === 1 && b.shape.length <= a.shape.length));
  if (!covered) return stockGreater.run({ a, b }, backend);
  const out = backend.makeOutput(a.shape, "bool");
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(a);
  const ys = backend.typedArrayFromHeap(b);
  const n = xs.length;
  if (ys.length === 1) {
    const y = ys[0];
    for (let i = 0; i < n; i++) o[i] = xs[i] > y ? 1 : 0;
  } else {
    for (let i = 0; i < n; i++) o[i] = xs[i] > ys[i] ? 1 : 0;
  }
  return out;
}

/** condition ? t : e, element by element, when all three have one shape. */
function select(args: KernelArgs<SelectInputs, never>): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { condition, t, e } = args.inputs;
  const covered = condition.dtype === "bool" && t.dtype === "float32" && e.dtype === "float32" &&
    sameShape(condition, t) && sameShape(t, e);
  if (!covered) return stockSelect.run({ condition, t, e }, backend);
  const out = backend.makeOutput(t.shape, "float32");
  const o = backend.typedArrayFromHeap(out);
  const c = backend.typedArrayFromHeap(condition);
  const ts = backend.typedArrayFromHeap(t);
  const es = backend.typedArrayFromHeap(e);
  for (let i = 0; i < o.length; i++) o[i] = c[i] ? ts[i] : es[i];
  return out;
}

/** Side of the square tiles of the blocked transpose (16 floats: one cache line). */
const TILE = 16;

/**
 * Swaps the last two axes of a float32 tensor, matrix by matrix and tile by
 * tile so that reads and writes stay in cache. tf.matMul hands BatchMatMul
 * rank-3 operands ([1, m, k] for a matrix), so the batched form is the one
 * batch_mat_mul.ts asks for.
 */
function transpose(args: KernelArgs<TransposeInputs, tf.TransposeAttrs>): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs;
  const { perm } = args.attrs!;
  if (
    x.dtype !== "float32" || perm.length < 2 ||
    !tf.util.arraysEqual(perm, swapLastTwo(perm.length))
  ) {
    return stockTranspose.run({ x }, backend, { perm });
  }
  const r = x.shape.length;
  const [rows, cols] = x.shape.slice(r - 2);
  const out = backend.makeOutput(perm.map((p) => x.shape[p]), "float32");
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  const matrix = rows * cols;
  for (let at = 0; at < xs.length; at += matrix) {
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(r0 + TILE, rows);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = Math.min(c0 + TILE, cols);
        for (let r = r0; r < r1; r++) {
          const from = at + r * cols;
          for (let c = c0; c < c1; c++) o[at + c * rows + r] = xs[from + c];
        }
      }
    }
  }
  return out;
}

/** Kernel configs for `tf.registerKernel`. */
export const greaterConfig: tf.KernelConfig = {
  kernelName: tf.Greater,
  backendName: "wasm",
  kernelFunc: greater as unknown as tf.KernelFunc,
  setupFunc: (backend) => stockGreater.setup(backend as unknown as WasmBackend),
};
export const selectConfig: tf.KernelConfig = {
  kernelName: tf.Select,
  backendName: "wasm",
  kernelFunc: select as unknown as tf.KernelFunc,
  setupFunc: (backend) => stockSelect.setup(backend as unknown as WasmBackend),
};
export const transposeConfig: tf.KernelConfig = {
  kernelName: tf.Transpose,
  backendName: "wasm",
  kernelFunc: transpose as unknown as tf.KernelFunc,
  setupFunc: (backend) => stockTranspose.setup(backend as unknown as WasmBackend),
};
