/** k-NN precision/recall, density and coverage (trainer/eval/metrics/prdc.ts). */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Prng } from "@gan-edge/shared/prng";
import { kthNeighbourRadii } from "../../trainer/eval/metrics/distances.ts";
import { precisionRecall } from "../../trainer/eval/metrics/prdc.ts";

await tf.setBackend("cpu");
tf.enableProdMode();

Deno.test("k-th neighbour radii skip the point itself", async () => {
  // Points on a line at 0, 1, 3, 6: 1st neighbours 1, 1, 2, 3; 2nd 3, 2, 3, 5.
  const x = { x: new Float32Array([0, 1, 3, 6]), dim: 1 };
  assert.deepEqual(Array.from(await kthNeighbourRadii(x, 1)), [1, 1, 4, 9]);
  assert.deepEqual(Array.from(await kthNeighbourRadii(x, 2)), [9, 4, 9, 25]);
  await assert.rejects(() => kthNeighbourRadii(x, 4), /k = 4 needs more than 4 rows/);
});

Deno.test("a hand-made case: precision, recall, density, coverage", async () => {
  // Reals at 0, 1, 2, 3 (k = 1: every radius 1). Fakes at 0.5, 0.6 and 10, 10.5
  // (radii 0.1, 0.1, 0.5, 0.5).
  const real = { x: new Float32Array([0, 1, 2, 3]), dim: 1 };
  const fake = { x: new Float32Array([0.5, 0.6, 10, 10.5]), dim: 1 };
  const r = await precisionRecall(real, fake, 1);
  assert.equal(r.precision, 0.5); // 0.5 and 0.6 are within a real ball; 10 and 10.5 not
  assert.equal(r.recall, 0); // no real lies within 0.1 of 0.5/0.6 or 0.5 of 10/10.5
  // 0.5 is inside the balls of 0 and 1, 0.6 too: 4 memberships over k·m = 4.
  assert.equal(r.density, 1);
  assert.equal(r.coverage, 0.5); // the balls of 0 and 1 hold a fake
});

Deno.test("identical sets: precision = recall = coverage = 1", async () => {
  const prng = new Prng(2);
  const x = { x: Float32Array.from({ length: 300 * 5 }, () => prng.normal()), dim: 5 };
  const r = await precisionRecall(x, x);
  assert.deepEqual([r.precision, r.recall, r.coverage], [1, 1, 1]);
  assert.equal(r.k, 3);
});

Deno.test("a collapsed generator: high precision, low recall", async () => {
  const prng = new Prng(4);
  const dim = 2;
  const real = { x: Float32Array.from({ length: 1000 * dim }, () => prng.normal()), dim };
  // Fakes: all near the origin (one mode of a wide distribution).
  const fake = { x: Float32Array.from({ length: 1000 * dim }, () => 0.1 * prng.normal()), dim };
  const r = await precisionRecall(real, fake);
  assert.ok(r.precision > 0.95, `precision ${r.precision}`);
  assert.ok(r.recall < 0.2, `recall ${r.recall}`);
  // Samples of the same distribution: both high (Kynkäänniemi et al.: ≈ 0.7–0.8 at k = 3 in 2-D).
  const same = { x: Float32Array.from({ length: 1000 * dim }, () => prng.normal()), dim };
  const s = await precisionRecall(real, same);
  assert.ok(s.precision > 0.6 && s.recall > 0.6, `precision ${s.precision}, recall ${s.recall}`);
});

Deno.test("no tensor leaks", async () => {
  const before = tf.memory().numTensors;
  const x = { x: Float32Array.from({ length: 1200 }, (_, i) => i % 7), dim: 2 };
  await precisionRecall(x, x, 2);
  assert.equal(tf.memory().numTensors, before);
});
