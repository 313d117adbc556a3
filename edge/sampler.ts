/**
 * The generator behind the API: loaded once (validated, dequantized by tfjs,
 * compiled for inference by inference.ts straight from the artifact, without
 * tfjs-layers, warmed up), then run on latent batches. Each call disposes
 * what it makes.
 *
 * @module
 */
import { type ArtifactFiles, decodeArtifact } from "@gan-edge/shared/artifact";
import type { GanMetadata } from "@gan-edge/shared/schema";
import { sampleShape } from "@gan-edge/shared/shapes";
import { type BackendInfo, initWasm } from "./backend.ts";
import { type CompiledModel, compileModel } from "./inference.ts";
import { forward } from "./generate.ts";

/** A loaded generator. */
export interface Sampler {
  metadata: GanMetadata;
  /** SHA-256 over model.json and shards: part of every ETag. */
  hash: string;
  /**
   * The artifact's files as read and checked (model.json and its shards),
   * for the demo page, which runs the same generator in the browser.
   */
  files: ArtifactFiles;
  backend: BackendInfo;
  /** Shape of one sample. */
  sampleShape: number[];
  /** Class names of a conditional model; absent otherwise. */
  classNames?: string[];
  /**
   * G(z) for `n` latents (row-major, n × latent.dim), with one class index
   * per latent for a conditional model; returns n × prod(sampleShape)
   * values. Every tensor it makes is disposed before it returns.
   */
  generate(
    z: Float32Array,
    n: number,
    labels?: ArrayLike<number>,
  ): Promise<Float32Array>;
}

/** The model folder could not be used; start-up stops with this message. */
export class ModelLoadError extends Error {
  override name = "ModelLoadError";
}

/** Loads the artifact in `dir` on the wasm backend. */
export async function loadSampler(dir: string): Promise<Sampler> {
  // The wasm backend starts while the artifact is read and checked.
  const starting = initWasm();
  starting.catch(() => {}); // awaited below; an artifact error may come first
  const files: ArtifactFiles = new Map();
  const read = async (name: string) => {
    try {
      const bytes = await Deno.readFile(`${dir}/${name}`);
      files.set(name, bytes);
      return bytes;
    } catch (e) {
      throw new ModelLoadError(
        `${dir}/${name}: cannot read (${(e as Error).message})`,
      );
    }
  };
  let decoded;
  try {
    decoded = await decodeArtifact(await read("model.json"), read);
  } catch (e) {
    if (e instanceof ModelLoadError) throw e;
    throw new ModelLoadError(`${dir}: ${(e as Error).message}`);
  }
  const backend = await starting;
  let net: CompiledModel;
  try {
    net = compileModel(decoded.modelArtifacts);
  } catch (e) {
    throw new ModelLoadError(
      `${dir}: model.json does not describe a network the edge can run (${(e as Error).message})`,
    );
  }
  const { metadata } = decoded;
  const dim = metadata.latent.dim;
  const shape = sampleShape(metadata.output);
  try {
    checkShapes(net, metadata, shape, dir);
  } catch (e) {
    net.dispose();
    throw e;
  }
  const classes = metadata.classNames?.length ?? 0;
  const run = forward(net, dim, classes);
  // async so that a bad call rejects rather than throws; the work is synchronous.
  // deno-lint-ignore require-await
  const generate = async (z: Float32Array, n: number, labels?: ArrayLike<number>) =>
    run(z, n, labels);
  // Warm-up: compile the kernels once, before the first request. The
  // artifact's weights are finite (decodeArtifact checks), but they may still
  // overflow on the way to the output: such a model would serve nulls.
  const warm = await generate(new Float32Array(dim), 1, classes > 0 ? [0] : undefined);
  const bad = warm.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    net.dispose();
    throw new ModelLoadError(
      `${dir}: the warm-up output is not finite (${warm[bad]} at value ${bad} of sample 0 ` +
        `for a zero latent); the weights overflow float32 on the way to the output`,
    );
  }
  return {
    metadata,
    hash: decoded.hash,
    files,
    backend,
    sampleShape: shape,
    ...(metadata.classNames ? { classNames: metadata.classNames } : {}),
    generate,
  };
}

/**
 * Loads the artifact of each folder in `dirs`, in order (the first is the
 * default model). Two folders holding the same model (one hash) are refused,
 * naming both.
 */
export async function loadSamplers(dirs: readonly string[]): Promise<Sampler[]> {
  const samplers: Sampler[] = [];
  for (const dir of dirs) {
    const sampler = await loadSampler(dir);
    const twin = samplers.findIndex((s) => s.hash === sampler.hash);
    if (twin >= 0) {
      throw new ModelLoadError(
        `${dirs[twin]} and ${dir} hold the same model (${sampler.hash.slice(0, 12)}); ` +
          "give each model once",
      );
    }
    samplers.push(sampler);
  }
  return samplers;
}

/**
 * Refuses a network whose inputs and output do not match its metadata: one
 * input z [n, dim], or for a conditional model the inputs "z" [n, dim] and
 * "label" [n, 1] in that order; output [n, ...sampleShape].
 */
function checkShapes(
  net: CompiledModel,
  metadata: GanMetadata,
  shape: number[],
  dir: string,
): void {
  const dim = metadata.latent.dim;
  const conditional = metadata.classNames !== undefined;
  const actualIn = net.inputs.map((i) => `[${i.shape}]`).join(" ");
  const expectedIn = conditional ? `[,${dim}] [,1]` : `[,${dim}]`;
  const actualOut = `[${net.outputShape}]`;
  const expectedOut = `[,${shape}]`;
  const names = net.inputs.map((i) => i.name);
  const namesOk = !conditional || (names[0] === "z" && names[1] === "label");
  if (actualIn !== expectedIn || actualOut !== expectedOut || !namesOk) {
    throw new ModelLoadError(
      `${dir}: the network's shapes (inputs ${names.join(", ")} ${actualIn}, ` +
        `output ${actualOut}) do not match its metadata (latent.dim ${dim}, ` +
        `${
          conditional ? `${metadata.classNames!.length} classes: inputs z, label` : "unconditional"
        }, output ${expectedOut})`,
    );
  }
}

/**
 * For the start-up log: `(dataset, model HASH, quantization[, K classes])
 * on wasm, SIMD on`.
 */
export function describeSampler(sampler: Sampler): string {
  const { training, quantization, classNames } = sampler.metadata;
  const classes = classNames ? `, ${classNames.length} classes` : "";
  return `(${training.dataset}, model ${
    sampler.hash.slice(0, 12)
  }, ${quantization}${classes}) on ${sampler.backend.backend}, SIMD ${
    sampler.backend.simd ? "on" : "off"
  }`;
}
