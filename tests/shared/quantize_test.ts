import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

tf.enableProdMode();
import { dequantize, quantize } from "@gan-edge/shared/quantize";
import { Prng } from "@gan-edge/shared/prng";

function randomWeights(n: number, seed: number, scale = 0.3): Float32Array {
  const p = new Prng(seed);
  return Float32Array.from({ length: n }, () => scale * p.normal());
}

const maxAbs = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

Deno.test("uint8 round trip: error at most half a step, 0 exact, range kept", () => {
  const w = randomWeights(5000, 1);
  w[17] = 0;
  const q = quantize(w, "uint8");
  assert.equal(q.bytes.length, w.length);
  assert.equal(q.quantization?.dtype, "uint8");
  const { scale } = q.quantization as { scale: number };
  const back = dequantize(q.bytes, q.quantization);
  assert.ok(
    maxAbs(w, back) <= scale / 2 + 1e-7,
    `max error ${maxAbs(w, back)}, step ${scale}`,
  );
  assert.equal(back[17], 0);
  const span = Math.max(...w) - Math.min(...w);
  assert.ok(Math.abs(scale - span / 255) < 1e-9);
});

Deno.test("uint8 of a constant or all-positive weight", () => {
  const c = quantize(new Float32Array([0.25, 0.25, 0.25]), "uint8");
  assert.deepEqual(Array.from(dequantize(c.bytes, c.quantization)), [
    0.25,
    0.25,
    0.25,
  ]);
  const pos = Float32Array.from([1, 2, 3, 4]);
  const q = quantize(pos, "uint8");
  assert.ok(maxAbs(pos, dequantize(q.bytes, q.quantization)) < 3 / 255);
  assert.throws(
    () => quantize(new Float32Array([1, NaN]), "uint8"),
    /non-finite/,
  );
});

Deno.test("float16 round trip: relative error at most 2^-11", () => {
  const w = randomWeights(5000, 2);
  const q = quantize(w, "float16");
  assert.equal(q.bytes.length, 2 * w.length);
  const back = dequantize(q.bytes, q.quantization);
  w.forEach((v, i) => assert.ok(Math.abs(v - back[i]) <= Math.abs(v) * 2 ** -11 + 1e-7));
});

Deno.test("float32 is stored exactly", () => {
  const w = randomWeights(100, 3);
  const q = quantize(w, "float32");
  assert.equal(q.quantization, undefined);
  assert.deepEqual(dequantize(q.bytes), w);
});

Deno.test("tfjs's own decodeWeights reads our quantized bytes identically", () => {
  const w = randomWeights(300, 4);
  for (const dtype of ["uint8", "float16"] as const) {
    const q = quantize(w, dtype);
    const decoded = tf.io.decodeWeights(q.bytes.slice().buffer, [{
      name: "w",
      shape: [300],
      dtype: "float32",
      quantization: q.quantization,
    }]);
    assert.deepEqual(decoded.w.dataSync(), dequantize(q.bytes, q.quantization));
    decoded.w.dispose();
  }
});
