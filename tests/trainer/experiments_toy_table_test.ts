/** The toy table's statistics and markdown (trainer/experiments/toy_table.ts). */
import assert from "node:assert/strict";
import {
  cell,
  markdownTable,
  meanStderr,
  type ToyResult,
} from "../../trainer/experiments/toy_table.ts";

const result = (loss: string, dataset: string, captured: number, hq: number): ToyResult => ({
  dataset,
  loss,
  seed: 0,
  steps: 10,
  flags: [],
  captured,
  modes: dataset === "ring8" ? 8 : 25,
  highQuality: hq,
  reverseKl: 0,
  seconds: 1,
});

Deno.test("mean ± standard error uses the sample standard deviation / √n", () => {
  assert.deepEqual(meanStderr([5]), { mean: 5, stderr: 0 });
  const { mean, stderr } = meanStderr([6, 8, 8, 8, 8]);
  assert.equal(mean, 7.6);
  // sample variance = (2.56 + 4 × 0.16) / 4 = 0.8; stderr = √(0.8 / 5) = 0.4
  assert.ok(Math.abs(stderr - 0.4) < 1e-12);
});

Deno.test("cells say how many seeds, and unmeasured cells say so", () => {
  assert.equal(cell([]), "not measured");
  assert.equal(
    cell([result("ns", "ring8", 8, 0.9), result("ns", "ring8", 6, 0.8)]),
    "7.0 ± 1.0 / 85.0 ± 5.0 (2 seeds)",
  );
  const table = markdownTable([result("ns", "ring8", 8, 1)], ["ns", "hinge"]);
  assert.match(table, /\| ours: ns \| 8\.0 ± 0\.0 \/ 100\.0 ± 0\.0 \(1 seed\) \| not measured \|/);
  assert.match(table, /\| ours: hinge \| not measured \| not measured \|/);
  assert.match(table, /\| GAN \(PacGAN Table 1\) \| 6\.3 \/ 98\.2 \| 17\.3 \/ 94\.8 \|/);
});

Deno.test("deno task toy-table --table-only prints the table of OUT/results.jsonl; bad flags exit 2", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/results.jsonl`,
    JSON.stringify(result("ns", "ring8", 8, 1)) + "\n",
  );
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "toy-table", ...args],
      cwd: new URL("../../", import.meta.url),
      env: { NO_COLOR: "1" },
    }).output();
  const out = await run(["--table-only", "--losses", "ns", "--out", dir]);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(new TextDecoder().decode(out.stdout), /\| ours: ns \| 8\.0 ± 0\.0 \/ 100\.0/);
  assert.match(await Deno.readTextFile(`${dir}/table.md`), /\| ours: ns \|/);
  const bad = await run(["--table-only", "--seeds", "0,x", "--out", dir]);
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /--seeds: expected a comma list/);
  await Deno.remove(dir, { recursive: true });
});
