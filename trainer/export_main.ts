/**
 * `deno task export --run DIR [--quantize uint8|float16|float32]`: writes
 * `DIR/model/` from the run's float32 generator checkpoint and reports the
 * artifact's size and fidelity against float32.
 *
 * @module
 */
import { defineCommand, parseFlagsOrExit, z } from "@gan-edge/cli";
import { QuantizationSchema } from "@gan-edge/shared/schema";
import { exportRun } from "./export.ts";
import { selectBackend } from "./backend.ts";

/** `deno task export`'s flags. */
export const exportCommand = defineCommand({
  name: "export",
  summary: "Write a run's generator as the edge artifact, DIR/model/, from its float32 " +
    "checkpoint, and report its size and fidelity against float32.",
  flags: z.object({
    run: z.string().min(1).meta({
      value: "DIR",
      description: "the run folder that deno task train wrote",
    }),
    quantize: QuantizationSchema.default("float16").describe("weight format of the artifact"),
  }),
});

if (import.meta.main) {
  const { flags } = parseFlagsOrExit(exportCommand, Deno.args);
  await selectBackend("auto");
  try {
    const { bytes, fidelity } = await exportRun(flags.run, flags.quantize);
    console.log(
      `wrote ${flags.run}/model (${bytes} bytes, ${flags.quantize}; max |Δ| vs float32 ` +
        `${fidelity.maxAbsDiff.toExponential(2)}, mean ${fidelity.meanAbsDiff.toExponential(2)} ` +
        `over ${fidelity.latents} latents)`,
    );
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
