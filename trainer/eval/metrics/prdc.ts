/**
 * k-NN precision and recall (Kynkäänniemi et al. 2019, "Improved Precision
 * and Recall Metric for Assessing Generative Models"), plus density and
 * coverage (Naeem et al. 2020), which fall out of the same distances.
 *
 * Each real feature vector gets a ball whose radius is the distance to its
 * k-th nearest other real vector (likewise for the fakes):
 *
 * - precision: fraction of fakes inside at least one real ball (quality);
 * - recall: fraction of reals inside at least one fake ball (diversity);
 * - density: mean number of real balls holding a fake, divided by k;
 * - coverage: fraction of real balls holding at least one fake.
 *
 * Distances come from tfjs matMuls in chunks (./distances.ts); the k-th
 * neighbour selection and the ball tests run in JS on each chunk.
 *
 * @module
 */
import { forEachDistanceChunk, kthNeighbourRadii, type Rows } from "./distances.ts";

/** The paper's neighbourhood size. */
export const DEFAULT_K = 3;

/** Precision, recall, density and coverage of fakes against reals. */
export interface PrdcReport {
  k: number;
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  real: number;
  fake: number;
}

/**
 * For each row of `points`, how many balls (centres `centres`, squared radii
 * `radii2`) hold it; and for each ball, whether any point falls in it.
 */
async function ballCounts(
  points: Rows,
  centres: Rows,
  radii2: Float32Array,
): Promise<{ inside: Int32Array; hit: Uint8Array }> {
  const inside = new Int32Array(points.x.length / points.dim);
  const hit = new Uint8Array(centres.x.length / centres.dim);
  await forEachDistanceChunk(points, centres, (d2, start, rows, n) => {
    for (let j = 0; j < rows; j++) {
      let count = 0;
      const row = j * n;
      for (let i = 0; i < n; i++) {
        if (d2[row + i] <= radii2[i]) {
          count++;
          hit[i] = 1;
        }
      }
      inside[start + j] = count;
    }
  });
  return { inside, hit };
}

/**
 * Precision, recall, density and coverage of `fake` against `real` features.
 * `radii` may hand in each set's squared k-th neighbour distances when the
 * caller has them already (nearestNeighbourRadii of ./distances.ts).
 */
export async function precisionRecall(
  real: Rows,
  fake: Rows,
  k = DEFAULT_K,
  radii: { real?: Float32Array; fake?: Float32Array } = {},
): Promise<PrdcReport> {
  if (real.dim !== fake.dim) {
    throw new RangeError(`k-NN: real dim ${real.dim} differs from fake dim ${fake.dim}`);
  }
  const n = real.x.length / real.dim;
  const m = fake.x.length / fake.dim;
  for (const [name, r, rows] of [["real", radii.real, n], ["fake", radii.fake, m]] as const) {
    if (r && r.length !== rows) {
      throw new RangeError(`k-NN: ${r.length} ${name} radii for ${rows} ${name} rows`);
    }
  }
  const realRadii = radii.real ?? await kthNeighbourRadii(real, k);
  const fakeRadii = radii.fake ?? await kthNeighbourRadii(fake, k);
  const fakesInReal = await ballCounts(fake, real, realRadii);
  const realsInFake = await ballCounts(real, fake, fakeRadii);
  let precise = 0;
  let density = 0;
  for (const c of fakesInReal.inside) {
    if (c > 0) precise++;
    density += c;
  }
  let recalled = 0;
  for (const c of realsInFake.inside) if (c > 0) recalled++;
  const covered = fakesInReal.hit.reduce((s, h) => s + h, 0);
  return {
    k,
    precision: precise / m,
    recall: recalled / n,
    density: density / (k * m),
    coverage: covered / n,
    real: n,
    fake: m,
  };
}
