/**
 * One forward pass of a compiled generator, from latents to sample values.
 * It needs tfjs-core and nothing of Deno, so that the edge's sampler and the
 * demo page, which runs the same code in the browser, share it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { CompiledModel } from "./inference.ts";

/**
 * G(z) for `n` latents (row-major, n × `dim`) with, for a model of `classes`
 * classes, one class index per latent; returns n × prod(sample shape)
 * values. Every tensor it makes is disposed before it returns. Throws a
 * RangeError when a conditional model gets other than `n` labels.
 */
export type Forward = (z: Float32Array, n: number, labels?: ArrayLike<number>) => Float32Array;

/** The forward pass of `net`, whose latents have `dim` entries. */
export function forward(net: CompiledModel, dim: number, classes: number): Forward {
  return (z, n, labels) => {
    if (classes > 0 && labels?.length !== n) {
      throw new RangeError(`generate: expected ${n} class labels`);
    }
    const out = tf.tidy(() => {
      const zT = tf.tensor2d(z, [n, dim]);
      // Class indices go in as int32: the embedding needs no cast.
      return net.run(
        classes > 0 ? [zT, tf.tensor2d(Int32Array.from(labels!), [n, 1], "int32")] : [zT],
      );
    });
    try {
      // On wasm the tensor already sits in memory: a synchronous copy spares
      // data()'s chain of promises (~2 % of a batch-1 call).
      return out.dataSync() as Float32Array;
    } finally {
      out.dispose();
    }
  };
}
