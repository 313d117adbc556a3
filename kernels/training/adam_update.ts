/**
 * `GanEdgeAdamUpdate`: one Adam step for one variable in one pass over the
 * wasm heap, writing the new value and both moments. tfjs's `AdamOptimizer`
 * spends 14 kernels on each variable's update, each costing more in dispatch
 * than the arithmetic it does; the trainer's `FusedAdam` runs this one
 * instead on wasm. Hand-written because tfjs has no fused optimizer kernel.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { KernelArgs, WasmHeap } from "../wasm_backend.ts";

/** The kernel's name in tfjs's registry (wasm only). */
export const ADAM_UPDATE = "GanEdgeAdamUpdate";

/** Attributes of one update: the step's constants. */
export interface AdamUpdateAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β1^t and 1 − β2^t: the bias corrections of step t. */
  correction1: number;
  correction2: number;
}

/**
 * One Adam step over arrays, in place: m ← β1·m + (1−β1)·g,
 * v ← β2·v + (1−β2)·g², x ← x − lr · (m/c1) / (√(v/c2) + ε), exactly
 * tfjs's formula (ε added after the square root).
 */
export function adamUpdate(
  x: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  a: AdamUpdateAttrs,
): void {
  const { lr, beta1, beta2, epsilon, correction1, correction2 } = a;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    x[i] -= (lr * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
  }
}

type Inputs = Record<"x" | "m" | "v" | "g", tf.TensorInfo>;

/** The kernel: new x, m and v from x, m, v and the gradient g (float32). */
export function adamUpdateKernel(args: KernelArgs<Inputs, AdamUpdateAttrs>): tf.TensorInfo[] {
  const heap = args.backend as WasmHeap;
  const { x, m, v, g } = args.inputs;
  for (const t of [x, m, v, g]) {
    if (t.dtype !== "float32") throw new Error(`${ADAM_UPDATE}: expected float32, got ${t.dtype}`);
  }
  // Allocate first: heap views are invalid after the next allocation.
  const outs = [x, m, v].map((t) => heap.makeOutput(t.shape, "float32"));
  const [xo, mo, vo] = outs.map((t) => heap.typedArrayFromHeap(t) as Float32Array);
  xo.set(heap.typedArrayFromHeap(x));
  mo.set(heap.typedArrayFromHeap(m));
  vo.set(heap.typedArrayFromHeap(v));
  adamUpdate(xo, mo, vo, heap.typedArrayFromHeap(g) as Float32Array, args.attrs!);
  return outs;
}
