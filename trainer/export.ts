/**
 * Export: the trained generator as the edge artifact (shared/artifact.ts),
 * with a fidelity report of the quantized weights against float32.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ArtifactFiles, decodeArtifact, encodeArtifact } from "@gan-edge/shared/artifact";
import { latents } from "@gan-edge/shared/prng";
import {
  FORMAT_VERSION,
  type GanMetadata,
  parseModelJson,
  type Quantization,
} from "@gan-edge/shared/schema";

/** The float32 artifacts of a model, as its save handler receives them. */
export async function modelArtifacts(
  model: tf.LayersModel,
): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    saved = artifacts;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  return saved!;
}

/** How far the quantized generator's outputs are from float32's. */
export interface Fidelity {
  maxAbsDiff: number;
  meanAbsDiff: number;
  latents: number;
}

/**
 * Compares `generator` with the artifact's quantized weights on `count`
 * fixed latents (seed 0).
 */
export async function measureFidelity(
  generator: tf.LayersModel,
  files: ArtifactFiles,
  count = 256,
): Promise<Fidelity> {
  const decoded = await decodeArtifact(
    files.get("model.json")!,
    (p) => Promise.resolve(files.get(p)!),
  );
  const quantized = await tf.loadLayersModel(
    tf.io.fromMemory(decoded.modelArtifacts),
  );
  const { latent: { dim, distribution }, classNames } = decoded.metadata;
  const z = tf.tensor2d(latents(0, count, dim, distribution), [count, dim]);
  // Conditional generators also take a class label: cycle through the classes.
  const inputs = classNames
    ? [
      z,
      tf.tensor2d(Float32Array.from({ length: count }, (_, i) => i % classNames.length), [
        count,
        1,
      ]),
    ]
    : [z];
  const diff = tf.tidy(() =>
    tf.abs(tf.sub(generator.predict(inputs) as tf.Tensor, quantized.predict(inputs) as tf.Tensor))
  );
  const [max, mean] = await Promise.all([
    tf.max(diff).data(),
    tf.mean(diff).data(),
  ]);
  tf.dispose([...inputs, diff]);
  quantized.dispose();
  return { maxAbsDiff: max[0], meanAbsDiff: mean[0], latents: count };
}

/**
 * Writes `files` into `dir` so that `dir` is either the old artifact or the
 * complete new one: files go to a sibling temporary folder, are fsynced, and
 * the folder is renamed into place.
 */
export async function writeArtifactDir(files: ArtifactFiles, dir: string): Promise<void> {
  const tmp = `${dir}.tmp-${crypto.randomUUID()}`;
  await Deno.mkdir(tmp, { recursive: true });
  try {
    for (const [name, bytes] of files) await writeFileSynced(`${tmp}/${name}`, bytes);
    await replaceDir(tmp, dir, `${dir}.old-${crypto.randomUUID()}`);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}

/**
 * Renames folder `from` to `to`. An existing `to` is first renamed to
 * `previous` and removed only after the swap, so that a crash leaves either
 * the old folder (as `to` or `previous`) or the new one.
 */
export async function replaceDir(from: string, to: string, previous: string): Promise<void> {
  await Deno.remove(previous, { recursive: true }).catch(() => {});
  let hadOld = false;
  try {
    await Deno.rename(to, previous);
    hadOld = true;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.rename(from, to);
  if (hadOld) await Deno.remove(previous, { recursive: true });
}

/** Writes a new file whole and fsyncs it before returning. */
export async function writeFileSynced(path: string, bytes: Uint8Array): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true });
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
  await file.sync();
}

/** Everything in the metadata but what encoding fills in. */
export type ExportMetadata = Omit<
  GanMetadata,
  "shards" | "quantization" | "formatVersion"
>;

/** Encodes, writes and checks the generator artifact; returns its report. */
export async function exportGenerator(
  generator: tf.LayersModel,
  metadata: ExportMetadata,
  quantization: Quantization,
  dir: string,
): Promise<{ bytes: number; fidelity: Fidelity }> {
  const files = await encodeArtifact(
    await modelArtifacts(generator),
    { formatVersion: FORMAT_VERSION, ...metadata },
    quantization,
  );
  const fidelity = await measureFidelity(generator, files);
  await writeArtifactDir(files, dir);
  const bytes = [...files.values()].reduce((n, b) => n + b.length, 0);
  return { bytes, fidelity };
}

/** Where a run keeps its float32 generator, the source of every export. */
export const GENERATOR_CHECKPOINT = "checkpoints/latest/generator";

/**
 * Re-exports the run in `runDir`: reads its float32 generator checkpoint and
 * writes `runDir/model` with `quantization` and the checkpoint's metadata.
 */
export async function exportRun(
  runDir: string,
  quantization: Quantization,
): Promise<{ bytes: number; fidelity: Fidelity }> {
  const source = `${runDir}/${GENERATOR_CHECKPOINT}`;
  const read = (name: string) => Deno.readFile(`${source}/${name}`);
  let modelJson: Uint8Array;
  try {
    modelJson = await read("model.json");
  } catch {
    throw new Error(
      `${source}/model.json: not found; is ${runDir} a run folder written by deno task train?`,
    );
  }
  const decoded = await decodeArtifact(modelJson, read);
  const generator = await tf.loadLayersModel(
    tf.io.fromMemory(decoded.modelArtifacts),
  );
  const { shards: _s, quantization: _q, formatVersion: _f, ...metadata } = decoded.metadata;
  try {
    return await exportGenerator(
      generator,
      metadata,
      quantization,
      `${runDir}/model`,
    );
  } finally {
    generator.dispose();
  }
}

/**
 * Writes `metrics` into the artifact's metadata (`userDefinedMetadata.metrics`),
 * so that a shipped model carries its evaluation. Only model.json changes (the
 * shards and their hashes stay); it is validated, then replaced atomically.
 */
export async function recordMetrics(dir: string, metrics: Record<string, number>): Promise<void> {
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  json.userDefinedMetadata.metrics = { ...json.userDefinedMetadata.metrics, ...metrics };
  parseModelJson(json);
  const tmp = `${dir}/model.json.tmp-${crypto.randomUUID()}`;
  try {
    await writeFileSynced(tmp, new TextEncoder().encode(JSON.stringify(json)));
    await Deno.rename(tmp, `${dir}/model.json`);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
