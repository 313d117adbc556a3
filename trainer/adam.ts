/**
 * Adam with one fused update kernel per variable on the wasm backend.
 *
 * tfjs's `AdamOptimizer` spends 14 kernels on each variable's update (two
 * moments, two bias corrections, the step); on the ring8 MLP GAN those are a
 * third of a training step's ~570 kernel calls, and each call costs more in
 * dispatch than the arithmetic it does. `FusedAdam` keeps tfjs's optimizer,
 * its state and its serialization (`getWeights`/`setWeights`, checkpoints),
 * and on wasm replaces only the per-variable arithmetic with the
 * `GanEdgeAdamUpdate` kernel registered here: one pass over the heap that
 * writes the new value and both moments. Hand-written because tfjs has no
 * fused optimizer kernel. Other backends run tfjs's own update unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerWasmKernel, type WasmHeap } from "./wasm_heap.ts";

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

function adamUpdateKernel(
  args: { inputs: Inputs; backend: unknown; attrs?: AdamUpdateAttrs },
): tf.TensorInfo[] {
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

registerWasmKernel(ADAM_UPDATE, adamUpdateKernel);

/** tfjs's optimizer state, which the fused update reads and writes. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

/** `tf.train.adam`, with the fused update on wasm (see the module doc). */
export class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(gradients: Gradients): void {
    if (tf.getBackend() !== "wasm") return super.applyGradients(gradients);
    const s = this as unknown as AdamState;
    const list = Array.isArray(gradients)
      ? gradients
      : Object.entries(gradients).map(([name, tensor]) => ({ name, tensor }));
    const attrs: AdamUpdateAttrs = {
      lr: s.learningRate,
      beta1: s.beta1,
      beta2: s.beta2,
      epsilon: s.epsilon,
      correction1: 1 - s.accBeta1.dataSync()[0],
      correction2: 1 - s.accBeta2.dataSync()[0],
    };
    tf.tidy(() => {
      list.forEach(({ name, tensor: g }, i) => {
        const x = tf.engine().registeredVariables[name];
        s.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(x).variable(false)),
        };
        s.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(x).variable(false)),
        };
        if (g == null) return;
        const m = s.accumulatedFirstMoment[i].variable;
        const v = s.accumulatedSecondMoment[i].variable;
        const [x2, m2, v2] = tf.engine().runKernel(
          ADAM_UPDATE,
          { x, m, v, g },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
        x.assign(x2);
        m.assign(m2);
        v.assign(v2);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    s.incrementIterations();
  }
}
