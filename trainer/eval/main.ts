/**
 * `deno task eval --model DIR [--dataset D] [--run DIR] [--json] [--record] …`:
 * the command line of {@link evaluate} (./evaluate.ts). Prints the table of
 * ./report.ts (or the report as JSON with `--json`); `--record` also writes
 * the headline metrics into the model's metadata. `--help` lists every flag.
 *
 * @module
 */
import { defineCommand, parseFlagsOrExit, z } from "@gan-edge/cli";
import { selectBackend } from "../backend.ts";
import { BACKENDS } from "../config.ts";
import { recordMetrics } from "../export.ts";
import { type EvalOptions, evaluate, headlineMetrics } from "./evaluate.ts";
import { DUPLICATE_THRESHOLD } from "./metrics/diversity.ts";
import { PAPER_PROTOCOL } from "./metrics/parzen.ts";
import { formatReport } from "./report.ts";

/** `deno task eval`'s flags; the defaults are the papers' protocols. */
export const evalCommand = defineCommand({
  name: "eval",
  summary: "Measure a generator artifact as the papers do: mode coverage for points, " +
    "Parzen log-likelihood, Fréchet distance, precision/recall (classifier features and " +
    "pixels), near-duplicates, within-class diversity and the class histogram for images. Prints a table (or JSON) and writes eval.json and a sample picture " +
    "beside the model. Every input is checked before the first file is written.",
  flags: z.object({
    model: z.string().min(1).meta({
      value: "DIR",
      description: "the model folder (model.json and its shards)",
    }),
    dataset: z.string().min(1).optional().meta({
      value: "NAME",
      description: "dataset to measure against (a folder model's; others use their own)",
      default: "the model's",
    }),
    run: z.string().min(1).optional().meta({
      value: "DIR",
      description: "run folder: D(x), D(G(z)) and V(G, D) from its last checkpoint",
    }),
    "keep-diagnostics": z.boolean().default(false).describe(
      "keep D(x), D(G(z)), V of the model's current eval.json (its run folder is gone)",
    ),
    json: z.boolean().default(false).describe("print the report as one JSON line"),
    record: z.boolean().default(false).describe(
      "write the headline metrics into the model's metadata",
    ),
    seed: z.int().min(0).max(0xffffffff).default(0).describe("seed of the generated latents"),
    samples: z.int().min(1).default(2500).describe(
      "points: generated points (VEEGAN/PacGAN: 2,500)",
    ),
    "parzen-samples": z.int().min(0).default(PAPER_PROTOCOL.samples).describe(
      "images: generated samples of the Parzen window (0 skips it)",
    ),
    validation: z.int().min(1).default(PAPER_PROTOCOL.validation).describe(
      "images: training-split images that choose Parzen's σ",
    ),
    test: z.int().min(2).optional().meta({
      description: "images: test images",
      default: "all",
    }),
    "metric-samples": z.int().min(4).default(10_000).describe(
      "images: generated samples of FD, precision/recall and the class histogram",
    ),
    "duplicate-threshold": z.number().positive().default(DUPLICATE_THRESHOLD).describe(
      "images: pixel L2 (on [0, 1]) under which two samples are near-duplicates",
    ),
    classifier: z.string().min(1).optional().meta({
      value: "DIR",
      description: "folder of the feature classifier",
      default: "trainer/classifier/models/DATASET",
    }),
    "data-dir": z.string().min(1).optional().meta({
      value: "DIR",
      description: "folder of the IDX files",
    }),
    backend: z.enum(BACKENDS).default("auto").describe("tfjs backend"),
  }),
});

/** The flags as parsed from a command line. */
export type EvalFlags = z.output<typeof evalCommand.flags>;

/** {@link evaluate}'s options from the command line's flags. */
export function evalOptions(flags: EvalFlags): EvalOptions {
  return {
    dataset: flags.dataset,
    run: flags.run,
    keepDiagnostics: flags["keep-diagnostics"],
    seed: flags.seed,
    samples: flags.samples,
    parzenSamples: flags["parzen-samples"],
    validation: flags.validation,
    test: flags.test,
    metricSamples: flags["metric-samples"],
    duplicateThreshold: flags["duplicate-threshold"],
    classifier: flags.classifier,
    dataDir: flags["data-dir"],
  };
}

if (import.meta.main) {
  const { flags } = parseFlagsOrExit(evalCommand, Deno.args);
  let result;
  try {
    await selectBackend(flags.backend);
    result = await evaluate(flags.model, {
      ...evalOptions(flags),
      log: (line) => console.error(line),
    });
    if (flags.record) await recordMetrics(flags.model, headlineMetrics(result));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
  console.log(flags.json ? JSON.stringify(result) : formatReport(result));
}
