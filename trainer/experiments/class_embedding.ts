/**
 * `deno task class-embedding --model DIR [--json]`: how many latent
 * dimensions a class-conditional generator uses per class (issue 17's
 * hypothesis: the trained class embedding e concentrates z's weight on a few
 * of its dimensions). Prints, per class, mean |e| and the participation
 * ratio and top-4 share three ways (../eval/metrics/latent.ts): the
 * embedding alone (e²), at the first linear layer (e² ‖W_i‖²) and through
 * the whole generator (central differences).
 *
 * @module
 */
import { defineCommand, parseFlagsOrExit, z } from "@gan-edge/cli";
import type * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../backend.ts";
import { BACKENDS } from "../config.ts";
import { loadArtifact } from "../eval/evaluate.ts";
import {
  embeddingWeights,
  latentSensitivity,
  type Spread,
  spread,
} from "../eval/metrics/latent.ts";

/** `deno task class-embedding`'s flags. */
export const classEmbeddingCommand = defineCommand({
  name: "class-embedding",
  summary: "Measure how many latent dimensions a class-conditional generator uses per class: " +
    "participation ratio and top-4 share of the class embedding's e², of e²‖W‖² at the first " +
    "linear layer, and of the whole generator's sensitivity to each z_i.",
  flags: z.object({
    model: z.string().min(1).meta({ value: "DIR", description: "a conditional model folder" }),
    samples: z.int().min(1).default(32).describe("latents per class for the sensitivity"),
    seed: z.int().min(0).max(0xffffffff).default(0).describe("seed of those latents"),
    json: z.boolean().default(false).describe("print the result as one JSON line"),
    backend: z.enum(BACKENDS).default("auto").describe("tfjs backend"),
  }),
});

/** One class's figures. */
export interface ClassSpread {
  name: string;
  meanAbsEmbedding: number;
  embedding: Spread;
  firstLayer: Spread;
  generator: Spread;
}

/** What the command measures. */
export interface EmbeddingReport {
  model: string;
  latentDim: number;
  /** The layer after z ⊙ e whose kernel W weighs each z_i. */
  firstLayer: string;
  /** The embedding's weight format (a uint8 grid is coarse for tiny entries). */
  quantization: string;
  sensitivity: { samples: number; delta: number; seed: number };
  classes: ClassSpread[];
}

/** The first dense layer G applies to z ⊙ e, by the names of ../architectures.ts. */
function firstLinear(G: tf.LayersModel): tf.layers.Layer {
  for (const name of ["g_project", "g_dense0", "g_out"]) {
    const layer = G.layers.find((l) => l.name === name);
    if (layer) return layer;
  }
  throw new Error("no first linear layer (g_project, g_dense0 or g_out) in the generator");
}

/** Measures the model in `dir` (see the module doc). */
export async function classEmbedding(
  dir: string,
  { samples = 32, seed = 0 } = {},
): Promise<EmbeddingReport> {
  const { decoded, model: G } = await loadArtifact(dir);
  try {
    const { metadata } = decoded;
    const names = metadata.classNames;
    if (!names) throw new Error(`${dir}: not a class-conditional model (no classNames)`);
    const embed = G.layers.find((l) => l.name === "g_embed");
    if (!embed) throw new Error(`${dir}: no class embedding (g_embed) in the generator`);
    const dim = metadata.latent.dim;
    const e = embed.getWeights()[0].dataSync() as Float32Array;
    const linear = firstLinear(G);
    const kernel = linear.getWeights()[0];
    const units = kernel.shape[1]!;
    const ofEmbedding = embeddingWeights(e, names.length, dim);
    const ofLayer = embeddingWeights(e, names.length, dim, {
      values: kernel.dataSync() as Float32Array,
      units,
    });
    const delta = 0.05;
    const ofG = await latentSensitivity(G, names.length, dim, { n: samples, delta, seed });
    return {
      model: dir,
      latentDim: dim,
      firstLayer: `${linear.name} (${dim} × ${units})`,
      quantization: metadata.quantization,
      sensitivity: { samples, delta, seed },
      classes: names.map((name, k) => ({
        name,
        meanAbsEmbedding: e.subarray(k * dim, (k + 1) * dim).reduce((a, v) => a + Math.abs(v), 0) /
          dim,
        embedding: spread(ofEmbedding[k]),
        firstLayer: spread(ofLayer[k]),
        generator: spread(ofG[k]),
      })),
    };
  } finally {
    G.dispose();
  }
}

/** The report as a markdown table. */
export function formatEmbedding(r: EmbeddingReport): string {
  const cell = (s: Spread) => `${s.participation.toFixed(1)} / ${(100 * s.top4).toFixed(0)} %`;
  return [
    `${r.model}: z of ${r.latentDim}, ${r.quantization} weights; first linear layer ${r.firstLayer}; ` +
    `sensitivity over ${r.sensitivity.samples} latents per class (δ = ${r.sensitivity.delta})`,
    "",
    "participation ratio / top-4 share, by what weighs z_i:",
    "",
    "| class | mean abs(e) | e² | e² ‖W_i‖² | whole G |",
    "| --- | --- | --- | --- | --- |",
    ...r.classes.map((c) =>
      `| ${c.name} | ${c.meanAbsEmbedding.toFixed(4)} | ${cell(c.embedding)} | ${
        cell(c.firstLayer)
      } | ${cell(c.generator)} |`
    ),
  ].join("\n");
}

if (import.meta.main) {
  const { flags } = parseFlagsOrExit(classEmbeddingCommand, Deno.args);
  try {
    await selectBackend(flags.backend);
    const report = await classEmbedding(flags.model, flags);
    console.log(flags.json ? JSON.stringify(report) : formatEmbedding(report));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
