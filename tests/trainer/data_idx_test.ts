/** IDX parsing and the mnist/fashion-mnist loader on small synthetic files. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Prng } from "../../shared/prng.ts";
import { parseIdx } from "../../trainer/data/idx.ts";
import {
  DataError,
  IDX_DATASETS,
  type IdxDatasetSpec,
  loadIdxDataset,
  openDataset,
} from "../../trainer/data/mod.ts";
import {
  gzip,
  idxBytes,
  pixel,
  syntheticSplit,
  tempDir,
  writeSplit,
} from "../helpers/data_files.ts";

/** MNIST's spec with no Debian folder, so only `dataDir` and the cache count. */
const MNIST: IdxDatasetSpec = IDX_DATASETS.mnist;

/** Asserts that `promise` rejects with a DataError matching each pattern. */
async function rejects(promise: Promise<unknown>, ...patterns: RegExp[]) {
  await assert.rejects(promise, (e: Error) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${e}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

Deno.test("parseIdx reads dimensions and data of images and labels", () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const t = parseIdx(idxBytes([2, 3, 4], data), "x", 3);
  assert.deepEqual(t.dims, [2, 3, 4]);
  assert.deepEqual(t.data, data);
  assert.deepEqual(parseIdx(idxBytes([3], data.subarray(0, 3)), "y", 1).dims, [
    3,
  ]);
});

Deno.test("loads a raw split and a gzipped split from dataDir alike", async () => {
  for (const gz of [false, true]) {
    const dir = await tempDir("idx");
    await writeSplit(dir, { count: 20, gz });
    const set = await loadIdxDataset(MNIST, "train", {
      dataDir: dir,
      download: false,
    });
    assert.equal(set.count, 20, `gz=${gz}`);
    assert.deepEqual([set.height, set.width, set.channels], [28, 28, 1]);
    assert.equal(set.x.length, 20 * 784);
    // Bytes map linearly onto [−1, 1]: 0 → −1, 255 → 1.
    for (const [i, p] of [[0, 0], [3, 100], [19, 783]]) {
      assert.ok(
        Math.abs(set.x[i * 784 + p] - (pixel(i, p) / 127.5 - 1)) < 1e-6,
      );
    }
    assert.deepEqual(
      Array.from(set.labels!),
      Array.from({ length: 20 }, (_, i) => i % 10),
    );
    assert.deepEqual(set.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the test split loads from t10k files; imageSize 32 pads with −1", async () => {
  const dir = await tempDir("idx");
  await writeSplit(dir, { split: "test", count: 5, gz: true });
  const set = await loadIdxDataset("mnist", "test", {
    dataDir: dir,
    imageSize: 32,
  });
  assert.deepEqual([set.count, set.height, set.width], [5, 32, 32]);
  assert.equal(set.x.length, 5 * 32 * 32);
  // Border rows and columns are background; the 28×28 image sits at (2, 2).
  for (const i of [0, 1, 30, 31]) {
    assert.equal(set.x[4 * 1024 + i], -1); // top rows
    assert.equal(set.x[4 * 1024 + i * 32], -1); // left columns
  }
  assert.ok(Math.abs(set.x[4 * 1024 + 2 * 32 + 2] - (pixel(4, 0) / 127.5 - 1)) < 1e-6);
  assert.ok(Math.abs(set.x[4 * 1024 + 29 * 32 + 29] - (pixel(4, 783) / 127.5 - 1)) < 1e-6);
  await rejects(
    loadIdxDataset("mnist", "test", { dataDir: dir, imageSize: 64 }),
    /mnist: image size 64 is not supported; expected 28, or 32/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("openDataset gives an image source whose batches follow the seed", async () => {
  const dir = await tempDir("idx");
  await writeSplit(dir, { count: 30, gz: true });
  const data = await openDataset("mnist", { dataDir: dir });
  assert.equal(data.size, 30);
  assert.deepEqual(data.output, {
    kind: "image",
    height: 28,
    width: 28,
    channels: 1,
    range: [-1, 1],
  });
  assert.equal(data.classNames?.length, 10);
  const a = data.batch(new Prng(7), 16);
  const b = data.batch(new Prng(7), 16);
  assert.equal(a.x.length, 16 * 784);
  assert.deepEqual(a, b);
  assert.notDeepEqual(data.batch(new Prng(8), 16).labels, a.labels);
  // Each sample is a whole image with its own label: image i starts with
  // pixel(i, 0) = 31·i mod 256 (distinct for i < 30) and has label i mod 10.
  for (let k = 0; k < 16; k++) {
    const first = Math.round((a.x[k * 784] + 1) * 127.5);
    const i = [...Array(30).keys()].find((i) => pixel(i, 0) === first)!;
    assert.equal(a.labels![k], i % 10);
    assert.equal(a.x[k * 784 + 783], Math.fround(pixel(i, 783) / 127.5 - 1));
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a dataDir without the files is an error naming the folder and files", async () => {
  const dir = await tempDir("idx");
  await rejects(
    loadIdxDataset(MNIST, "train", { dataDir: dir }),
    new RegExp(`--data-dir ${dir} has no train-images-idx3-ubyte\\[\\.gz\\]`),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("missing data names the three fixes", async () => {
  const cacheDir = await tempDir("cache");
  const spec = {
    ...IDX_DATASETS["fashion-mnist"],
    debian: {
      package: "dataset-fashion-mnist",
      dir: join(cacheDir, "no-debian"),
    },
  };
  for (
    const [dataset, apt] of [[spec, /apt-get install dataset-fashion-mnist \(installs /], [
      MNIST,
      /apt-get install dataset-fashion-mnist and train on --dataset fashion-mnist/,
    ]] as const
  ) {
    await rejects(
      loadIdxDataset(dataset, "train", { cacheDir, download: false }),
      new RegExp(`${dataset.name}: no train data found \\(looked in .*${dataset.name}\\)`),
      /download: turned off/,
      /Fix it in one of three ways:/,
      /1\. pass --data-dir DIR/,
      apt,
      /3\. allow the download: run with --allow-net .* or set GAN_EDGE_DATA_MIRROR/,
    );
  }
  await Deno.remove(cacheDir, { recursive: true });
});

/** Writes `images`/`labels` bytes as a train split in a fresh folder. */
async function splitDir(images: Uint8Array, labels: Uint8Array): Promise<string> {
  const dir = await tempDir("bad-idx");
  await Deno.writeFile(join(dir, "train-images-idx3-ubyte.gz"), images);
  await Deno.writeFile(join(dir, "train-labels-idx1-ubyte"), labels);
  return dir;
}

/** Loads a split from `dir` expecting a DataError matching `patterns`. */
async function refused(dir: string, ...patterns: RegExp[]) {
  await rejects(loadIdxDataset(MNIST, "train", { dataDir: dir }), ...patterns);
  await Deno.remove(dir, { recursive: true });
}

const good = syntheticSplit(4);
const imagesFile = /train-images-idx3-ubyte\.gz/;

Deno.test("bad IDX: truncated image data", async () => {
  const cut = good.images.subarray(0, good.images.length - 100);
  await refused(
    await splitDir(await gzip(cut), good.labels),
    imagesFile,
    /truncated: header declares 4×28×28 = 3136 bytes of images, found 3036/,
  );
});

Deno.test("bad IDX: truncated header", async () => {
  await refused(
    await splitDir(await gzip(good.images.subarray(0, 10)), good.labels),
    imagesFile,
    /truncated: 10 bytes, shorter than the 16-byte IDX header/,
  );
});

Deno.test("bad IDX: wrong magic number (a labels file where images belong)", async () => {
  await refused(
    await splitDir(await gzip(good.labels), good.labels),
    imagesFile,
    /wrong magic number 0x00000801 \(IDX of unsigned byte, 1 dimension\); expected 0x00000803/,
  );
});

Deno.test("bad IDX: wrong magic number (not an IDX file at all)", async () => {
  const text = new TextEncoder().encode("<html>Not Found</html>");
  await refused(
    await splitDir(await gzip(text), good.labels),
    imagesFile,
    /wrong magic number 0x3c68746d \(not an IDX file\); expected 0x00000803/,
  );
});

Deno.test("bad IDX: image and label counts differ", async () => {
  await refused(
    await splitDir(await gzip(good.images), syntheticSplit(3).labels),
    /train-labels-idx1-ubyte has 3 labels but .*train-images-idx3-ubyte\.gz has 4 images; expected one label per image/,
  );
});

Deno.test("bad IDX: corrupt gzip data", async () => {
  const gz = await gzip(good.images);
  const corrupt = gz.slice();
  corrupt.fill(0xaa, 20, 40);
  await refused(await splitDir(corrupt, good.labels), imagesFile, /corrupt or truncated gzip data/);
});

Deno.test("bad IDX: truncated gzip file", async () => {
  const gz = await gzip(good.images);
  await refused(
    await splitDir(gz.subarray(0, gz.length >> 1), good.labels),
    imagesFile,
    /corrupt or truncated gzip data/,
  );
});

Deno.test("bad IDX: a .gz name holding something else", async () => {
  await refused(
    await splitDir(good.labels, good.labels),
    imagesFile,
    /not gzip data \(expected the bytes 1f 8b, got 00 00\)/,
  );
});

Deno.test("bad IDX: trailing bytes after the data", async () => {
  const long = new Uint8Array(good.labels.length + 3);
  long.set(good.labels);
  await refused(
    await splitDir(await gzip(good.images), long),
    /train-labels-idx1-ubyte: 3 unexpected bytes after the 4 labels/,
  );
});

Deno.test("bad IDX: a label outside 0..9", async () => {
  await refused(
    await splitDir(await gzip(good.images), idxBytes([4], Uint8Array.of(1, 2, 12, 3))),
    /train-labels-idx1-ubyte: label 12 at index 2 is outside 0\.\.9/,
  );
});

Deno.test("bad IDX: images that are not 28×28", async () => {
  await refused(
    await splitDir(
      await gzip(idxBytes([2, 16, 16], new Uint8Array(512))),
      syntheticSplit(2).labels,
    ),
    imagesFile,
    /images are 16×16; expected 28×28/,
  );
});

Deno.test("unknown dataset names list the known ones", async () => {
  await rejects(
    openDataset("cifar"),
    /--dataset: unknown dataset "cifar"; expected one of ring8, grid25, fashion-mnist, mnist or folder:PATH/,
  );
  const ring = await openDataset("ring8");
  assert.equal(ring.size, null);
  assert.equal(ring.batch(new Prng(1), 5).x.length, 10);
});
