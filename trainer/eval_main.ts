/**
 * `deno task eval --model DIR [--samples N] [--seed S] [--json]`: measures a
 * points model's mode coverage on its training mixture (VEEGAN/PacGAN
 * protocol), prints a table or JSON, and writes `eval.json` beside the model.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { decodeArtifact } from "@gan-edge/shared/artifact";
import { latents } from "@gan-edge/shared/prng";
import { MIXTURES } from "./data/toy.ts";
import { modeCoverage, type ModeReport } from "./eval/modes.ts";
import { selectBackend } from "./backend.ts";

/** Loads the artifact in `dir` (validated) as a tfjs model. */
export async function loadArtifact(dir: string) {
  const read = (name: string) => Deno.readFile(`${dir}/${name}`);
  const decoded = await decodeArtifact(await read("model.json"), read);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory(decoded.modelArtifacts),
  );
  return { decoded, model };
}

/** Evaluates the model in `dir` on `samples` generated points. */
export async function evaluate(
  dir: string,
  samples = 2500,
  seed = 0,
): Promise<{ dataset: string; modes: ModeReport }> {
  const { decoded, model } = await loadArtifact(dir);
  const { metadata } = decoded;
  const dataset = metadata.training.dataset;
  if (metadata.output.kind !== "points" || !(dataset in MIXTURES)) {
    model.dispose();
    throw new Error(
      `${dir}: eval measures mode coverage of points models trained on ring8 or grid25; ` +
        `this model is ${metadata.output.kind} on ${dataset}`,
    );
  }
  const { dim, distribution } = metadata.latent;
  const z = tf.tensor2d(latents(seed, samples, dim, distribution), [
    samples,
    dim,
  ]);
  const out = model.predict(z) as tf.Tensor;
  const points = await out.data() as Float32Array;
  tf.dispose([z, out]);
  model.dispose();
  return {
    dataset,
    modes: modeCoverage(points, MIXTURES[dataset as keyof typeof MIXTURES]),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      model: { type: "string" },
      samples: { type: "string", default: "2500" },
      seed: { type: "string", default: "0" },
      json: { type: "boolean", default: false },
    },
  });
  const samples = Number(values.samples);
  const seed = Number(values.seed);
  if (!values.model) {
    console.error(
      "error: --model DIR is required\nUsage: deno task eval --model DIR [--samples N] [--seed S] [--json]",
    );
    Deno.exit(2);
  }
  if (!Number.isInteger(samples) || samples < 1) {
    console.error(
      `error: --samples: expected a positive integer, got "${values.samples}"`,
    );
    Deno.exit(2);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    console.error(
      `error: --seed: expected an integer in [0, 4294967295], got "${values.seed}"`,
    );
    Deno.exit(2);
  }
  await selectBackend("auto");
  let result;
  try {
    result = await evaluate(values.model, samples, seed);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
  await Deno.writeTextFile(
    `${values.model}/eval.json`,
    JSON.stringify(result, null, 2) + "\n",
  );
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    const m = result.modes;
    console.log(`dataset            ${result.dataset}`);
    console.log(`samples            ${m.samples}`);
    console.log(`modes captured     ${m.captured} / ${m.modes}`);
    console.log(`high quality       ${(100 * m.highQuality).toFixed(1)} %`);
    console.log(`reverse KL         ${m.reverseKl.toFixed(4)} nats`);
    console.log(`per-mode histogram ${m.histogram.join(" ")}`);
  }
}
