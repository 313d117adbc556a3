/**
 * The edge artifact: a TensorFlow.js LayersModel (`model.json` + one `.bin`
 * shard) whose `userDefinedMetadata` is {@link GanMetadata}. Encoding and
 * decoding are pure (bytes in, bytes out); reading and writing files is left
 * to the trainer and the edge.
 *
 * @module
 */
import type { io } from "@tensorflow/tfjs-core";
import {
  ArtifactError,
  type GanMetadata,
  type ModelJson,
  parseModelJson,
  type Quantization,
  type WeightSpec,
} from "./schema.ts";
import { BYTES_PER_VALUE, dequantize, quantize } from "./quantize.ts";

/** The single shard's file name. */
export const SHARD_NAME = "group1-shard1of1.bin";

/** The files of an artifact, by name (`model.json` and the shard). */
export type ArtifactFiles = Map<string, Uint8Array>;

/** Hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** Concatenates tfjs `WeightData` (one buffer or a list) into bytes. */
export function weightBytes(data: io.WeightData): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

/**
 * Builds the artifact files from float32 model artifacts (what a tfjs save
 * handler receives) and the GAN metadata, quantizing every weight.
 */
export async function encodeArtifact(
  model: io.ModelArtifacts,
  metadata: Omit<GanMetadata, "shards" | "quantization">,
  quantization: Quantization,
): Promise<ArtifactFiles> {
  const specs = model.weightSpecs ?? [];
  const floats = new Float32Array(
    weightBytes(model.weightData!).slice().buffer,
  );
  const parts: Uint8Array[] = [];
  const weights: WeightSpec[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== "float32") {
      throw new ArtifactError(
        `weight ${spec.name}: expected float32, got ${spec.dtype}`,
      );
    }
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const q = quantize(floats.subarray(offset, offset + size), quantization);
    offset += size;
    parts.push(q.bytes);
    const weight: WeightSpec = { name: spec.name, shape: spec.shape, dtype: "float32" };
    if (q.quantization) weight.quantization = { ...q.quantization };
    weights.push(weight);
  }
  const shard = weightBytes(parts.map((p) => p.slice().buffer));
  const modelJson: ModelJson = {
    format: "layers-model",
    generatedBy: model.generatedBy ?? "TensorFlow.js",
    convertedBy: "gan-edge",
    modelTopology: model.modelTopology as Record<string, unknown>,
    weightsManifest: [{ paths: [SHARD_NAME], weights }],
    userDefinedMetadata: {
      ...metadata,
      quantization,
      shards: [{ path: SHARD_NAME, sha256: await sha256Hex(shard) }],
    },
  };
  parseModelJson(modelJson); // never write what we would refuse to read
  const text = JSON.stringify(modelJson);
  checkRoundTrip(JSON.parse(text).weightsManifest[0].weights, shard, floats);
  return new Map([
    ["model.json", new TextEncoder().encode(text)],
    [SHARD_NAME, shard],
  ]);
}

/**
 * Reads every weight back from the serialized manifest and the shard and
 * checks it against the float32 values it came from (uint8: within half a
 * step; float16 and float32: exactly their rounding), so that a wrong range
 * or offset is an error at export instead of a silently wrong model. (One was
 * seen once under load: every uint8 range equal to the first weight's.)
 */
export function checkRoundTrip(
  weights: WeightSpec[],
  shard: Uint8Array,
  floats: Float32Array,
): void {
  let stored = 0;
  let offset = 0;
  for (const w of weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const n = storedBytes(w);
    const back = dequantize(shard.subarray(stored, stored + n), w.quantization as never);
    const want = floats.subarray(offset, offset + size);
    const q = w.quantization;
    const exact = q?.dtype === "float16" ? Float32Array.from(Float16Array.from(want)) : want;
    // uint8: half a step, plus float32 rounding of q·scale + min.
    const tolerance = q?.dtype === "uint8"
      ? (q.scale ?? NaN) / 2 + 1e-6 * Math.abs(q.min ?? NaN) + 1e-7
      : 0;
    for (let i = 0; i < size; i++) {
      if (!(Math.abs(back[i] - exact[i]) <= tolerance)) {
        throw new ArtifactError(
          `weight ${w.name}: reads back as ${back[i]} at ${i}, expected ${want[i]} ` +
            `(${q?.dtype ?? "float32"}); the artifact was not written`,
        );
      }
    }
    stored += n;
    offset += size;
  }
}

/** A validated artifact, ready for `tf.io.fromMemory`. */
export interface DecodedArtifact {
  modelJson: ModelJson;
  metadata: GanMetadata;
  /** For `tf.loadLayersModel(tf.io.fromMemory(modelArtifacts))`. */
  modelArtifacts: io.ModelArtifacts;
  /** SHA-256 over model.json and shards: names this exact model. */
  hash: string;
}

/**
 * Validates `model.json` and its shards: the schema, each shard's SHA-256,
 * that the shard holds exactly the bytes its weight specs describe, and
 * that every weight reads back as finite float32 values.
 * Throws {@link ArtifactError} naming the problem.
 */
export async function decodeArtifact(
  modelJsonBytes: Uint8Array,
  readShard: (path: string) => Promise<Uint8Array>,
): Promise<DecodedArtifact> {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(modelJsonBytes));
  } catch (e) {
    throw new ArtifactError(
      `model.json: not valid JSON (${(e as Error).message})`,
    );
  }
  const modelJson = parseModelJson(raw);
  const metadata = modelJson.userDefinedMetadata;
  const shards: Uint8Array[] = [];
  for (const { path, sha256 } of metadata.shards) {
    const bytes = await readShard(path);
    const actual = await sha256Hex(bytes);
    if (actual !== sha256) {
      throw new ArtifactError(
        `${path}: SHA-256 mismatch (expected ${sha256}, got ${actual}); the shard is corrupt or truncated`,
      );
    }
    shards.push(bytes);
  }
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const weightData = weightBytes(shards.map((s) => s.slice().buffer));
  const expected = weightSpecs.reduce((n, w) => n + storedBytes(w), 0);
  if (expected !== weightData.byteLength) {
    throw new ArtifactError(
      `weightsManifest: weight specs describe ${expected} bytes, shards hold ${weightData.byteLength}`,
    );
  }
  checkFinite(weightSpecs, weightData);
  const hash = await sha256Hex(
    weightBytes([modelJsonBytes.slice().buffer, weightData.slice().buffer]),
  );
  return {
    modelJson,
    metadata,
    hash,
    modelArtifacts: {
      modelTopology: modelJson
        .modelTopology as io.ModelArtifacts["modelTopology"],
      weightSpecs: weightSpecs as io.WeightsManifestEntry[],
      weightData: weightData.slice().buffer,
      format: modelJson.format,
      userDefinedMetadata: metadata as unknown as Record<string, object>,
    },
  };
}

/** Float32's largest finite value. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Throws an {@link ArtifactError} naming the first weight that would not
 * dequantize to finite float32 values: a stored NaN or ±Infinity (float32,
 * float16), or a uint8 range `[min, min + 255·scale]` past float32's.
 * Read from the stored bytes, without dequantizing.
 */
function checkFinite(weights: WeightSpec[], data: Uint8Array): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (const w of weights) {
    const q = w.quantization;
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (q?.dtype === "uint8") {
      const [lo, hi] = [q.min ?? NaN, (q.min ?? NaN) + 255 * (q.scale ?? NaN)];
      if (!(Math.abs(lo) <= FLOAT32_MAX && Math.abs(hi) <= FLOAT32_MAX)) {
        throw new ArtifactError(
          `weight ${w.name}: its uint8 range [${lo}, ${hi}] exceeds float32 ` +
            `(min ${q.min}, scale ${q.scale})`,
        );
      }
    } else {
      const half = q?.dtype === "float16";
      for (let i = 0; i < size; i++) {
        const v = half
          ? view.getFloat16(offset + 2 * i, true)
          : view.getFloat32(offset + 4 * i, true);
        if (!Number.isFinite(v)) {
          throw new ArtifactError(`weight ${w.name} holds ${v} (value ${i})`);
        }
      }
    }
    offset += storedBytes(w);
  }
}

/** Bytes a weight occupies in its shard. */
function storedBytes(w: WeightSpec): number {
  const size = w.shape.reduce((a, b) => a * b, 1);
  return size * BYTES_PER_VALUE[w.quantization?.dtype ?? "float32"];
}

/** Float32 values of every weight, in manifest order (for fidelity checks). */
export function dequantizeAll(artifact: DecodedArtifact): Float32Array[] {
  const data = new Uint8Array(
    artifact.modelArtifacts.weightData as ArrayBuffer,
  );
  const out: Float32Array[] = [];
  let offset = 0;
  for (const w of artifact.modelArtifacts.weightSpecs as WeightSpec[]) {
    const n = storedBytes(w);
    out.push(
      dequantize(data.subarray(offset, offset + n), w.quantization as never),
    );
    offset += n;
  }
  return out;
}
