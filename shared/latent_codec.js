// @ts-check
/**
 * The `z` query parameter's encoder and decoder, in plain JavaScript with no
 * imports, so that the demo page (served as-is to browsers, which cannot run
 * TypeScript) and the TypeScript code share one implementation.
 *
 * @module
 */

/** Largest |value| accepted in a user latent: normal draws stay within ±7. */
export const LATENT_BOUND = 1000;

/**
 * base64url (no padding) of `z` as little-endian float32: the compact form
 * of the `z` query parameter.
 *
 * @param {Float32Array} z
 * @returns {string}
 */
export function encodeLatent(z) {
  const view = new DataView(new ArrayBuffer(z.length * 4));
  z.forEach((v, i) => view.setFloat32(i * 4, v, true));
  let binary = "";
  for (let i = 0; i < view.byteLength; i++) {
    binary += String.fromCharCode(view.getUint8(i));
  }
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Reads a user latent of length `dim`: a comma list of decimal numbers
 * (`0.5,-1,2e-3`), or base64url (padding optional) of `dim` little-endian
 * float32 values. A value without a comma is a list only when `dim` is 1 and
 * it reads as a number. Returns the latent, or a message saying what is wrong.
 *
 * @example
 * ```ts
 * import { decodeLatent, encodeLatent } from "@gan-edge/shared/latent-codec";
 * const z = new Float32Array([0.5, -1]);
 * const back = decodeLatent(encodeLatent(z), 2) as Float32Array;
 * if (back[1] !== -1) throw new Error("round trip");
 * ```
 *
 * @param {string} text
 * @param {number} dim
 * @returns {Float32Array | string}
 */
export function decodeLatent(text, dim) {
  const isList = text.includes(",") || (dim === 1 && NUMBER.test(text));
  const values = isList ? decodeList(text, dim) : decodeBase64url(text, dim);
  if (typeof values === "string") return values;
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(values[i])) {
      return `entry ${i} is not a finite number`;
    }
    if (Math.abs(values[i]) > LATENT_BOUND) {
      return `entry ${i} is out of range (|value| ≤ ${LATENT_BOUND})`;
    }
  }
  return values;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * @param {string} text
 * @param {number} dim
 * @returns {Float32Array | string}
 */
function decodeList(text, dim) {
  const parts = text.split(",");
  if (parts.length !== dim) {
    return `expected ${dim} comma-separated numbers, got ${parts.length}`;
  }
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    const part = parts[i].trim();
    if (!NUMBER.test(part)) {
      const shown = part.length > 40 ? `${part.slice(0, 40)}…` : part;
      return `entry ${i} ("${shown}") is not a decimal number`;
    }
    out[i] = Number(part);
  }
  return out;
}

/**
 * @param {string} text
 * @param {number} dim
 * @returns {Float32Array | string}
 */
function decodeBase64url(text, dim) {
  const chars = Math.ceil(dim * 4 * 4 / 3);
  const expected =
    `expected ${dim} comma-separated numbers or base64url of ${dim} little-endian float32 (${chars} characters)`;
  const body = text.replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length !== chars) return expected;
  const binary = atob(
    body.replaceAll("-", "+").replaceAll("_", "/").padEnd(
      Math.ceil(chars / 4) * 4,
      "=",
    ),
  );
  const view = new DataView(new ArrayBuffer(dim * 4));
  for (let i = 0; i < dim * 4; i++) view.setUint8(i, binary.charCodeAt(i));
  return Float32Array.from({ length: dim }, (_, i) => view.getFloat32(i * 4, true));
}
