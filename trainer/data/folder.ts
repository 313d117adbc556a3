/**
 * `folder:PATH`: a folder of PNG images, all the same size, as an unlabelled
 * {@link ImageSet} at the model's size. The first image (by file name)
 * decides the channels: grayscale (with or without alpha) gives 1 channel,
 * colour or palette gives 3; every other image is converted to match (RGB to
 * gray by BT.601 luma, gray to RGB by copying). Alpha is dropped, not
 * composited. Non-square images are centre-cropped, then resized.
 *
 * @module
 */
import { convertIndexedToRgb, decode, type DecodedPng, hasPngSignature } from "fast-png";
import { join } from "node:path";
import { DataError } from "./errors.ts";
import type { ImageSet } from "./images.ts";
import { centerCropSquare, resizeImage } from "./resize.ts";

/** Decoded pixels in [0, 1], HWC, with alpha removed. */
interface Pixels {
  data: Float32Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** One PNG's colour samples in [0, 1], unpacking 1/2/4-bit rows and palettes. */
export function pngPixels(png: DecodedPng): Pixels {
  const { width, height } = png;
  let data = png.data;
  let channels = png.channels;
  let depth: number = png.depth;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    channels = png.palette[0].length;
    depth = 8;
  }
  const max = 2 ** depth - 1;
  const color = channels >= 3 ? 3 : 1;
  const out = new Float32Array(width * height * color);
  // Rows of sub-byte samples are packed and padded to whole bytes.
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const sample = depth >= 8
    ? (y: number, i: number) => data[y * width * channels + i]
    : (y: number, i: number) => {
      const bit = i * depth;
      const byte = data[y * rowBytes + (bit >> 3)];
      return (byte >> (8 - depth - (bit & 7))) & max;
    };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < color; c++) {
        out[(y * width + x) * color + c] = sample(y, x * channels + c) / max;
      }
    }
  }
  return { data: out, width, height, channels: color };
}

/** `pixels` with `channels` channels: luma for gray, copies for RGB. */
function toChannels(pixels: Pixels, channels: 1 | 3): Float32Array {
  if (pixels.channels === channels) return pixels.data;
  const n = pixels.width * pixels.height;
  const out = new Float32Array(n * channels);
  const src = pixels.data;
  for (let i = 0; i < n; i++) {
    if (channels === 1) {
      out[i] = 0.299 * src[3 * i] + 0.587 * src[3 * i + 1] +
        0.114 * src[3 * i + 2];
    } else out.fill(src[i], 3 * i, 3 * i + 3);
  }
  return out;
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(
    " ",
  );

/** Reads and decodes one PNG, naming the file in every error. */
async function readPng(path: string): Promise<Pixels> {
  const bytes = await Deno.readFile(path);
  if (!hasPngSignature(bytes)) {
    throw new DataError(
      `${path}: not a PNG file (starts with ${hex(bytes) || "nothing"}; ` +
        `a PNG starts with 89 50 4e 47 0d 0a 1a 0a)`,
    );
  }
  try {
    return pngPixels(decode(bytes));
  } catch (e) {
    throw new DataError(`${path}: corrupt PNG (${(e as Error).message})`);
  }
}

/** The PNG files of `dir`, sorted by name; hidden files are skipped. */
async function listImages(dir: string, label: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory) {
        throw new DataError(
          `${label}: ${join(dir, entry.name)} is a folder; expected only PNG files`,
        );
      }
      names.push(entry.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataError(`${label}: no such folder ${dir}`);
    }
    if (e instanceof Deno.errors.NotADirectory) {
      throw new DataError(
        `${label}: ${dir} is a file; expected a folder of PNG images`,
      );
    }
    throw e;
  }
  if (names.length === 0) {
    throw new DataError(
      `${label}: the folder ${dir} is empty; expected PNG images`,
    );
  }
  return names.sort().map((name) => join(dir, name));
}

/**
 * Every PNG in `dir` at `imageSize`×`imageSize` (default 28), in [−1, 1].
 * Throws a {@link DataError} naming the file for a non-PNG or corrupt file,
 * and naming the odd file and both sizes when sizes differ.
 */
export async function loadPngFolder(
  dir: string,
  options: { imageSize?: number } = {},
): Promise<ImageSet> {
  const label = `folder:${dir}`;
  const size = options.imageSize ?? 28;
  if (!Number.isInteger(size) || size < 1) {
    throw new DataError(
      `${label}: image size ${size}; expected a positive integer`,
    );
  }
  const paths = await listImages(dir, label);
  const first = await readPng(paths[0]);
  const { width, height, channels } = first;
  const stride = size * size * channels;
  const x = new Float32Array(paths.length * stride);
  for (let i = 0; i < paths.length; i++) {
    const pixels = i === 0 ? first : await readPng(paths[i]);
    if (pixels.width !== width || pixels.height !== height) {
      throw new DataError(
        `${label}: ${paths[i]} is ${pixels.width}×${pixels.height} but ` +
          `${paths[0]} is ${width}×${height}; expected every image the same size`,
      );
    }
    const cropped = centerCropSquare(
      toChannels(pixels, channels),
      height,
      width,
      channels,
    );
    const resized = resizeImage(
      cropped.image,
      cropped.side,
      cropped.side,
      channels,
      size,
      size,
    );
    for (let k = 0; k < stride; k++) x[i * stride + k] = resized[k] * 2 - 1;
  }
  return { x, count: paths.length, height: size, width: size, channels };
}
