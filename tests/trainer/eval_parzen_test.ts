/**
 * Parzen-window log-likelihood (trainer/eval/metrics/parzen.ts) against closed forms
 * and a float64 reference written with plain loops.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Prng } from "@gan-edge/shared/prng";
import {
  logMeanExp,
  meanAndStderr,
  PAPER_PROTOCOL,
  PAPER_SIGMAS,
  parzenEvaluate,
  parzenLogLikelihoods,
  toUnitInterval,
} from "../../trainer/eval/metrics/parzen.ts";
import { squaredDistances } from "../../trainer/eval/metrics/distances.ts";

await tf.setBackend("cpu");
tf.enableProdMode();

const close = (a: number, b: number, tol: number, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: expected ${b}, got ${a} (tolerance ${tol})`);

/** The paper's formula in float64 loops: log-mean-exp − d·log(σ√2π). */
function reference(samples: Float32Array, x: Float32Array, dim: number, sigma: number): number[] {
  const n = samples.length / dim;
  const out = [];
  for (let j = 0; j < x.length / dim; j++) {
    const e = [];
    for (let i = 0; i < n; i++) {
      let d2 = 0;
      for (let a = 0; a < dim; a++) d2 += (x[j * dim + a] - samples[i * dim + a]) ** 2;
      e.push(-d2 / (2 * sigma * sigma));
    }
    out.push(logMeanExp(e) - dim * Math.log(sigma * Math.sqrt(2 * Math.PI)));
  }
  return out;
}

Deno.test("the σ grid is logspace(−1, 0, 10)", () => {
  assert.equal(PAPER_SIGMAS.length, 10);
  close(PAPER_SIGMAS[0], 0.1, 1e-15, "first");
  close(PAPER_SIGMAS[9], 1, 1e-15, "last");
  close(PAPER_SIGMAS[1] / PAPER_SIGMAS[0], 10 ** (1 / 9), 1e-12, "ratio");
  // Goodfellow et al. 2014: 10,000 generated samples, σ on 1,000 validation images.
  assert.deepEqual(PAPER_PROTOCOL, { samples: 10_000, validation: 1_000 });
});

Deno.test("logMeanExp is exact on equal values and stable far from 0", () => {
  close(logMeanExp([3, 3, 3]), 3, 1e-15, "equal values");
  close(logMeanExp([0, Math.log(3)]), Math.log(2), 1e-15, "log((1 + 3) / 2)");
  // Naive exp(−5000) underflows to 0; shifted by the max it is exact.
  close(logMeanExp([-5000, -5000 + Math.log(3)]), -5000 + Math.log(2), 1e-9, "far below 0");
  close(logMeanExp([1000, 1000]), 1000, 1e-12, "far above 0");
  assert.equal(logMeanExp([-Infinity, -Infinity]), -Infinity);
});

Deno.test("one kernel: the log-density of N(μ, σ²I)", async () => {
  const dim = 3;
  const sigma = 0.5;
  const mu = new Float32Array([0.1, 0.2, 0.3]);
  const x = new Float32Array([0.1, 0.2, 0.3, 1.1, 0.2, 0.3]);
  const [ll] = await parzenLogLikelihoods({ x: mu, dim }, { x, dim }, [sigma]);
  const logNorm = -dim * Math.log(sigma * Math.sqrt(2 * Math.PI));
  close(ll[0], logNorm, 1e-5, "at the mean");
  close(ll[1], logNorm - 1 / (2 * sigma * sigma), 1e-5, "one unit away");
});

Deno.test("matches the float64 reference, in chunks, for every σ (784-d, σ = 0.1 included)", async () => {
  const prng = new Prng(3);
  const dim = 784;
  const samples = Float32Array.from({ length: 50 * dim }, () => prng.uniform());
  const x = Float32Array.from({ length: 7 * dim }, () => prng.uniform());
  const got = await parzenLogLikelihoods({ x: samples, dim }, { x, dim }, PAPER_SIGMAS, {
    chunk: 3,
  });
  for (const [k, sigma] of PAPER_SIGMAS.entries()) {
    const want = reference(samples, x, dim, sigma);
    // Exponents reach −d²/2σ² ≈ −6,500 at σ = 0.1: float32 distances, relative 1e-5.
    want.forEach((w, j) => close(got[k][j], w, Math.abs(w) * 2e-5 + 1e-3, `σ ${sigma}, x ${j}`));
  }
});

Deno.test("σ is chosen on validation, the test set is reported as mean ± std/√m", async () => {
  const prng = new Prng(9);
  const dim = 2;
  // Samples and data from N(0, 0.3²I): the best σ on the grid is a small one, not 1.
  const draw = (n: number) => Float32Array.from({ length: n * dim }, () => 0.3 * prng.normal());
  const samples = { x: draw(400), dim };
  const validation = { x: draw(100), dim };
  const test = { x: draw(120), dim };
  const r = await parzenEvaluate(samples, validation, test);
  const best = r.validationBySigma.reduce((a, b) => (b.mean > a.mean ? b : a));
  assert.equal(r.sigma, best.sigma);
  assert.ok(r.sigma < 1, `σ = ${r.sigma}`);
  const byHand = reference(samples.x, test.x, dim, r.sigma);
  const { mean, stderr } = meanAndStderr(byHand);
  close(r.mean, mean, 1e-4, "mean");
  close(r.stderr, stderr, 1e-5, "stderr");
  assert.deepEqual([r.samples, r.validation, r.test], [400, 100, 120]);
  for (const v of r.validationBySigma) {
    const ref = reference(samples.x, validation.x, dim, v.sigma);
    close(v.mean, ref.reduce((a, b) => a + b) / ref.length, 1e-4, `validation σ ${v.sigma}`);
  }
});

Deno.test("mean and standard error; [−1, 1] → [0, 1]; distances never negative", () => {
  const { mean, stderr } = meanAndStderr([1, 2, 3, 4]);
  assert.equal(mean, 2.5);
  close(stderr, Math.sqrt(1.25) / 2, 1e-15, "population std / √n");
  assert.deepEqual(Array.from(toUnitInterval(new Float32Array([-1, 0, 1]))), [0, 0.5, 1]);
  const d2 = tf.tidy(() => {
    const a = tf.tensor2d([[1000.1, 1000.2]]);
    return squaredDistances(a, a).dataSync();
  });
  assert.ok(d2[0] >= 0);
});

Deno.test("no tensor leaks", async () => {
  const before = tf.memory().numTensors;
  const dim = 4;
  const x = new Float32Array(40).fill(0.5);
  await parzenEvaluate({ x, dim }, { x, dim }, { x, dim }, [0.1, 1], { chunk: 3 });
  assert.equal(tf.memory().numTensors, before);
});
