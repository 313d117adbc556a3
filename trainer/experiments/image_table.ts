/**
 * `deno task image-table [--dataset fashion-mnist] [--archs cdcgan,dcgan,mlp]
 * [--losses ns,…] [--seed 0] [--steps 900] [--jobs 1] [--out runs/image-table]
 * [-- extra train flags]`: trains every (architecture, loss) on an image
 * dataset for the same number of generator steps, measures each model with
 * `deno task eval` (Parzen log-likelihood, Fréchet distance, k-NN precision
 * and recall and the class histogram in our classifier's features),
 * and prints and writes (`OUT/table.md`) the results table, with each run's
 * wall time and backend. Results are appended to `OUT/results.jsonl` as each
 * run ends; runs already there are skipped, so an interrupted table resumes.
 *
 * @module
 */
import { defineCommand, parseFlagsOrExit, z } from "@gan-edge/cli";
import { LOSSES } from "../losses.ts";
import { selectBackend } from "../backend.ts";
import { BACKENDS } from "../config.ts";
import { evaluate, headlineMetrics } from "../eval/evaluate.ts";
import { runCells, trainRun } from "./table_runs.ts";

/** The architectures of the table, as `deno task train` flags. */
export const ARCHS: Record<string, string[]> = {
  /** The shipped model's architecture: class-conditional DCGAN, width 32. */
  cdcgan: ["--arch", "dcgan", "--width", "32", "--conditional"],
  dcgan: ["--arch", "dcgan", "--width", "32"],
  mlp: ["--arch", "mlp", "--g-hidden", "256,512", "--d-hidden", "512,256"],
};

/** One measured run. */
export interface ImageResult {
  dataset: string;
  arch: string;
  loss: string;
  seed: number;
  steps: number;
  flags: string[];
  /** `headlineMetrics` of the run's eval report (parzen_ll, frechet, …). */
  metrics: Record<string, number>;
  seconds: number;
  backend: string;
}

const fixed = (x: number | undefined, digits: number) => x === undefined ? "—" : x.toFixed(digits);

/** The markdown table: one row per run, in the order given. */
export function imageTable(results: ImageResult[]): string {
  return [
    "| architecture | loss | G steps | Parzen log-likelihood | FD (floor) | precision | recall | class KL | label agreement | wall time, backend |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...results.map((r) => {
      const m = r.metrics;
      return `| ${r.arch} | ${r.loss} | ${r.steps} | ${fixed(m.parzen_ll, 1)} ± ${
        fixed(m.parzen_se, 1)
      } | ${fixed(m.frechet, 2)} (${fixed(m.frechet_floor, 2)}) | ${fixed(m.precision, 3)} | ${
        fixed(m.recall, 3)
      } | ${fixed(m.class_kl, 3)} | ${
        fixed(m.label_agreement, 3)
      } | ${r.seconds} s, ${r.backend} |`;
    }),
  ].join("\n");
}

/** `deno task image-table`'s flags; after `--`, flags for every training run. */
export const imageTableCommand = defineCommand({
  name: "image-table",
  summary: "Train every (architecture, loss) on an image dataset for the same steps, " +
    "measure each with deno task eval, and print and write OUT/table.md. Results go to " +
    "OUT/results.jsonl as each run ends; runs already there are skipped.",
  flags: z.object({
    dataset: z.enum(["fashion-mnist", "mnist"]).default("fashion-mnist").describe(
      "image dataset",
    ),
    archs: z.array(z.enum(Object.keys(ARCHS) as [string, ...string[]])).min(1).default(
      Object.keys(ARCHS),
    ).describe("architectures, comma list"),
    losses: z.array(z.enum(LOSSES)).min(1).default([...LOSSES]).describe("losses, comma list"),
    seed: z.int().min(0).default(0).describe("training seed"),
    steps: z.int().min(1).default(900).describe("generator steps of every run"),
    jobs: z.int().min(1).default(1).describe("runs at once"),
    out: z.string().min(1).default("runs/image-table").meta({
      value: "DIR",
      description: "folder of the runs, results.jsonl and table.md",
    }),
    backend: z.enum(BACKENDS).default("auto").describe("training backend"),
    "table-only": z.boolean().default(false).describe(
      "train nothing: print the table of OUT/results.jsonl",
    ),
  }),
  positionals: { usage: "-- TRAIN FLAGS", help: "flags passed to every deno task train" },
});

if (import.meta.main) {
  const { flags: values, positionals } = parseFlagsOrExit(imageTableCommand, Deno.args);
  const { archs, losses, dataset, backend } = values;
  const seed = String(values.seed);
  const steps = String(values.steps);
  await Deno.mkdir(values.out, { recursive: true });
  await selectBackend("wasm"); // for evaluation in this process
  const cells = values["table-only"]
    ? []
    : archs.flatMap((a) => losses.map((l) => [a, l] as const));
  const key = (a: string, l: string) => `${dataset}/${a}/${l}/${seed}/${steps}`;
  const results = await runCells<readonly [string, string], ImageResult>(
    `${values.out}/results.jsonl`,
    cells,
    { cell: ([a, l]) => key(a, l), result: (r) => key(r.arch, r.loss) },
    values.jobs,
    async ([arch, loss]) => {
      const dir = `${values.out}/${dataset}-${arch}-${loss}-s${seed}`;
      const flags = [...ARCHS[arch], ...positionals];
      const seconds = await trainRun([
        "--dataset",
        dataset,
        "--loss",
        loss,
        "--seed",
        seed,
        "--steps",
        steps,
        "--backend",
        backend,
        ...flags,
      ], dir);
      const report = await evaluate(`${dir}/model`, { dataset });
      const model = JSON.parse(await Deno.readTextFile(`${dir}/model/model.json`));
      const result: ImageResult = {
        dataset,
        arch,
        loss,
        seed: Number(seed),
        steps: Number(steps),
        flags,
        metrics: headlineMetrics(report),
        seconds: Math.round(seconds),
        backend: model.userDefinedMetadata.training.backend,
      };
      console.log(imageTable([result]).split("\n").at(-1));
      return result;
    },
  );
  const table = imageTable(results.filter((r) => r.dataset === dataset));
  await Deno.writeTextFile(`${values.out}/table.md`, table + "\n");
  console.log(table);
}
