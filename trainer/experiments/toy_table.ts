/**
 * `deno task toy-table [--datasets ring8,grid25] [--losses ns,…] [--seeds 0,1,2,3,4]
 * [--steps N] [--jobs 2] [--out runs/toy-table] [-- extra train flags]`:
 * trains every (dataset, loss, seed) with `deno task train` (at most `--jobs`
 * at once), measures each model with the VEEGAN/PacGAN protocol
 * (../eval/metrics/modes.ts: 2,500 samples), and prints and writes
 * (`OUT/table.md`) the results table: modes captured and % high-quality
 * samples as mean ± standard error over the seeds, next to the published
 * rows.
 *
 * Results are appended to `OUT/results.jsonl` as each run ends, and runs
 * already there are skipped, so an interrupted table resumes.
 *
 * @module
 */
import { defineCommand, parseFlagsOrExit, z } from "@gan-edge/cli";
import { LOSSES } from "../losses.ts";
import { selectBackend } from "../backend.ts";
import { evaluate } from "../eval/evaluate.ts";
import { runCells, trainRun } from "./table_runs.ts";

/** The published rows (PacGAN Table 1, VEEGAN Table 1): modes / HQ %. */
export const PUBLISHED = [
  ["GAN (PacGAN Table 1)", "6.3 / 98.2", "17.3 / 94.8"],
  ["ALI (PacGAN Table 1)", "6.6 / 97.6", "24.1 / 95.7"],
  ["PacGAN2 (PacGAN Table 1)", "7.9 / 95.6", "23.8 / 91.3"],
  ["PacGAN4 (PacGAN Table 1)", "7.8 / 95.9", "24.8 / 93.6"],
  ["VEEGAN (VEEGAN Table 1)", "8 / 52.9", "24.6 / 40"],
  ["Unrolled GAN (VEEGAN Table 1)", "7.6 / 35.6", "23.6 / 16"],
] as const;

/** One measured run. */
export interface ToyResult {
  dataset: string;
  loss: string;
  seed: number;
  steps: number;
  flags: string[];
  captured: number;
  modes: number;
  highQuality: number;
  reverseKl: number;
  seconds: number;
}

/** Mean and standard error (sample std / √n; 0 for one value). */
export function meanStderr(xs: number[]): { mean: number; stderr: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, stderr: 0 };
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n) };
}

/** "modes ± se / HQ % ± se (n seeds)" of the results of one cell, or "not measured". */
export function cell(results: ToyResult[]): string {
  if (results.length === 0) return "not measured";
  const m = meanStderr(results.map((r) => r.captured));
  const q = meanStderr(results.map((r) => 100 * r.highQuality));
  return `${m.mean.toFixed(1)} ± ${m.stderr.toFixed(1)} / ${q.mean.toFixed(1)} ± ${
    q.stderr.toFixed(1)
  } (${results.length} seed${results.length > 1 ? "s" : ""})`;
}

/** The markdown table: one row per loss, then the published rows. */
export function markdownTable(results: ToyResult[], losses: readonly string[]): string {
  const rows = [
    "| row | ring8 modes / HQ % | grid25 modes / HQ % |",
    "| --- | --- | --- |",
    ...losses.map((loss) => {
      const of = (d: string) => results.filter((r) => r.loss === loss && r.dataset === d);
      return `| ours: ${loss} | ${cell(of("ring8"))} | ${cell(of("grid25"))} |`;
    }),
    ...PUBLISHED.map(([name, ring, grid]) => `| ${name} | ${ring} | ${grid} |`),
  ];
  return rows.join("\n");
}

/** `deno task toy-table`'s flags; after `--`, flags for every training run. */
export const toyTableCommand = defineCommand({
  name: "toy-table",
  summary: "Train every (dataset, loss, seed) on the mixtures, measure each with the " +
    "VEEGAN/PacGAN protocol (2,500 samples), and print and write OUT/table.md (mean ± " +
    "standard error over seeds). Results go to OUT/results.jsonl as each run ends; runs " +
    "already there are skipped.",
  flags: z.object({
    datasets: z.array(z.enum(["ring8", "grid25"])).min(1).default(["ring8", "grid25"])
      .describe("mixtures, comma list"),
    losses: z.array(z.enum(LOSSES)).min(1).default([...LOSSES]).describe("losses, comma list"),
    seeds: z.array(z.int().min(0)).min(1).default([0, 1, 2, 3, 4]).describe(
      "training seeds, comma list",
    ),
    steps: z.int().min(1).optional().meta({
      description: "generator steps of every run",
      default: "deno task train's",
    }),
    jobs: z.int().min(1).default(2).describe("runs at once"),
    out: z.string().min(1).default("runs/toy-table").meta({
      value: "DIR",
      description: "folder of the runs, results.jsonl and table.md",
    }),
    "table-only": z.boolean().default(false).describe(
      "train nothing: print the table of OUT/results.jsonl",
    ),
  }),
  positionals: { usage: "-- TRAIN FLAGS", help: "flags passed to every deno task train" },
});

if (import.meta.main) {
  const { flags: values, positionals } = parseFlagsOrExit(toyTableCommand, Deno.args);
  const { datasets, losses, seeds } = values;
  const steps = values.steps ?? null;
  const flags = positionals; // after `--`: passed to every training run
  await Deno.mkdir(values.out, { recursive: true });
  await selectBackend("wasm");
  const cells = values["table-only"]
    ? []
    : datasets.flatMap((d) => losses.flatMap((l) => seeds.map((s) => [d, l, s] as const)));
  const key = (d: string, l: string, s: number) => `${d}/${l}/${s}`;
  const started = performance.now();
  const done = await runCells<readonly [string, string, number], ToyResult>(
    `${values.out}/results.jsonl`,
    cells,
    { cell: ([d, l, s]) => key(d, l, s), result: (r) => key(r.dataset, r.loss, r.seed) },
    values.jobs,
    async ([dataset, loss, seed]) => {
      const dir = `${values.out}/${dataset}-${loss}-s${seed}`;
      const seconds = await trainRun([
        "--dataset",
        dataset,
        "--loss",
        loss,
        "--seed",
        String(seed),
        ...(steps ? ["--steps", String(steps)] : []),
        ...flags,
      ], dir);
      const m = (await evaluate(`${dir}/model`)).modes!;
      console.log(
        `${dataset} ${loss} seed ${seed}: ${m.captured}/${m.modes} modes, ` +
          `${(100 * m.highQuality).toFixed(1)} % HQ (${Math.round(seconds)} s)`,
      );
      return {
        dataset,
        loss,
        seed,
        steps: steps ?? 0,
        flags,
        captured: m.captured,
        modes: m.modes,
        highQuality: m.highQuality,
        reverseKl: m.reverseKl,
        seconds: Math.round(seconds),
      };
    },
  );
  const table = markdownTable(done, losses);
  await Deno.writeTextFile(`${values.out}/table.md`, table + "\n");
  console.log(table);
  console.log(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s; backend wasm`);
}
