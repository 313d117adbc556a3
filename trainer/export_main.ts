/**
 * `deno task export --run DIR [--quantize uint8|float16|float32]`: writes
 * `DIR/model/` from the run's float32 generator checkpoint and reports the
 * artifact's size and fidelity against float32.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { QUANTIZATIONS } from "./config.ts";
import { exportRun } from "./export.ts";
import { selectBackend } from "./backend.ts";
import type { Quantization } from "@gan-edge/shared/schema";

const USAGE = "Usage: deno task export --run DIR [--quantize uint8|float16|float32]";

if (import.meta.main) {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        run: { type: "string" },
        quantize: { type: "string", default: "float16" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (!values.run) {
    console.error(`error: --run DIR is required\n${USAGE}`);
    Deno.exit(2);
  }
  if (!(QUANTIZATIONS as readonly string[]).includes(values.quantize)) {
    console.error(
      `error: --quantize: expected one of ${QUANTIZATIONS.join(", ")}, got "${values.quantize}"`,
    );
    Deno.exit(2);
  }
  await selectBackend("auto");
  try {
    const { bytes, fidelity } = await exportRun(
      values.run,
      values.quantize as Quantization,
    );
    console.log(
      `wrote ${values.run}/model (${bytes} bytes, ${values.quantize}; max |Δ| vs float32 ` +
        `${fidelity.maxAbsDiff.toExponential(2)}, mean ${fidelity.meanAbsDiff.toExponential(2)} ` +
        `over ${fidelity.latents} latents)`,
    );
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
