/**
 * MNIST and Fashion-MNIST from their IDX files. Where the files come from,
 * in order: `dataDir` (`--data-dir`); for Fashion-MNIST the Debian package's
 * folder; the cache folder; else a verified download into the cache.
 *
 * @module
 */
import { join } from "node:path";
import { DataError } from "./errors.ts";
import { readIdxFile } from "./idx.ts";
import {
  defaultCacheDir,
  DownloadFailed,
  type DownloadProgress,
  downloadVerified,
  env,
} from "./download.ts";
import { bytesToUnit, type ImageSet, padImages } from "./images.ts";
import type { DataOptions } from "./options.ts";
import { ProgressBar } from "./progress.ts";

/** Where an IDX dataset lives and how to check it. */
export interface IdxDatasetSpec {
  /** The `--dataset` name; also the sub-folder in the cache and on a mirror. */
  name: string;
  classNames: string[];
  /** Upstream folder holding the gzipped files. */
  url: string;
  /** A Debian package that installs the files, and where. */
  debian?: { package: string; dir: string };
  /** Published MD5 of each gzipped file (torchvision's list). */
  md5: Record<string, string>;
}

/** The two IDX datasets we know. */
export const IDX_DATASETS: Record<"mnist" | "fashion-mnist", IdxDatasetSpec> = {
  "fashion-mnist": {
    name: "fashion-mnist",
    classNames: [
      "T-shirt/top",
      "Trouser",
      "Pullover",
      "Dress",
      "Coat",
      "Sandal",
      "Shirt",
      "Sneaker",
      "Bag",
      "Ankle boot",
    ],
    // The address of the zalandoresearch/fashion-mnist README's download links.
    url: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    debian: {
      package: "dataset-fashion-mnist",
      dir: "/usr/share/datasets/fashion-mnist",
    },
    md5: {
      "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
      "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
      "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
      "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
  },
  mnist: {
    name: "mnist",
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    // torchvision's mirror (LeCun's own site now refuses plain downloads).
    url: "https://ossci-datasets.s3.amazonaws.com/mnist/",
    md5: {
      "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
      "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
      "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
      "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
  },
};

/** A split of an IDX dataset: training ("train") or evaluation ("test"). */
export type Split = "train" | "test";

/** Base names of each split's files (each may be gzipped: name + ".gz"). */
export const SPLIT_FILES: Record<Split, { images: string; labels: string }> = {
  train: {
    images: "train-images-idx3-ubyte",
    labels: "train-labels-idx1-ubyte",
  },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
};

const SIDE = 28;

/** `dir`'s copy of `base`, gzipped or not; null when it has neither. */
async function findFile(dir: string, base: string): Promise<string | null> {
  for (const name of [`${base}.gz`, base]) {
    const path = join(dir, name);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return null;
}

/** Both files of `split` in `dir`, or null when either is missing. */
async function findSplit(
  dir: string,
  split: Split,
): Promise<{ images: string; labels: string } | null> {
  const images = await findFile(dir, SPLIT_FILES[split].images);
  const labels = await findFile(dir, SPLIT_FILES[split].labels);
  return images && labels ? { images, labels } : null;
}

/** The error for data found nowhere, naming every fix. */
export function missingDataMessage(
  spec: IdxDatasetSpec,
  split: Split,
  looked: string[],
  downloadProblem: string,
): string {
  const { images, labels } = SPLIT_FILES[split];
  const fixes = [
    `pass --data-dir DIR, a folder holding ${images}.gz and ${labels}.gz (gzipped or not)`,
    spec.debian
      ? `apt-get install ${spec.debian.package} (installs ${spec.debian.dir})`
      : `apt-get install dataset-fashion-mnist and train on --dataset fashion-mnist ` +
        `instead (no Debian package carries ${spec.name})`,
    `allow the download: run with --allow-net and network access to ${spec.url}, ` +
    `or set GAN_EDGE_DATA_MIRROR to a mirror serving ${spec.name}/<file>`,
  ];
  return [
    `${spec.name}: no ${split} data found (looked in ${looked.join(", ")}); ` +
    `download: ${downloadProblem}.`,
    "Fix it in one of three ways:",
    ...fixes.map((f, i) => `  ${i + 1}. ${f}`),
  ].join("\n");
}

/** Downloads `split`'s files into `dir`, with a progress bar by default. */
async function downloadSplit(
  spec: IdxDatasetSpec,
  split: Split,
  dir: string,
  base: string,
  onProgress?: (progress: DownloadProgress) => void,
): Promise<void> {
  for (const name of Object.values(SPLIT_FILES[split])) {
    const file = `${name}.gz`;
    const md5 = spec.md5[file];
    if (!md5) {
      throw new DataError(`${spec.name}: no checksum known for ${file}`);
    }
    let bar: ProgressBar | undefined;
    let received = 0;
    const report = onProgress ?? ((p: DownloadProgress) => {
      bar ??= new ProgressBar(`${spec.name}/${file}`, p.total);
      received = p.received;
      if (p.done) bar.finish(p.received);
      else bar.update(p.received);
    });
    try {
      await downloadVerified(new URL(file, base).href, join(dir, file), md5, report);
    } catch (e) {
      bar?.finish(received); // ends the bar's line where the download stopped
      throw e;
    }
  }
}

/** The files of `split`, downloading them when found nowhere. */
export async function locateIdxSplit(
  spec: IdxDatasetSpec,
  split: Split,
  options: DataOptions = {},
): Promise<{ images: string; labels: string }> {
  if (options.dataDir !== undefined) {
    // An explicit folder is never silently skipped for another copy.
    const found = await findSplit(options.dataDir, split);
    if (found) return found;
    const { images, labels } = SPLIT_FILES[split];
    throw new DataError(
      `${spec.name}: --data-dir ${options.dataDir} has no ${images}[.gz] and ${labels}[.gz]; ` +
        `expected the ${split} IDX files of ${spec.name} there`,
    );
  }
  const cache = join(options.cacheDir ?? defaultCacheDir(), spec.name);
  const dirs = [...(spec.debian ? [spec.debian.dir] : []), cache];
  for (const dir of dirs) {
    const found = await findSplit(dir, split);
    if (found) return found;
  }
  const mirror = options.mirror ?? env("GAN_EDGE_DATA_MIRROR");
  const base = mirror ? `${mirror.replace(/\/+$/, "")}/${spec.name}/` : spec.url;
  let problem = "turned off";
  if (options.download !== false) {
    try {
      await downloadSplit(spec, split, cache, base, options.onProgress);
      const found = await findSplit(cache, split);
      if (found) return found;
    } catch (e) {
      if (!(e instanceof DownloadFailed)) throw e;
      problem = e.message;
    }
  }
  throw new DataError(missingDataMessage(spec, split, dirs, problem));
}

/**
 * One split of MNIST or Fashion-MNIST (or another IDX dataset `spec`) as an
 * {@link ImageSet}: 28×28×1, or 32×32×1 padded with the background −1 when
 * `options.imageSize` is 32; labels 0..9. `train` is for training, `test` for
 * evaluation.
 */
export async function loadIdxDataset(
  dataset: "mnist" | "fashion-mnist" | IdxDatasetSpec,
  split: Split,
  options: DataOptions = {},
): Promise<ImageSet> {
  const spec = typeof dataset === "string" ? IDX_DATASETS[dataset] : dataset;
  const size = options.imageSize ?? SIDE;
  if (size !== 28 && size !== 32) {
    throw new DataError(
      `${spec.name}: image size ${size} is not supported; expected 28, or 32 (padded)`,
    );
  }
  const files = await locateIdxSplit(spec, split, options);
  const [images, labels] = await Promise.all([
    readIdxFile(files.images, 3),
    readIdxFile(files.labels, 1),
  ]);
  const [count, rows, cols] = images.dims;
  if (rows !== SIDE || cols !== SIDE) {
    throw new DataError(
      `${files.images}: images are ${rows}×${cols}; expected ${SIDE}×${SIDE}`,
    );
  }
  if (count === 0) throw new DataError(`${files.images}: holds no images`);
  if (labels.dims[0] !== count) {
    throw new DataError(
      `${files.labels} has ${labels.dims[0]} labels but ${files.images} has ` +
        `${count} images; expected one label per image`,
    );
  }
  const classes = spec.classNames.length;
  const bad = labels.data.findIndex((l) => l >= classes);
  if (bad >= 0) {
    throw new DataError(
      `${files.labels}: label ${labels.data[bad]} at index ${bad} is outside 0..${classes - 1}`,
    );
  }
  let x = bytesToUnit(images.data);
  if (size === 32) x = padImages(x, count, SIDE, 2);
  return {
    x,
    count,
    height: size,
    width: size,
    channels: 1,
    labels: Int32Array.from(labels.data),
    classNames: spec.classNames,
  };
}
