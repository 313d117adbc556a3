/**
 * Diversity in pixel space, where a collapsed generator cannot hide behind a
 * feature extractor: images are vectors in [0, 1]^d (28×28: d = 784), and
 * every figure comes with the same figure for real test images beside it.
 *
 * - Near-duplicate rate: the share of samples whose nearest other sample
 *   lies closer than a threshold (pixel L2). Partial mode collapse shows as
 *   twins from unrelated latents.
 * - Within-class diversity: the mean pairwise distance between the samples
 *   of each class (by conditioning label, or the classifier's prediction for
 *   an unconditional model; real images by their true label).
 * - k-NN precision and recall (./prdc.ts) on the pixels themselves, beside
 *   the same measures in the classifier's features.
 *
 * The threshold, L2 < 1.0 on [0, 1] images, sits below the nearest
 * neighbours of real data: a distance of 1 is, for example, 16 of 784 pixels
 * off by 0.25 each. Among Fashion-MNIST's 10,000 test images the
 * nearest-neighbour distance has median 3.91 and 1st percentile 1.85, and 4
 * images (0.04 %) have a neighbour under 1.0 (`deno task eval` on the
 * shipped model prints these beside the generated samples' figures, so a
 * reader sees where the threshold falls for any dataset).
 *
 * @module
 */
import { forEachDistanceChunk, nearestNeighbourRadii, type Rows } from "./distances.ts";
import { DEFAULT_K, type PrdcReport, precisionRecall } from "./prdc.ts";

/** Pixel L2 on [0, 1] images below which two images count as near-duplicates. */
export const DUPLICATE_THRESHOLD = 1.0;

/** Share of `nearest` (distances, not squared) below `threshold`. */
export function nearDuplicateRate(nearest: ArrayLike<number>, threshold: number): number {
  if (nearest.length === 0) throw new RangeError("near-duplicate rate: no samples");
  let twins = 0;
  for (let i = 0; i < nearest.length; i++) if (nearest[i] < threshold) twins++;
  return twins / nearest.length;
}

/** The q-quantile of `xs` (0 ≤ q ≤ 1), linear between order statistics. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) throw new RangeError("quantile: no values");
  const sorted = Float64Array.from(xs).sort();
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Mean Euclidean distance over the pairs of distinct rows of each class
 * 0…classes−1 (`labels[i]` is row i's class); NaN for a class with fewer
 * than 2 rows.
 */
export async function withinClassDistances(
  x: Rows,
  labels: ArrayLike<number>,
  classes: number,
): Promise<number[]> {
  const n = x.x.length / x.dim;
  if (labels.length < n) {
    throw new RangeError(`within-class: ${labels.length} labels for ${n} rows`);
  }
  const members: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) members[labels[i]].push(i);
  const out: number[] = [];
  for (const rows of members) {
    const m = rows.length;
    if (m < 2) {
      out.push(NaN);
      continue;
    }
    const subset = new Float32Array(m * x.dim);
    rows.forEach((r, j) => subset.set(x.x.subarray(r * x.dim, (r + 1) * x.dim), j * x.dim));
    const own = { x: subset, dim: x.dim };
    let sum = 0;
    await forEachDistanceChunk(own, own, (d2, start, count, cols) => {
      for (let j = 0; j < count; j++) {
        for (let i = 0; i < cols; i++) if (i !== start + j) sum += Math.sqrt(d2[j * cols + i]);
      }
    });
    out.push(sum / (m * (m - 1)));
  }
  return out;
}

/** Mean of the finite values (the classes that have one). */
function meanFinite(xs: number[]): number {
  const finite = xs.filter(Number.isFinite);
  return finite.reduce((a, b) => a + b, 0) / finite.length;
}

/** A set of images for {@link pixelDiversity}: [0, 1] pixels and a class per image. */
export interface LabelledRows extends Rows {
  labels: ArrayLike<number>;
}

/** What {@link pixelDiversity} measures: each generated figure beside the real one. */
export interface PixelReport {
  scale: "[0, 1]";
  nearDuplicates: {
    threshold: number;
    /** Share of generated samples with a twin among the other generated samples. */
    generated: number;
    /** The same among the real test images. */
    real: number;
    /** Median distance to the nearest other sample. */
    medianNearest: { generated: number; real: number };
    /** 1st percentile of the distance to the nearest other sample. */
    p01Nearest: { generated: number; real: number };
  };
  withinClass: {
    /** What groups the generated samples into classes. */
    by: "conditioning label" | "classifier prediction";
    /** Mean pairwise distance per class. */
    generated: number[];
    real: number[];
    /** Means over the classes. */
    generatedMean: number;
    realMean: number;
  };
  /** k-NN precision and recall with pixels as the features. */
  prdc: PrdcReport;
  /**
   * The same with training images in the generator's place: what two real
   * samples of the data score (the measure's ceiling); null if not asked.
   */
  prdcTrainTest: PrdcReport | null;
}

/**
 * Near-duplicates, within-class diversity and k-NN precision/recall of
 * `generated` against `real`, all on [0, 1] pixels; with `train`, also the
 * precision/recall of those real images against `real`. One
 * nearest-neighbour pass per set serves both the duplicates (1st neighbour)
 * and the k-NN balls (k-th).
 */
export async function pixelDiversity(
  generated: LabelledRows,
  real: LabelledRows,
  classes: number,
  by: PixelReport["withinClass"]["by"],
  { threshold = DUPLICATE_THRESHOLD, k = DEFAULT_K, train }: {
    threshold?: number;
    k?: number;
    train?: Rows;
  } = {},
): Promise<PixelReport> {
  const fakeRadii = await nearestNeighbourRadii(generated, k);
  const realRadii = await nearestNeighbourRadii(real, k);
  const nearestFake = fakeRadii[0].map(Math.sqrt);
  const nearestReal = realRadii[0].map(Math.sqrt);
  const prdc = await precisionRecall(real, generated, k, {
    real: realRadii[k - 1],
    fake: fakeRadii[k - 1],
  });
  const prdcTrainTest = train
    ? await precisionRecall(real, train, k, { real: realRadii[k - 1] })
    : null;
  const withinGenerated = await withinClassDistances(generated, generated.labels, classes);
  const withinReal = await withinClassDistances(real, real.labels, classes);
  return {
    scale: "[0, 1]",
    nearDuplicates: {
      threshold,
      generated: nearDuplicateRate(nearestFake, threshold),
      real: nearDuplicateRate(nearestReal, threshold),
      medianNearest: { generated: quantile(nearestFake, 0.5), real: quantile(nearestReal, 0.5) },
      p01Nearest: { generated: quantile(nearestFake, 0.01), real: quantile(nearestReal, 0.01) },
    },
    withinClass: {
      by,
      generated: withinGenerated,
      real: withinReal,
      generatedMean: meanFinite(withinGenerated),
      realMean: meanFinite(withinReal),
    },
    prdc,
    prdcTrainTest,
  };
}
