/**
 * Adam with one fused update kernel per variable on the wasm backend.
 *
 * tfjs's `AdamOptimizer` spends 14 kernels on each variable's update (two
 * moments, two bias corrections, the step); on the ring8 MLP GAN those are a
 * third of a training step's ~570 kernel calls, and each call costs more in
 * dispatch than the arithmetic it does. `FusedAdam` keeps tfjs's optimizer,
 * its state and its serialization (`getWeights`/`setWeights`, checkpoints),
 * and on wasm replaces only the per-variable arithmetic with the
 * `GanEdgeAdamUpdate` kernel of `@gan-edge/kernels/training` (registered by
 * its `register()`, which backend.ts calls for wasm): one pass over the heap
 * that writes the new value and both moments. Other backends run tfjs's own
 * update unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM_UPDATE, type AdamUpdateAttrs } from "@gan-edge/kernels/training";

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
