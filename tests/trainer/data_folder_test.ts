/** `folder:PATH` of PNG images, and the resampling it uses. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Prng } from "../../shared/prng.ts";
import { centerCropSquare, resizeImage } from "../../trainer/data/resize.ts";
import { DataError, loadPngFolder, openDataset } from "../../trainer/data/mod.ts";
import { tempDir, writePng } from "../helpers/data_files.ts";

async function rejects(promise: Promise<unknown>, ...patterns: RegExp[]) {
  await assert.rejects(promise, (e: Error) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${e}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

const close = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

Deno.test("resize: equal sizes are the identity; constants stay constant", () => {
  const src = Float32Array.from({ length: 5 * 7 * 3 }, (_, i) => (i * 37) % 11);
  assert.deepEqual(resizeImage(src, 5, 7, 3, 5, 7), src);
  const flat = new Float32Array(64 * 48).fill(0.25);
  for (const [h, w] of [[28, 28], [32, 32], [100, 90], [3, 5]]) {
    for (const v of resizeImage(flat, 64, 48, 1, h, w)) close(v, 0.25);
  }
});

Deno.test("resize: halving uses triangle taps (PIL/torchvision antialiased bilinear)", () => {
  // An impulse at x = 3 of 8 pixels, halved: output 1 (centre 3) weighs
  // pixels 1..4 by 1/8, 3/8, 3/8, 1/8; output 0 clamps at the border to 3/7, 3/7, 1/7.
  const impulse = (at: number) => Float32Array.from({ length: 8 }, (_, i) => (i === at ? 1 : 0));
  close(resizeImage(impulse(3), 1, 8, 1, 1, 4)[1], 3 / 8);
  close(resizeImage(impulse(4), 1, 8, 1, 1, 4)[1], 1 / 8);
  close(resizeImage(impulse(1), 1, 8, 1, 1, 4)[0], 3 / 7);
  close(resizeImage(impulse(2), 1, 8, 1, 1, 4)[0], 1 / 7);
  // Separable: the same taps down the rows (a 1-wide column image).
  close(resizeImage(impulse(3), 8, 1, 1, 4, 1)[1], 3 / 8);
});

Deno.test("resize: doubling interpolates linearly, clamping at the edges", () => {
  const up = resizeImage(Float32Array.of(0, 1, 2, 3), 1, 4, 1, 1, 8);
  for (let i = 1; i < 6; i++) close(up[i + 1] - up[i], 0.5);
  close(up[0], 0);
  close(up[7], 3);
});

Deno.test("center crop keeps the middle square", () => {
  const src = Float32Array.from({ length: 2 * 4 }, (_, i) => i); // 2 rows × 4
  const { image, side } = centerCropSquare(src, 2, 4, 1);
  assert.equal(side, 2);
  assert.deepEqual(Array.from(image), [1, 2, 5, 6]);
});

Deno.test("folder: grayscale PNGs load at 28×28, scaled to [-1, 1]", async () => {
  const dir = await tempDir("pngs");
  for (let i = 0; i < 3; i++) {
    await writePng(join(dir, `img${i}.png`), 28, 28, 1, (x, y) => (x * 9 + y + i) % 256);
  }
  await Deno.writeTextFile(join(dir, ".DS_Store"), "hidden files are skipped");
  const set = await loadPngFolder(dir);
  assert.deepEqual([set.count, set.height, set.width, set.channels], [3, 28, 28, 1]);
  assert.equal(set.labels, undefined);
  // Sorted by name; 28 → 28 copies pixels: v / 255 · 2 − 1.
  close(set.x[2 * 784 + 5 * 28 + 7], ((7 * 9 + 5 + 2) / 255) * 2 - 1);
  const data = await openDataset(`folder:${dir}`);
  assert.equal(data.name, `folder:${dir}`);
  assert.equal(data.size, 3);
  assert.deepEqual(data.output, {
    kind: "image",
    height: 28,
    width: 28,
    channels: 1,
    range: [-1, 1],
  });
  assert.equal(data.classNames, undefined);
  const batch = data.batch(new Prng(3), 5);
  assert.equal(batch.x.length, 5 * 784);
  assert.equal(batch.labels, undefined);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("folder: 64×64 images resize to 28 and to 32; a flat image stays flat", async () => {
  const dir = await tempDir("pngs");
  await writePng(join(dir, "a.png"), 64, 64, 1, () => 51); // 0.2 → −0.6
  await writePng(join(dir, "b.png"), 64, 64, 1, (x) => (x < 32 ? 0 : 255));
  for (const size of [28, 32]) {
    const set = await loadPngFolder(dir, { imageSize: size });
    assert.deepEqual([set.count, set.height, set.width], [2, size, size]);
    for (let k = 0; k < size * size; k++) close(set.x[k], 51 / 127.5 - 1);
    // The half-black, half-white image keeps its two halves.
    const row = set.x.subarray(size * size, size * size + size);
    close(row[0], -1);
    close(row[size - 1], 1);
    for (const v of set.x) assert.ok(v >= -1 && v <= 1);
  }
  const data = await openDataset(`folder:${dir}`, { imageSize: 32 });
  assert.equal(data.output.kind === "image" && data.output.height, 32);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("folder: channels follow the first image; alpha is dropped", async () => {
  const dir = await tempDir("pngs");
  // a.png is RGBA, so the set is RGB; b.png (gray) is copied to 3 channels.
  await writePng(join(dir, "a.png"), 8, 8, 4, (_x, _y, c) => [255, 0, 51, 7][c]);
  await writePng(join(dir, "b.png"), 8, 8, 1, () => 255);
  // 16-bit RGB and a palette image decode too.
  await writePng(join(dir, "c.png"), 8, 8, 3, (_x, _y, c) => [0, 65535, 0][c], { depth: 16 });
  await writePng(join(dir, "d.png"), 8, 8, 1, (x) => x % 2, {
    palette: [[0, 0, 255], [255, 255, 0]],
  });
  const rgb = await loadPngFolder(dir, { imageSize: 8 });
  assert.equal(rgb.channels, 3);
  assert.deepEqual(Array.from(rgb.x.subarray(0, 3)), [1, -1, 51 / 127.5 - 1].map(Math.fround));
  assert.deepEqual(Array.from(rgb.x.subarray(192, 195)), [1, 1, 1]);
  assert.deepEqual(Array.from(rgb.x.subarray(384, 387)), [-1, 1, -1]);
  assert.deepEqual(Array.from(rgb.x.subarray(576, 582)), [-1, -1, 1, 1, 1, -1]);

  // The other way round: a gray first image makes RGB ones gray (BT.601 luma).
  const gray = await tempDir("pngs");
  await writePng(join(gray, "a.png"), 4, 4, 2, (_x, _y, c) => [0, 255][c]); // gray + alpha
  await writePng(join(gray, "b.png"), 4, 4, 3, (_x, _y, c) => [255, 0, 0][c]);
  const set = await loadPngFolder(gray, { imageSize: 4 });
  assert.equal(set.channels, 1);
  close(set.x[0], -1);
  close(set.x[16], 0.299 * 2 - 1);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(gray, { recursive: true });
});

Deno.test("folder: mixed sizes are an error naming the odd file and both sizes", async () => {
  const dir = await tempDir("pngs");
  await writePng(join(dir, "a.png"), 28, 28, 1, () => 0);
  await writePng(join(dir, "b.png"), 28, 28, 1, () => 0);
  await writePng(join(dir, "c.png"), 30, 20, 1, () => 0);
  await rejects(
    openDataset(`folder:${dir}`),
    new RegExp(
      `${dir}/c\\.png is 30×20 but ${dir}/a\\.png is 28×28; expected every image the same size`,
    ),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("folder: a non-PNG file is an error naming it", async () => {
  const dir = await tempDir("pngs");
  await writePng(join(dir, "a.png"), 4, 4, 1, () => 0);
  await Deno.writeTextFile(join(dir, "notes.txt"), "hello");
  await rejects(
    loadPngFolder(dir),
    new RegExp(
      `${dir}/notes\\.txt: not a PNG file \\(starts with 68 65 6c 6c 6f; a PNG starts with 89 50 4e 47`,
    ),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("folder: a corrupt PNG is an error naming it", async () => {
  const dir = await tempDir("pngs");
  await writePng(join(dir, "a.png"), 16, 16, 1, (x, y) => x * y);
  const bytes = await Deno.readFile(join(dir, "a.png"));
  await Deno.writeFile(join(dir, "a.png"), bytes.subarray(0, 50));
  await rejects(loadPngFolder(dir), new RegExp(`${dir}/a\\.png: corrupt PNG \\(`));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("folder: an empty, missing or nested folder is an error", async () => {
  const dir = await tempDir("pngs");
  await rejects(
    openDataset(`folder:${dir}`),
    new RegExp(`folder:${dir}: the folder ${dir} is empty; expected PNG images`),
  );
  await rejects(openDataset(`folder:${dir}/nope`), /no such folder .*\/nope/);
  await Deno.mkdir(join(dir, "cats"));
  await rejects(openDataset(`folder:${dir}`), /\/cats is a folder; expected only PNG files/);
  await rejects(openDataset("folder:"), /expected a folder after the colon/);
  await Deno.remove(dir, { recursive: true });
});
