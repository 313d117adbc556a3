/**
 * Weight quantization in TensorFlow.js's own format (the `quantization`
 * field of a weights-manifest entry), so that stock `tf.loadLayersModel`
 * dequantizes our shards. tfjs-core can decode these fields but only the
 * Python converter encodes them, so encoding is written here; it follows the
 * converter's affine scheme, nudging the range so that 0 is exact.
 *
 * @module
 */
import type { Quantization } from "./schema.ts";

/** tfjs's `quantization` entry of a weight spec. */
export type QuantizationSpec =
  | { dtype: "uint8"; min: number; scale: number }
  | { dtype: "float16" };

/** A weight's bytes as stored in a shard, and how to read them back. */
export interface QuantizedWeight {
  bytes: Uint8Array;
  quantization?: QuantizationSpec;
}

/**
 * Encodes float32 `values` as `dtype`.
 * - uint8: q = round((clip(v) − min) / scale), read back as q·scale + min,
 *   with [min, max] nudged so that 0 maps to an integer; error ≤ scale / 2.
 * - float16: IEEE half precision, round to nearest even.
 * - float32: the bytes as they are.
 *
 * @example
 * ```ts
 * import { dequantize, quantize } from "@gan-edge/shared/quantize";
 * const w = quantize(new Float32Array([-1, 0, 0.5, 1]), "uint8");
 * const back = dequantize(w.bytes, w.quantization);
 * if (back[1] !== 0) throw new Error("0 is exact");
 * ```
 */
export function quantize(
  values: Float32Array,
  dtype: Quantization,
): QuantizedWeight {
  if (dtype === "float32") {
    return { bytes: new Uint8Array(Float32Array.from(values).buffer) };
  }
  if (dtype === "float16") {
    const half = Float16Array.from(values);
    return {
      bytes: new Uint8Array(half.buffer),
      quantization: { dtype: "float16" },
    };
  }
  const { min, max, scale } = uint8Range(values);
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(Math.max(values[i], min), max);
    bytes[i] = Math.round((v - min) / scale);
  }
  return { bytes, quantization: { dtype: "uint8", min, scale } };
}

/** The nudged affine range for uint8, as tfjs's converter computes it. */
function uint8Range(values: Float32Array) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      throw new RangeError(`quantize: weight holds a non-finite value ${v}`);
    }
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (values.length === 0) lo = hi = 0;
  if (hi === lo) return { min: lo, max: hi, scale: 1 };
  const scale = (hi - lo) / 255;
  if (lo <= 0 && 0 <= hi) {
    const zeroPoint = Math.round(-lo / scale);
    const min = -zeroPoint * scale;
    return { min, max: 255 * scale + min, scale };
  }
  return { min: lo, max: hi, scale };
}

/** Decodes bytes written by {@link quantize} back to float32. */
export function dequantize(
  bytes: Uint8Array,
  quantization?: QuantizationSpec,
): Float32Array {
  const aligned = bytes.slice().buffer;
  if (!quantization) return new Float32Array(aligned);
  if (quantization.dtype === "float16") {
    return Float32Array.from(new Float16Array(aligned));
  }
  const { min, scale } = quantization;
  return Float32Array.from(bytes, (q) => q * scale + min);
}

/** Bytes per stored value for each dtype. */
export const BYTES_PER_VALUE: Record<Quantization, number> = {
  uint8: 1,
  float16: 2,
  float32: 4,
};
