/**
 * Gradients tfjs leaves unregistered but WGAN-GP's second-order pass needs:
 * the penalty differentiates D's input gradient, and leaky ReLU's gradient is
 * `where(x > 0, dy, α·dy)`, whose comparison has no registered gradient. A
 * comparison is piecewise constant, so its gradient is zero everywhere it is
 * defined; registering that lets the penalty's gradient flow.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

for (const kernelName of ["Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual"]) {
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
