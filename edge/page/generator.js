// @ts-check
/**
 * The generator in the browser: the edge's own wasm backend start-up
 * (edge/backend.ts, with its inference kernels), model compiler
 * (edge/inference.ts) and forward pass (edge/generate.ts), as JavaScript,
 * run on the served model's artifact. The edge serves those modules with their types stripped
 * and tfjs from its own pinned packages (edge/routes/page.ts), so a latent
 * gives the picture the API would give, with no request per change.
 *
 * @module
 */
// The edge's own modules, types stripped (edge/tools/page_modules.ts).
import { initWasm } from "./stripped/edge/backend.js";
import { compileModel } from "./stripped/edge/inference.js";
import { forward } from "./stripped/edge/generate.js";

/**
 * @typedef {object} Generator
 * @property {(z: Float32Array, n: number, labels?: ArrayLike<number>) => Float32Array} run
 *   G(z) for n latents, as the edge's sampler computes it
 * @property {{ backend: string, simd: boolean, threads: boolean }} backend
 * @property {number} bytes the artifact's size
 */

/**
 * Starts tfjs's wasm backend and compiles the artifact whose model.json is
 * at `url` (its shards beside it), for latents of `dim` entries and
 * `classes` classes. Rejects naming what failed.
 *
 * @param {string} url
 * @param {number} dim
 * @param {number} classes
 * @returns {Promise<Generator>}
 */
export async function loadGenerator(url, dim, classes) {
  const [backend, artifact] = await Promise.all([initWasm(), fetchArtifact(url)]);
  const net = compileModel(artifact.modelArtifacts);
  const run = forward(net, dim, classes);
  // Warm-up, as the edge's sampler does: the first pass sets the kernels up.
  run(new Float32Array(dim), 1, classes > 0 ? [0] : undefined);
  return { run, backend, bytes: artifact.bytes };
}

/**
 * model.json and its shards from `url`, as `tf.io.ModelArtifacts`.
 *
 * @param {string} url
 */
async function fetchArtifact(url) {
  const get = async (/** @type {string} */ href) => {
    const res = await fetch(href);
    if (!res.ok) throw new Error(`${href}: ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const jsonBytes = await get(url);
  const json = JSON.parse(new TextDecoder().decode(jsonBytes));
  /** @type {import("@tensorflow/tfjs-core").io.WeightsManifestConfig} */
  const manifest = json.weightsManifest;
  const shards = await Promise.all(
    manifest.flatMap((g) => g.paths).map((p) => get(new URL(p, new URL(url, location.href)).href)),
  );
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  shards.reduce((offset, s) => (weightData.set(s, offset), offset + s.byteLength), 0);
  return {
    bytes: jsonBytes.byteLength + weightData.byteLength,
    modelArtifacts: {
      modelTopology: json.modelTopology,
      weightSpecs: manifest.flatMap((g) => g.weights),
      weightData: weightData.buffer,
      format: json.format,
    },
  };
}

/**
 * How much each latent entry moves the picture at `z`: the mean absolute
 * change of the output when entry i alone grows by `step`, for each i, from
 * one batch of dim + 1 forward passes. With a class-conditional generator
 * that gates z by the class's embedding (ours multiply them), most entries
 * do nothing for a given class; the page sorts its sliders by these.
 *
 * @param {Generator["run"]} run
 * @param {Float32Array} z
 * @param {number | undefined} label the class, for a conditional model
 * @param {number} [step]
 * @returns {Float32Array}
 */
export function latentEffects(run, z, label, step = 1) {
  const dim = z.length;
  const batch = new Float32Array((dim + 1) * dim);
  for (let i = 0; i <= dim; i++) {
    batch.set(z, i * dim);
    if (i > 0) batch[i * dim + i - 1] += step;
  }
  const out = run(batch, dim + 1, label === undefined ? undefined : new Array(dim + 1).fill(label));
  const size = out.length / (dim + 1);
  const effects = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    let sum = 0;
    for (let k = 0; k < size; k++) sum += Math.abs(out[(i + 1) * size + k] - out[k]);
    effects[i] = sum / size;
  }
  return effects;
}
