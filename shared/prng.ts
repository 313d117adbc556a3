/**
 * The one seeded random stream shared by the trainer and the edge.
 *
 * Algorithm (so any runtime can reproduce it bit for bit):
 * - the 32-bit seed is expanded into the 128-bit state of xoshiro128** by four
 *   successive SplitMix32 outputs;
 * - `nextUint32()` is one xoshiro128** step (Blackman & Vigna 2018);
 * - a uniform in (0, 1) is `(u + 0.5) / 2^32`, never 0 nor 1;
 * - a standard normal is Box–Muller's cosine half,
 *   `sqrt(-2 ln u1) * cos(2π u2)`, from two successive uniforms, computed in
 *   float64 with {@link detLog} and {@link detCos2Pi} and rounded to float32.
 *
 * `Math.log` and `Math.cos` are not specified bit-exactly by ECMAScript and do
 * differ between engines, so they are written here with +, ×, ÷ and `sqrt`
 * only, which IEEE 754 rounds identically everywhere: that is why this module
 * is hand-written rather than taken from a library.
 *
 * @module
 */

/** Largest accepted seed: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 0xffffffff;

/** Serializable generator state (four uint32 words), for checkpoints. */
export type PrngState = [number, number, number, number];

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One SplitMix32 output from `x`; returns the next counter and the value. */
function splitMix32(x: number): [number, number] {
  const next = (x + 0x9e3779b9) | 0;
  let t = next ^ (next >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return [next, t >>> 0];
}

/** Throws unless `seed` is an integer in [0, 2^32 − 1]. */
export function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(
      `seed: expected an integer in [0, ${MAX_SEED}], got ${seed}`,
    );
  }
}

/**
 * xoshiro128** seeded through SplitMix32.
 *
 * @example
 * ```ts
 * import { Prng } from "@gan-edge/shared/prng";
 * const a = new Prng(42).normal();
 * const b = new Prng(42).normal();
 * if (a !== b) throw new Error("same seed, same stream");
 * ```
 */
export class Prng {
  #s: Uint32Array;

  constructor(seed: number) {
    assertSeed(seed);
    this.#s = new Uint32Array(4);
    let x = seed | 0;
    for (let i = 0; i < 4; i++) {
      const [next, value] = splitMix32(x);
      x = next;
      this.#s[i] = value;
    }
  }

  /** A generator that continues from a saved {@link PrngState}. */
  static fromState(state: PrngState): Prng {
    if (state.length !== 4 || state.every((w) => w === 0)) {
      throw new RangeError("prng state: expected four uint32 words, not all 0");
    }
    const prng = new Prng(0);
    prng.#s.set(state.map((w) => w >>> 0));
    return prng;
  }

  /** The current state, to resume the same stream later. */
  state(): PrngState {
    const s = this.#s;
    return [s[0], s[1], s[2], s[3]];
  }

  /** Next raw 32-bit output of xoshiro128**. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in the open interval (0, 1); an exact dyadic rational. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Integer uniform in [0, n) (n ≤ 2^32), by multiply-shift. */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal by Box–Muller (cosine half), in float64. */
  normal(): number {
    const u1 = this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * detLog(u1)) * detCos2Pi(u2);
  }
}

/** The distribution a latent vector is drawn from. */
export type LatentDistribution = "normal" | "uniform";

/**
 * `count` latent vectors of length `dim` for `seed`, row-major, as float32.
 * Vector i depends only on (seed, i): asking for more vectors extends the list.
 * "uniform" is uniform on (−1, 1).
 *
 * @example
 * ```ts
 * import { latents } from "@gan-edge/shared/prng";
 * const z = latents(7, 2, 3, "normal");
 * if (z.length !== 6) throw new Error("2 vectors of 3");
 * ```
 */
export function latents(
  seed: number,
  count: number,
  dim: number,
  distribution: LatentDistribution,
): Float32Array {
  const prng = new Prng(seed);
  return fillLatents(prng, new Float32Array(count * dim), distribution);
}

/** Fills `out` from `prng` with draws of `distribution`; returns `out`. */
export function fillLatents(
  prng: Prng,
  out: Float32Array,
  distribution: LatentDistribution,
): Float32Array {
  for (let i = 0; i < out.length; i++) {
    out[i] = distribution === "normal" ? prng.normal() : 2 * prng.uniform() - 1;
  }
  return out;
}

const LN2 = 0.6931471805599453;
const SQRT_HALF = 0.7071067811865476;

/**
 * Natural logarithm of a positive finite `x`, from +, ×, ÷ only.
 * x = m·2^e with m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1), |s| < 0.172;
 * the odd series to s^29 leaves an error below 1e-16 relative.
 */
export function detLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new RangeError(`detLog: expected a positive finite number, got ${x}`);
  }
  let m = x;
  let e = 0;
  while (m < SQRT_HALF) {
    m *= 2;
    e--;
  }
  while (m >= 2 * SQRT_HALF) {
    m /= 2;
    e++;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let term = s;
  let sum = 0;
  for (let k = 0; k < 15; k++) {
    sum += term / (2 * k + 1);
    term *= s2;
  }
  return e * LN2 + 2 * sum;
}

const TWO_PI = 6.283185307179586;

/**
 * cos(2π·u) for u in [0, 1), from +, ×, ÷ only. u is reduced exactly to
 * f in [0, 1/8] by quarter-turn symmetries (exact for dyadic u), then a
 * Taylor series on |2πf| ≤ π/4 to the 20th power (error < 1e-16).
 */
export function detCos2Pi(u: number): number {
  if (!(u >= 0 && u < 1)) {
    throw new RangeError(`detCos2Pi: expected u in [0, 1), got ${u}`);
  }
  const quadrant = Math.floor(u * 4);
  let f = u - quadrant / 4; // in [0, 1/4)
  // cos over one quarter turn, by quadrant: cos, −sin, −cos, sin of 2πf.
  let useSin = quadrant === 1 || quadrant === 3;
  const sign = quadrant === 1 || quadrant === 2 ? -1 : 1;
  if (f > 0.125) {
    f = 0.25 - f;
    useSin = !useSin;
  }
  const a = TWO_PI * f;
  return sign * (useSin ? taylorSin(a) : taylorCos(a));
}

function taylorCos(a: number): number {
  const a2 = a * a;
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= 10; k++) {
    term *= -a2 / ((2 * k - 1) * (2 * k));
    sum += term;
  }
  return sum;
}

function taylorSin(a: number): number {
  const a2 = a * a;
  let term = a;
  let sum = a;
  for (let k = 1; k <= 10; k++) {
    term *= -a2 / ((2 * k) * (2 * k + 1));
    sum += term;
  }
  return sum;
}
