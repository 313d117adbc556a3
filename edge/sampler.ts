/**
 * The generator behind the API: loaded once (validated, dequantized by tfjs,
 * warmed up), then run on latent batches. Each call disposes what it makes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { decodeArtifact } from "@gan-edge/shared/artifact";
import type { GanMetadata } from "@gan-edge/shared/schema";
import { sampleShape } from "@gan-edge/shared/architectures";
import { type BackendInfo, initWasm } from "./backend.ts";

/** A loaded generator. */
export interface Sampler {
  metadata: GanMetadata;
  /** SHA-256 over model.json and shards: part of every ETag. */
  hash: string;
  backend: BackendInfo;
  /** Shape of one sample. */
  sampleShape: number[];
  /** G(z) for `n` latents, row-major; returns n × prod(sampleShape) values. */
  generate(z: Float32Array, n: number): Promise<Float32Array>;
}

/** The model folder could not be used; start-up stops with this message. */
export class ModelLoadError extends Error {
  override name = "ModelLoadError";
}

/** Loads the artifact in `dir` on the wasm backend. */
export async function loadSampler(dir: string): Promise<Sampler> {
  const backend = await initWasm();
  const read = async (name: string) => {
    try {
      return await Deno.readFile(`${dir}/${name}`);
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
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory(decoded.modelArtifacts),
  );
  const { metadata } = decoded;
  const dim = metadata.latent.dim;
  const shape = sampleShape(metadata.output);
  const expectedOut = [null, ...shape].join(",");
  const actualOut = model.outputs[0].shape.join(",");
  if (model.inputs[0].shape[1] !== dim || actualOut !== expectedOut) {
    throw new ModelLoadError(
      `${dir}: the network's shapes (input ${
        model.inputs[0].shape
      }, output ${actualOut}) ` +
        `do not match its metadata (latent.dim ${dim}, output ${expectedOut})`,
    );
  }
  const generate = async (z: Float32Array, n: number) => {
    const out = tf.tidy(() =>
      model.predict(tf.tensor2d(z, [n, dim])) as tf.Tensor
    );
    try {
      return await out.data() as Float32Array;
    } finally {
      out.dispose();
    }
  };
  await generate(new Float32Array(dim), 1); // warm-up: compile kernels once
  return {
    metadata,
    hash: decoded.hash,
    backend,
    sampleShape: shape,
    generate,
  };
}
