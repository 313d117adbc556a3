// @ts-check
/**
 * The `z` query parameter's encoder, in plain JavaScript with no imports, so
 * that the demo page (served as-is to browsers, which cannot run TypeScript)
 * and the TypeScript code share one implementation. The decoder, which
 * validates, lives in ./api.ts.
 *
 * @module
 */

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
