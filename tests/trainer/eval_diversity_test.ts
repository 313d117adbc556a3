/**
 * Pixel-space diversity (trainer/eval/metrics/diversity.ts): near-duplicate
 * rate, quantiles, within-class distances and the one-pass k-NN radii on
 * hand-computed values, and a partially collapsed generator that the
 * measures must catch.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Prng } from "@gan-edge/shared/prng";
import { nearestNeighbourRadii } from "../../trainer/eval/metrics/distances.ts";
import {
  DUPLICATE_THRESHOLD,
  nearDuplicateRate,
  pixelDiversity,
  quantile,
  withinClassDistances,
} from "../../trainer/eval/metrics/diversity.ts";

await tf.setBackend("cpu");
tf.enableProdMode();

const close = (a: number, b: number, what: string, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} against ${b}`);

Deno.test("near-duplicate rate: the share strictly under the threshold", () => {
  assert.equal(nearDuplicateRate([0.5, 1, 2, 0.99], 1), 0.5);
  assert.equal(nearDuplicateRate([0, 0, 0], DUPLICATE_THRESHOLD), 1);
  assert.equal(DUPLICATE_THRESHOLD, 1); // the pixel L2 < 1.0 on [0, 1]
  assert.throws(() => nearDuplicateRate([], 1), /no samples/);
});

Deno.test("quantile: linear between order statistics", () => {
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantile([4, 1, 3, 2], 0), 1);
  assert.equal(quantile([4, 1, 3, 2], 1), 4);
  assert.equal(quantile(Array.from({ length: 101 }, (_, i) => 100 - i), 0.01), 1);
  assert.throws(() => quantile([], 0.5), /no values/);
});

Deno.test("nearest-neighbour radii: every j ≤ k in one pass, copies at 0", async () => {
  // A line at 0, 1, 3, 6: 1st neighbours 1, 1, 2, 3; 2nd 3, 2, 3, 5 (squared below).
  const [first, second] = await nearestNeighbourRadii(
    { x: new Float32Array([0, 1, 3, 6]), dim: 1 },
    2,
  );
  assert.deepEqual(Array.from(first), [1, 1, 4, 9]);
  assert.deepEqual(Array.from(second), [9, 4, 9, 25]);
  const [twins] = await nearestNeighbourRadii({ x: new Float32Array([2, 2, 5]), dim: 1 }, 1);
  assert.deepEqual(Array.from(twins), [0, 0, 9]);
  await assert.rejects(
    () => nearestNeighbourRadii({ x: new Float32Array([1]), dim: 1 }, 1),
    /k = 1/,
  );
});

Deno.test("within-class distances: mean over distinct pairs; NaN below two members", async () => {
  // Class 0 at 0, 3, 4 (pairs 3, 4, 1: mean 8/3); class 1 alone; class 2 two copies.
  const x = { x: new Float32Array([0, 10, 3, 1, 4, 1]), dim: 1 };
  const d = await withinClassDistances(x, [0, 1, 0, 2, 0, 2], 3);
  close(d[0], 8 / 3, "class 0");
  assert.ok(Number.isNaN(d[1]));
  assert.equal(d[2], 0);
  // 2-D: a 3-4-5 triangle's sides average 4.
  const tri = { x: new Float32Array([0, 0, 3, 0, 0, 4]), dim: 2 };
  close((await withinClassDistances(tri, [0, 0, 0], 1))[0], 4, "triangle");
});

Deno.test("pixelDiversity on a hand-made set: duplicates, nearest distances, classes, P/R", async () => {
  // Generated: two copies at the origin, one at (0, 0.5), one at (5, 5).
  const generated = {
    x: new Float32Array([0, 0, 0, 0, 0, 0.5, 5, 5]),
    dim: 2,
    labels: [0, 0, 1, 1],
  };
  // Real: a 3 × 3 square, every nearest neighbour at 3.
  const real = { x: new Float32Array([0, 0, 3, 0, 0, 3, 3, 3]), dim: 2, labels: [0, 0, 1, 1] };
  const p = await pixelDiversity(generated, real, 2, "conditioning label", { k: 1 });
  // Nearest: 0, 0, 0.5, √45.25 = 6.73 → 3 of 4 under 1.0; real: none.
  assert.equal(p.nearDuplicates.generated, 0.75);
  assert.equal(p.nearDuplicates.real, 0);
  assert.equal(p.nearDuplicates.threshold, 1);
  close(p.nearDuplicates.medianNearest.generated, 0.25, "median of 0, 0, 0.5, 6.73");
  assert.equal(p.nearDuplicates.medianNearest.real, 3);
  assert.deepEqual(p.withinClass.generated.map((v) => +v.toFixed(4)), [0, 6.7268]);
  assert.deepEqual(p.withinClass.real, [3, 3]);
  close(p.withinClass.generatedMean, 6.7268 / 2, "mean over classes", 1e-4);
  assert.equal(p.withinClass.by, "conditioning label");
  // k = 1: every fake within 3 of a real (precision 1); (5, 5)'s ball (r² = 45.25) holds
  // (3, 0), (0, 3), (3, 3), and (0, 0) is on a copy (r = 0, distance 0): recall 1.
  assert.deepEqual([p.prdc.precision, p.prdc.recall, p.prdc.k], [1, 1, 1]);
  assert.equal(p.prdcTrainTest, null); // no training images given
  // Training images in the generator's place: the real set itself scores 1 / 1, and a
  // copy shifted by (10, 10) lies outside every real ball (radius 3) and holds no real.
  const same = await pixelDiversity(generated, real, 2, "conditioning label", {
    k: 1,
    train: real,
  });
  assert.deepEqual([same.prdcTrainTest!.precision, same.prdcTrainTest!.recall], [1, 1]);
  const far = { x: real.x.map((v) => v + 10), dim: 2 };
  const off = await pixelDiversity(generated, real, 2, "conditioning label", { k: 1, train: far });
  assert.deepEqual([off.prdcTrainTest!.precision, off.prdcTrainTest!.recall], [0, 0]);
});

Deno.test("a partially collapsed generator: many twins, low pixel recall, narrow classes", async () => {
  const prng = new Prng(7);
  const dim = 64;
  const n = 600;
  const classes = 3;
  // Real images: each class a cloud of width 0.2 per pixel around its own centre in [0, 1].
  const centres = Array.from(
    { length: classes },
    () => Float32Array.from({ length: dim }, () => prng.uniform()),
  );
  const draw = (c: number, width: number) =>
    Float32Array.from({ length: dim }, (_, j) => centres[c][j] + width * prng.normal());
  const set = (width: (i: number) => Float32Array) => {
    const x = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) x.set(width(i), i * dim);
    return { x, dim, labels: Int32Array.from({ length: n }, (_, i) => i % classes) };
  };
  const real = set((i) => draw(i % classes, 0.2));
  // Collapsed: 5 prototypes per class, each sample a prototype plus noise of 0.01 per pixel.
  const prototypes = Array.from({ length: classes * 5 }, (_, p) => draw(p % classes, 0.2));
  const collapsed = set((i) =>
    prototypes[(i % classes) + classes * Math.floor(prng.uniform() * 5)].map((v) =>
      v + 0.01 * prng.normal()
    )
  );
  const healthy = set((i) => draw(i % classes, 0.2));
  const bad = await pixelDiversity(collapsed, real, classes, "conditioning label");
  const good = await pixelDiversity(healthy, real, classes, "conditioning label");
  // Two samples of a class lie about 0.2·√(2·64) ≈ 2.3 apart; twins 0.01·√128 ≈ 0.1.
  assert.ok(bad.nearDuplicates.generated > 0.95, `collapsed twins ${bad.nearDuplicates.generated}`);
  assert.ok(good.nearDuplicates.generated < 0.05, `healthy twins ${good.nearDuplicates.generated}`);
  assert.equal(bad.nearDuplicates.real, good.nearDuplicates.real);
  assert.ok(bad.prdc.recall < 0.1, `collapsed recall ${bad.prdc.recall}`);
  assert.ok(good.prdc.recall > 0.5, `healthy recall ${good.prdc.recall}`);
  assert.ok(
    bad.withinClass.generatedMean < 0.9 * bad.withinClass.realMean,
    `collapsed within-class ${bad.withinClass.generatedMean} against ${bad.withinClass.realMean}`,
  );
  close(good.withinClass.generatedMean, good.withinClass.realMean, "healthy within-class", 0.05);
});

Deno.test("no tensor leaks", async () => {
  const before = tf.memory().numTensors;
  const x = {
    x: Float32Array.from({ length: 400 }, (_, i) => (i % 13) / 13),
    dim: 4,
    labels: Array.from({ length: 100 }, (_, i) => i % 2),
  };
  await pixelDiversity(x, x, 2, "classifier prediction");
  assert.equal(tf.memory().numTensors, before);
});
