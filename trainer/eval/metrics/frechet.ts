/**
 * Fréchet distance between two Gaussians fitted to feature vectors (the
 * formula of FID, Heusel et al. 2017):
 *
 *     FD = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½).
 *
 * The features here are those of our own small classifier
 * (./classifier.ts), not Inception-v3's pool3: the number is NOT comparable
 * with published FIDs, only between models measured with the same
 * classifier file.
 *
 * tr (Σ₁Σ₂)^½ = tr (Σ₁^½ Σ₂ Σ₁^½)^½, and Σ₁^½ Σ₂ Σ₁^½ is symmetric positive
 * semi-definite, so both square roots come from symmetric eigendecompositions
 * (ml-matrix's EigenvalueDecomposition), with tiny negative eigenvalues from
 * rounding clamped to 0. This avoids the non-symmetric sqrtm of Σ₁Σ₂ and its
 * complex round-off that scipy users have to discard.
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** A Gaussian fitted to features: mean [d] and covariance [d × d], row-major. */
export interface Gaussian {
  dim: number;
  mean: Float64Array;
  /** Unbiased (n − 1) covariance, as numpy.cov. */
  cov: Float64Array;
  count: number;
}

/** Fits mean and unbiased covariance to `n` rows of `x` ([n, dim] row-major). */
export function fitGaussian(x: ArrayLike<number>, dim: number): Gaussian {
  const n = x.length / dim;
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`fitGaussian: expected at least 2 rows of ${dim}, got ${x.length} values`);
  }
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) mean[a] += x[i * dim + a];
  for (let a = 0; a < dim; a++) mean[a] /= n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) row[a] = x[i * dim + a] - mean[a];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b] / (n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { dim, mean, cov, count: n };
}

function toMatrix(values: Float64Array, dim: number): Matrix {
  return new Matrix(
    Array.from({ length: dim }, (_, i) => Array.from(values.subarray(i * dim, (i + 1) * dim))),
  );
}

function sqrtSym(m: Matrix): Matrix {
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const v = e.eigenvectorMatrix;
  const root = e.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0)));
  return v.mmul(Matrix.diag(root)).mmul(v.transpose());
}

/** Square root of a symmetric positive semi-definite matrix (V √Λ Vᵀ). */
export function sqrtSymmetric(m: number[][]): number[][] {
  return sqrtSym(new Matrix(m)).to2DArray();
}

/** tr((Σ₁Σ₂)^½) for symmetric positive semi-definite Σ₁, Σ₂. */
export function traceSqrtProduct(s1: number[][], s2: number[][]): number {
  return traceSqrt(new Matrix(s1), new Matrix(s2));
}

/** tr((Σ₁Σ₂)^½) through the symmetric form tr((Σ₁^½ Σ₂ Σ₁^½)^½). */
function traceSqrt(s1: Matrix, s2: Matrix): number {
  const r1 = sqrtSym(s1);
  const inner = r1.mmul(s2).mmul(r1);
  // Symmetrise away round-off before the second decomposition.
  const sym = inner.add(inner.transpose()).mul(0.5);
  const e = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  return e.realEigenvalues.reduce((t, l) => t + Math.sqrt(Math.max(l, 0)), 0);
}

/** Fréchet distance between two Gaussians of the same dimension. */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  if (a.dim !== b.dim) throw new RangeError(`frechet: dims differ (${a.dim} vs ${b.dim})`);
  const d = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += a.cov[i * d + i] + b.cov[i * d + i];
  const cross = traceSqrt(toMatrix(a.cov, d), toMatrix(b.cov, d));
  // Rounding can make a distance of identical inputs a hair negative.
  return Math.max(0, meanTerm + traces - 2 * cross);
}
