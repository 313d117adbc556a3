/**
 * `deno task bench`'s command line: one zod schema gives every flag, its
 * default, its help line and its type (@gan-edge/cli).
 *
 * @module
 */
import { defineCommand, z } from "@gan-edge/cli";
import { PYTHON } from "./peers.ts";
import { BACKENDS, CASES, SECTIONS } from "./schema.ts";

/** The command line: every flag, its default and its help line. */
export const benchCommand = defineCommand({
  name: "bench",
  summary: "Benchmarks against peers measured in the same run: the 512×512 matmul limit, " +
    "the trainer, the generator, HTTP and memory. Prints the table, writes results.json.",
  flags: z.object({
    quick: z.boolean().default(false).describe(
      "few runs and one round: a smoke test, not figures to quote",
    ),
    only: z.array(z.enum(SECTIONS)).default([...SECTIONS]).describe(
      "sections to run (the 512×512 matmul limit runs always)",
    ),
    cases: z.array(z.enum(CASES)).default([...CASES]).describe("trainer cases to run"),
    backends: z.array(z.enum(BACKENDS)).default([...BACKENDS]).describe(
      "tfjs backends of the trainer section",
    ),
    threads: z.array(z.int().positive()).optional().describe(
      "thread counts of the limit and trainer sections, the same on both sides",
    ).meta({ default: "1,CORES" }),
    python: z.string().default(PYTHON).describe(
      "the Python that runs the PyTorch peer (it needs torch and numpy)",
    ).meta({ value: "PATH" }),
    "blas-dir": z.string().optional().describe(
      "a folder with a libblas.so.3 that the peer loads instead of the system's",
    ).meta({ value: "DIR" }),
    out: z.string().optional().describe("where results.json goes")
      .meta({ value: "FILE", default: "bench/results.json" }),
    trained: z.string().optional().describe(
      "a float32 generator folder (a run's checkpoints/latest/generator), read only, measured too",
    ).meta({ value: "DIR" }),
    "cold-baseline": z.string().optional().describe(
      "another checkout whose server starts in turn with ours",
    ).meta({ value: "DIR" }),
  }),
});
export type BenchFlags = z.output<typeof benchCommand.flags>;

/** The thread counts to measure: 1 and every core, unless given. */
export function threadCounts(given: readonly number[] | undefined, cores: number): number[] {
  return [...new Set(given ?? [1, cores])].sort((a, b) => a - b);
}
