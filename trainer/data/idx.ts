/**
 * IDX files (LeCun's MNIST format): reading, gunzipping and strict parsing.
 * Every check says which file is bad and what was expected.
 *
 * @module
 */
import { DataError } from "./errors.ts";

/** A parsed IDX tensor of unsigned bytes. */
export interface IdxTensor {
  /** Sizes of each dimension, outermost first. */
  dims: number[];
  /** The values, row-major; a view into the file's bytes. */
  data: Uint8Array;
}

const IDX_TYPES: Record<number, string> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "short",
  0x0c: "int",
  0x0d: "float",
  0x0e: "double",
};

const hex32 = (v: number) => "0x" + (v >>> 0).toString(16).padStart(8, "0");

/**
 * Parses an (already gunzipped) IDX file of unsigned bytes with `rank`
 * dimensions: 3 for images, 1 for labels. `file` names it in errors.
 */
export function parseIdx(
  bytes: Uint8Array,
  file: string,
  rank: number,
): IdxTensor {
  const expected = 0x0800 | rank;
  const what = rank === 1 ? "labels" : rank === 3 ? "images" : `rank ${rank}`;
  if (bytes.length < 4) {
    throw new DataError(
      `${file}: truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic number`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expected) {
    const type = IDX_TYPES[bytes[2]];
    const seen = bytes[0] === 0 && bytes[1] === 0 && type
      ? ` (IDX of ${type}, ${bytes[3]} dimension${bytes[3] === 1 ? "" : "s"})`
      : bytes[0] === 0x1f && bytes[1] === 0x8b
      ? " (gzip data inside gzip?)"
      : " (not an IDX file)";
    throw new DataError(
      `${file}: wrong magic number ${hex32(magic)}${seen}; expected ${
        hex32(expected)
      } (IDX of unsigned bytes, ${rank} dimension${rank === 1 ? "" : "s"}: ${what})`,
    );
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new DataError(
      `${file}: truncated: ${bytes.length} bytes, shorter than the ${header}-byte IDX header`,
    );
  }
  const dims = Array.from(
    { length: rank },
    (_, i) => view.getUint32(4 + 4 * i),
  );
  const size = dims.reduce((a, b) => a * b, 1);
  const found = bytes.length - header;
  if (found < size) {
    throw new DataError(
      `${file}: truncated: header declares ${
        dims.join("×")
      } = ${size} bytes of ${what}, found ${found}`,
    );
  }
  if (found > size) {
    throw new DataError(
      `${file}: ${found - size} unexpected bytes after the ${
        dims.join("×")
      } ${what} the header declares`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/** Whether `bytes` start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips with the web-standard DecompressionStream; `file` names it in errors. */
export async function gunzip(
  bytes: Uint8Array,
  file: string,
): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
      .pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataError(
      `${file}: corrupt or truncated gzip data (${(e as Error).message})`,
    );
  }
}

/**
 * Reads an IDX file, gunzipping it when it starts with the gzip magic (so the
 * name's `.gz` does not matter), and parses it with {@link parseIdx}.
 */
export async function readIdxFile(
  path: string,
  rank: number,
): Promise<IdxTensor> {
  let bytes: Uint8Array = await Deno.readFile(path);
  if (isGzip(bytes)) bytes = await gunzip(bytes, path);
  else if (path.endsWith(".gz")) {
    throw new DataError(
      `${path}: not gzip data (expected the bytes 1f 8b, got ${
        Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, "0"))
          .join(" ")
      })`,
    );
  }
  return parseIdx(bytes, path, rank);
}
