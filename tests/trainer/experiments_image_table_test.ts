/** The image table's markdown and the tables' resumable runner (trainer/experiments/). */
import assert from "node:assert/strict";
import { type ImageResult, imageTable } from "../../trainer/experiments/image_table.ts";
import { runCells } from "../../trainer/experiments/table_runs.ts";

Deno.test("image table: one row per run, with the command's budget, backend and a dash for what a model lacks", () => {
  const run = (arch: string, metrics: Record<string, number>): ImageResult => ({
    dataset: "fashion-mnist",
    arch,
    loss: "ns",
    seed: 0,
    steps: 900,
    flags: [],
    metrics,
    seconds: 321,
    backend: "wasm",
  });
  const table = imageTable([
    run("cdcgan", {
      parzen_ll: 250.34,
      parzen_se: 2.71,
      frechet: 2.114,
      frechet_floor: 0.081,
      precision: 0.7991,
      recall: 0.0451,
      class_kl: 0.0042,
      label_agreement: 0.919,
    }),
    run("mlp", { parzen_ll: -10, parzen_se: 1, frechet: 9, frechet_floor: 0.08 }),
  ]).split("\n");
  assert.equal(table.length, 4);
  assert.equal(
    table[2],
    "| cdcgan | ns | 900 | 250.3 ± 2.7 | 2.11 (0.08) | 0.799 | 0.045 | 0.004 | 0.919 | 321 s, wasm |",
  );
  assert.equal(
    table[3],
    "| mlp | ns | 900 | -10.0 ± 1.0 | 9.00 (0.08) | — | — | — | — | 321 s, wasm |",
  );
});

Deno.test("runCells: skips cells already in results.jsonl, appends the rest as they end", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  try {
    await Deno.writeTextFile(path, JSON.stringify({ k: "a", v: 1 }) + "\n");
    const ran: string[] = [];
    const results = await runCells<string, { k: string; v: number }>(
      path,
      ["a", "b", "c"],
      { cell: (c) => c, result: (r) => r.k },
      2,
      (c) => {
        ran.push(c);
        return Promise.resolve({ k: c, v: 2 });
      },
    );
    assert.deepEqual(ran.sort(), ["b", "c"]);
    assert.deepEqual(results.map((r) => r.k).sort(), ["a", "b", "c"]);
    const lines = (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l).k);
    assert.deepEqual(lines.sort(), ["a", "b", "c"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
