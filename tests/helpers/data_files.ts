/** Builders of small synthetic IDX and PNG files for the data tests. */
import { join } from "node:path";

/** An IDX file of unsigned bytes with the given dimensions. */
export function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, header);
  return out;
}

/** Gzips with the web-standard CompressionStream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Pixel p of synthetic image i: a pattern that covers 0..255. */
export const pixel = (i: number, p: number) => (i * 31 + p * 7) % 256;

/** Hash-like pixels that gzip cannot shrink much (for download tests). */
export function noisyPixel(i: number, p: number): number {
  // MurmurHash3's 32-bit finalizer of the pixel's index.
  let h = i * 784 + p;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0xff;
}

/** `count` synthetic 28×28 images and their labels (i mod 10), as IDX bytes. */
export function syntheticSplit(
  count: number,
  pixelOf: (i: number, p: number) => number = pixel,
): { images: Uint8Array; labels: Uint8Array } {
  const data = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < 784; p++) data[i * 784 + p] = pixelOf(i, p);
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return {
    images: idxBytes([count, 28, 28], data),
    labels: idxBytes([count], labels),
  };
}

/**
 * Writes a synthetic split's two files into `dir` under the standard names
 * (`train-images-idx3-ubyte[.gz]`, …); returns their paths.
 */
export async function writeSplit(
  dir: string,
  options: { split?: "train" | "test"; count?: number; gz?: boolean } = {},
): Promise<{ images: string; labels: string }> {
  const prefix = options.split === "test" ? "t10k" : "train";
  const { images, labels } = syntheticSplit(options.count ?? 20);
  const ext = options.gz ? ".gz" : "";
  const paths = {
    images: join(dir, `${prefix}-images-idx3-ubyte${ext}`),
    labels: join(dir, `${prefix}-labels-idx1-ubyte${ext}`),
  };
  await Deno.writeFile(paths.images, options.gz ? await gzip(images) : images);
  await Deno.writeFile(paths.labels, options.gz ? await gzip(labels) : labels);
  return paths;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** PNG colour types by samples per pixel (gray, gray+alpha, RGB, RGBA). */
const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/**
 * A minimal PNG encoder (independent of the decoder under test): `channels`
 * 1–4 samples per pixel of `depth` 8 or 16 bits, or a palette image when
 * `palette` (RGB triples) is given and samples are indices.
 */
export async function encodePng(
  width: number,
  height: number,
  channels: number,
  samples: (x: number, y: number, c: number) => number,
  options: { depth?: 8 | 16; palette?: number[][] } = {},
): Promise<Uint8Array> {
  const depth = options.depth ?? 8;
  const bytesPerSample = depth / 8;
  const rowBytes = width * channels * bytesPerSample;
  const raw = new Uint8Array(height * (rowBytes + 1)); // filter byte 0 per row
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = samples(x, y, c);
        const at = y * (rowBytes + 1) + 1 + (x * channels + c) * bytesPerSample;
        if (depth === 16) raw.set([v >> 8, v & 0xff], at);
        else raw[at] = v;
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = depth;
  ihdr[9] = options.palette ? 3 : COLOR_TYPE[channels];
  const zlib = new Blob([raw]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  const idat = new Uint8Array(await new Response(zlib).arrayBuffer());
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    ...(options.palette ? [chunk("PLTE", Uint8Array.from(options.palette.flat()))] : []),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Writes a PNG made by {@link encodePng}. */
export async function writePng(
  path: string,
  width: number,
  height: number,
  channels: number,
  samples: (x: number, y: number, c: number) => number,
  options: { depth?: 8 | 16; palette?: number[][] } = {},
): Promise<void> {
  await Deno.writeFile(
    path,
    await encodePng(width, height, channels, samples, options),
  );
}

/** A fresh temporary folder for one test. */
export function tempDir(prefix: string): Promise<string> {
  return Deno.makeTempDir({ prefix: `gan-edge-${prefix}-` });
}
