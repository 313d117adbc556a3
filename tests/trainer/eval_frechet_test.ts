/** Fréchet distance (trainer/eval/metrics/frechet.ts) on values known in closed form. */
import assert from "node:assert/strict";
import { Prng } from "@gan-edge/shared/prng";
import {
  fitGaussian,
  frechetDistance,
  type Gaussian,
  sqrtSymmetric,
  traceSqrtProduct,
} from "../../trainer/eval/metrics/frechet.ts";

const close = (a: number, b: number, tol: number, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: expected ${b}, got ${a} (tolerance ${tol})`);

function gaussian(mean: number[], cov: number[][]): Gaussian {
  return {
    dim: mean.length,
    mean: Float64Array.from(mean),
    cov: Float64Array.from(cov.flat()),
    count: 0,
  };
}

type M = number[][];
const mul = (a: M, b: M): M =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const transpose = (a: M): M => a[0].map((_, j) => a.map((row) => row[j]));
const add = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i][j]));
const scale = (a: M, s: number): M => a.map((row) => row.map((v) => v * s));
const diag = (v: number[]): M => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));

const identity = (d: number) =>
  Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));

Deno.test("identical Gaussians: 0", () => {
  const prng = new Prng(1);
  const d = 16;
  // A random SPD covariance A·Aᵀ + I.
  const a = Array.from({ length: d }, () => Array.from({ length: d }, () => prng.normal()));
  const cov = add(mul(a, transpose(a)), identity(d));
  const mean = Array.from({ length: d }, () => prng.normal());
  close(frechetDistance(gaussian(mean, cov), gaussian(mean, cov)), 0, 1e-8, "FD(g, g)");
});

Deno.test("N(0, I) vs N(μ, I): |μ|²", () => {
  const mu = [1, -2, 3, 0.5];
  close(
    frechetDistance(gaussian([0, 0, 0, 0], identity(4)), gaussian(mu, identity(4))),
    1 + 4 + 9 + 0.25,
    1e-10,
    "|μ|²",
  );
});

Deno.test("a 2×2 case by hand: diagonal covariances diag(1, 4) and diag(4, 9)", () => {
  // tr(Σ₁ + Σ₂) = 5 + 13 = 18; (Σ₁Σ₂)^½ = diag(2, 6), trace 8; FD = 18 − 16 = 2,
  // plus |μ₁ − μ₂|² = 1² + 1² = 2: 4 in all.
  const a = gaussian([0, 0], [[1, 0], [0, 4]]);
  const b = gaussian([1, 1], [[4, 0], [0, 9]]);
  close(frechetDistance(a, b), 4, 1e-10, "FD");
});

Deno.test("a 2×2 case by hand with correlation: Σ₁ = I, Σ₂ = [[2, 1], [1, 2]]", () => {
  // Σ₂'s eigenvalues are 1 and 3, so tr Σ₂^½ = 1 + √3; FD = 2 + 4 − 2(1 + √3).
  const a = gaussian([0, 0], identity(2));
  const b = gaussian([0, 0], [[2, 1], [1, 2]]);
  close(frechetDistance(a, b), 6 - 2 * (1 + Math.sqrt(3)), 1e-12, "FD");
  close(frechetDistance(b, a), 6 - 2 * (1 + Math.sqrt(3)), 1e-12, "symmetric");
});

Deno.test("the square root squares back, and tr((Σ₁Σ₂)^½) matches commuting matrices", () => {
  const s = [[4, 2, 0], [2, 5, 1], [0, 1, 3]];
  const r = sqrtSymmetric(s);
  const back = mul(r, r).flat();
  s.flat().forEach((v, i) => close(back[i], v, 1e-12, `entry ${i}`));
  // Σ and Σ² commute: tr((Σ·Σ²)^½) = tr(Σ^{3/2}) = Σ λ^{3/2}.
  const eig = [1, 2, 5];
  const q = scale([[1, 1, 0], [1, -1, 0], [0, 0, Math.SQRT2]], Math.SQRT1_2);
  const sigma = mul(mul(q, diag(eig)), transpose(q));
  close(
    traceSqrtProduct(sigma, mul(sigma, sigma)),
    eig.reduce((t, l) => t + l ** 1.5, 0),
    1e-10,
    "tr Σ^{3/2}",
  );
});

Deno.test("fitGaussian: the mean and the unbiased (n − 1) covariance of numpy.cov", () => {
  const g = fitGaussian(new Float32Array([1, 2, 3, 6, 5, 10]), 2);
  assert.deepEqual(Array.from(g.mean), [3, 6]);
  // x: 1, 3, 5 (var 4); y: 2, 6, 10 (var 16); cov 8.
  assert.deepEqual(Array.from(g.cov), [4, 8, 8, 16]);
  assert.throws(() => fitGaussian(new Float32Array([1, 2]), 2), /at least 2 rows/);
});

Deno.test("samples of N(0, I) and N(μ, I) in 8-d: FD ≈ |μ|²", () => {
  const prng = new Prng(5);
  const d = 8;
  const n = 20000;
  const draw = (shift: number) => Float32Array.from({ length: n * d }, () => prng.normal() + shift);
  const fd = frechetDistance(fitGaussian(draw(0), d), fitGaussian(draw(0.5), d));
  close(fd, d * 0.25, 0.05, "FD of sampled Gaussians");
});
