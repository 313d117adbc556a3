/**
 * Tiny models for edge tests, built with the shared architecture builders
 * (the ones the trainer uses) and encoded with the shared artifact codec:
 * a 28×28 grayscale image generator, and a class-conditional one whose
 * inputs are "z" [n, dim] and "label" [n, 1], as the trainer exports them.
 */
import { buildGenerator } from "../../trainer/architectures.ts";
import { encodeArtifact } from "@gan-edge/shared/artifact";
import type { GanMetadata, Output, Quantization } from "@gan-edge/shared/schema";
import { initWasm } from "@gan-edge/edge/backend";
import { modelArtifacts } from "@gan-edge/trainer/export";
import { validMetadata } from "../helpers/fixtures.ts";

/** Fashion-MNIST's classes, for the conditional fixture. */
export const CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover"];

const IMAGE: Output = {
  kind: "image",
  height: 28,
  width: 28,
  channels: 1,
  range: [-1, 1],
};

/** What to build; the network is an MLP with one hidden layer of 16. */
export interface FixtureSpec {
  latentDim?: number;
  output?: Output;
  classNames?: string[];
  /** How the weights are stored; float16 by default. */
  quantization?: Quantization;
  /** Changes weight `name`'s float32 values in place before they are stored. */
  patchWeight?: (name: string, values: Float32Array) => void;
}

/**
 * Writes a model artifact for `spec` to a new temporary folder and returns
 * the folder. `metadataPatch` overrides metadata fields (to build models
 * whose metadata lies about the network).
 */
export async function writeFixtureModel(
  spec: FixtureSpec = {},
  metadataPatch: Partial<GanMetadata> = {},
): Promise<string> {
  await initWasm();
  const latentDim = spec.latentDim ?? 8;
  const output = spec.output ?? IMAGE;
  const generator = buildGenerator({
    id: "mlp",
    latentDim,
    output,
    generatorHidden: [16],
    discriminatorHidden: [16],
    dropout: 0,
    ...(spec.classNames ? { numClasses: spec.classNames.length } : {}),
  });
  const artifacts = await modelArtifacts(generator);
  if (spec.patchWeight) {
    const floats = new Float32Array(artifacts.weightData as ArrayBuffer);
    let offset = 0;
    for (const { name, shape } of artifacts.weightSpecs ?? []) {
      const size = shape.reduce((a, b) => a * b, 1);
      spec.patchWeight(name, floats.subarray(offset, offset + size));
      offset += size;
    }
  }
  const files = await encodeArtifact(artifacts, {
    ...validMetadata(),
    latent: { dim: latentDim, distribution: "normal" },
    output,
    ...(spec.classNames ? { classNames: spec.classNames } : {}),
    training: { ...validMetadata().training, dataset: "fixture" },
    ...metadataPatch,
  }, spec.quantization ?? "float16");
  generator.dispose();
  const dir = await Deno.makeTempDir({ prefix: "gan-edge-fixture-" });
  for (const [name, bytes] of files) await Deno.writeFile(`${dir}/${name}`, bytes);
  return dir;
}

/** An unconditional 28×28×1 image model. */
export const imageFixture = () => writeFixtureModel();

/** A conditional 28×28×1 image model with {@link CLASS_NAMES}. */
export const conditionalFixture = () => writeFixtureModel({ classNames: CLASS_NAMES });
