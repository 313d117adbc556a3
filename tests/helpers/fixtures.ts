/** Test fixtures: valid metadata and a copy of the shipped ring8 model. */
import type { GanMetadata } from "@gan-edge/shared/schema";
import { fileURLToPath } from "node:url";

/** The model shipped with the edge. */
export const SHIPPED_RING8 = fileURLToPath(
  new URL("../../edge/models/ring8", import.meta.url),
);

/** Metadata that passes the schema (shards filled in by encoding). */
export function validMetadata(): Omit<GanMetadata, "shards" | "quantization"> {
  return {
    formatVersion: "1.0.0",
    latent: { dim: 8, distribution: "normal" },
    output: { kind: "points", dim: 2 },
    architecture: { id: "mlp", hyperparameters: { generatorHidden: [16] } },
    training: {
      dataset: "ring8",
      loss: "ns",
      steps: 1,
      seed: 0,
      backend: "cpu",
      date: "2026-11-25T00:00:00.000Z",
    },
    metrics: {},
  };
}

/** A fresh copy of the shipped ring8 model in a temporary folder. */
export async function copyOfShippedModel(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "gan-edge-model-" });
  for await (const entry of Deno.readDir(SHIPPED_RING8)) {
    await Deno.copyFile(
      `${SHIPPED_RING8}/${entry.name}`,
      `${dir}/${entry.name}`,
    );
  }
  return dir;
}

/** Reads and parses `dir/model.json`. */
export async function readModelJson(
  dir: string,
): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
}
