/**
 * `deno task eval --model DIR [--dataset D] [--run DIR] [--json] [--record] …`:
 * the command line of {@link evaluate} (./evaluate.ts). Prints the table of
 * ./report.ts (or the report as JSON with `--json`); `--record` also writes
 * the headline metrics into the model's metadata.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type BackendName, selectBackend } from "../backend.ts";
import { BACKENDS } from "../config.ts";
import { recordMetrics } from "../export.ts";
import { type EvalOptions, evaluate, headlineMetrics } from "./evaluate.ts";
import { PAPER_PROTOCOL } from "./metrics/parzen.ts";
import { formatReport } from "./report.ts";

const USAGE = "Usage: deno task eval --model DIR [--dataset D] [--run DIR] [--json] [--seed S]\n" +
  "  [--samples N] (points, default 2500) [--parzen-samples N] (default 10000; 0 skips)\n" +
  "  [--validation N] (default 1000) [--test N] (default all) [--metric-samples N] " +
  "(default 10000)\n  [--classifier DIR] [--data-dir DIR] [--backend wasm|cpu|…]\n" +
  "  [--record] (write the headline metrics into the model's metadata)";

/** Parses the flags; throws with a message naming the bad flag. */
export function parseEvalArgs(args: string[]): EvalOptions & {
  model: string;
  json: boolean;
  /** Write the headline metrics into the model's metadata. */
  record: boolean;
  backend: BackendName;
} {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string" },
      dataset: { type: "string" },
      run: { type: "string" },
      json: { type: "boolean", default: false },
      record: { type: "boolean", default: false },
      seed: { type: "string", default: "0" },
      samples: { type: "string", default: "2500" },
      "parzen-samples": { type: "string", default: String(PAPER_PROTOCOL.samples) },
      validation: { type: "string", default: String(PAPER_PROTOCOL.validation) },
      test: { type: "string" },
      "metric-samples": { type: "string", default: "10000" },
      classifier: { type: "string" },
      "data-dir": { type: "string" },
      backend: { type: "string", default: "auto" },
    },
  });
  if (!values.model) throw new Error(`--model DIR is required\n${USAGE}`);
  const int = (name: string, raw: string | undefined, min: number, max = Infinity) => {
    const v = Number(raw);
    if (raw === undefined || raw.trim() === "" || !Number.isInteger(v) || v < min || v > max) {
      throw new Error(
        `--${name}: expected an integer in [${min}, ${max === Infinity ? "∞" : max}], got "${raw}"`,
      );
    }
    return v;
  };
  if (!(BACKENDS as readonly string[]).includes(values.backend)) {
    throw new Error(`--backend: expected one of ${BACKENDS.join(", ")}, got "${values.backend}"`);
  }
  return {
    model: values.model,
    json: values.json,
    record: values.record,
    backend: values.backend as BackendName,
    dataset: values.dataset,
    run: values.run,
    seed: int("seed", values.seed, 0, 0xffffffff),
    samples: int("samples", values.samples, 1),
    parzenSamples: int("parzen-samples", values["parzen-samples"], 0),
    validation: int("validation", values.validation, 1),
    test: values.test === undefined ? undefined : int("test", values.test, 2),
    metricSamples: int("metric-samples", values["metric-samples"], 4),
    classifier: values.classifier,
    dataDir: values["data-dir"],
  };
}

if (import.meta.main) {
  let options;
  try {
    options = parseEvalArgs(Deno.args);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(2);
  }
  let result;
  try {
    await selectBackend(options.backend);
    result = await evaluate(options.model, {
      ...options,
      log: (line) => console.error(line),
    });
    if (options.record) await recordMetrics(options.model, headlineMetrics(result));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
  console.log(options.json ? JSON.stringify(result) : formatReport(result));
}
