/**
 * Custom tfjs-layers used by the discriminators. Registered for
 * serialization so that checkpoints of D load back.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/**
 * Minibatch standard deviation (Karras et al. 2018): appends one feature, the
 * mean over features of the per-feature standard deviation across the batch,
 * so that D can see a collapsed batch's missing variety.
 * Input [n, ...dims, c] → output [n, ...dims, c + 1].
 */
export class MinibatchStd extends tfl.layers.Layer {
  static className = "MinibatchStd";

  override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tfl.Shape;
    const last = s[s.length - 1];
    return [...s.slice(0, -1), last === null ? null : last + 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const mean = tf.mean(x, 0, true);
      const std = tf.sqrt(
        tf.add(tf.mean(tf.square(tf.sub(x, mean)), 0, true), 1e-8),
      );
      const stat = tf.mean(std); // scalar
      const shape = [...x.shape.slice(0, -1), 1];
      return tf.concat([x, tf.mul(tf.fill(shape, 1), stat)], -1);
    });
  }
}
tf.serialization.registerClass(MinibatchStd);
