/**
 * Training data sources behind one interface, chosen by `--dataset`:
 *
 * - `ring8`, `grid25`: the mode-collapse mixtures (endless, 2-D points);
 * - `fashion-mnist`, `mnist`: IDX files (see {@link loadIdxDataset} for
 *   where they are looked for), 28×28×1 or 32×32×1 images, labels 0..9;
 * - `folder:PATH`: a folder of PNG images (see {@link loadPngFolder}).
 *
 * Images are NHWC float32 in [−1, 1]. Bad or missing data throws a
 * {@link DataError} whose message names the file and the problem.
 *
 * @module
 */
import { DataError } from "./errors.ts";
import type { DataSource } from "./source.ts";
import type { DataOptions } from "./options.ts";
import { loadPngFolder } from "./folder.ts";
import { imageDataSource } from "./images.ts";
import { IDX_DATASETS, loadIdxDataset } from "./mnist.ts";
import { MIXTURES, sampleMixture } from "./toy.ts";

export { DataError } from "./errors.ts";
export type { Batch, DataSource } from "./source.ts";
export { imageDataSource, type ImageSet } from "./images.ts";
export { IDX_DATASETS, type IdxDatasetSpec, loadIdxDataset, type Split } from "./mnist.ts";
export { loadPngFolder } from "./folder.ts";
export type { DownloadProgress } from "./download.ts";
export type { DataOptions } from "./options.ts";

/** The names `openDataset` accepts, besides `folder:PATH`. */
export const DATASET_NAMES = [
  "ring8",
  "grid25",
  "fashion-mnist",
  "mnist",
] as const;

/** The data source for a `--dataset` value. */
export async function openDataset(
  name: string,
  options: DataOptions = {},
): Promise<DataSource> {
  if (name === "ring8" || name === "grid25") {
    const mixture = MIXTURES[name];
    return {
      name,
      output: { kind: "points", dim: 2 },
      scale: mixture.scale,
      size: null,
      batch: (prng, n) => ({ x: sampleMixture(mixture, prng, n) }),
    };
  }
  if (name === "mnist" || name === "fashion-mnist") {
    const set = await loadIdxDataset(IDX_DATASETS[name], "train", options);
    return imageDataSource(name, set);
  }
  if (name.startsWith("folder:")) {
    const dir = name.slice("folder:".length);
    if (dir === "") {
      throw new DataError(
        "--dataset folder: expected a folder after the colon, e.g. folder:images/",
      );
    }
    return imageDataSource(name, await loadPngFolder(dir, options));
  }
  throw new DataError(
    `--dataset: unknown dataset "${name}"; expected one of ${
      DATASET_NAMES.join(", ")
    } or folder:PATH`,
  );
}
