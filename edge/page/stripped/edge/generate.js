// Generated from edge/generate.ts by edge/tools/page_modules.ts (types stripped); do not edit.
/**
 * One forward pass of a compiled generator, from latents to sample values.
 * It needs tfjs-core and nothing of Deno, so that the edge's sampler and the
 * demo page, which runs the same code in the browser, share it.
 *
 * @module
 */ import * as tf from "@tensorflow/tfjs-core";
/** The forward pass of `net`, whose latents have `dim` entries. */ export function forward(net, dim, classes) {
  return (z, n, labels)=>{
    if (classes > 0 && labels?.length !== n) {
      throw new RangeError(`generate: expected ${n} class labels`);
    }
    const out = tf.tidy(()=>{
      const zT = tf.tensor2d(z, [
        n,
        dim
      ]);
      // Class indices go in as int32: the embedding needs no cast.
      return net.run(classes > 0 ? [
        zT,
        tf.tensor2d(Int32Array.from(labels), [
          n,
          1
        ], "int32")
      ] : [
        zT
      ]);
    });
    try {
      // On wasm the tensor already sits in memory: a synchronous copy spares
      // data()'s chain of promises (~2 % of a batch-1 call).
      return out.dataSync();
    } finally{
      out.dispose();
    }
  };
}
