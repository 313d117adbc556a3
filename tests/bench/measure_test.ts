/**
 * The bench's measuring parts (the bench itself is not a test): percentiles
 * and summaries, MAC counting on models whose count is known by hand, parsing
 * of /proc and /usr/bin/time output, the trainer's rounds and time caps, and
 * the command line.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { buildGenerator } from "../../trainer/architectures.ts";
import { absDiff, median, percentile, summarize, timeAlternating } from "@gan-edge/bench/stats";
import { countMacs } from "@gan-edge/bench/macs";
import { maxRssKb, procStatusKb, serveProcessArgs } from "@gan-edge/bench/http";
import { cappedStep, pairedRatio } from "@gan-edge/bench/trainer";
import { gflops } from "@gan-edge/bench/matmul";
import { medianSide } from "@gan-edge/bench/limit";
import { benchCommand, threadCounts } from "@gan-edge/bench/config";
import { parseFlags } from "@gan-edge/cli";

await tf.setBackend("cpu");

Deno.test("percentiles interpolate between closest ranks, as NumPy's default", () => {
  const xs = [15, 20, 35, 40, 50];
  assert.equal(percentile(xs, 0), 15);
  assert.equal(percentile(xs, 100), 50);
  assert.equal(percentile(xs, 50), 35);
  assert.equal(percentile(xs, 40), 29); // rank 1.6: 20 + 0.6·15
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(percentile([7], 99), 7);
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.ok(Math.abs(percentile(hundred, 99) - 99.01) < 1e-9);
  assert.throws(() => percentile([], 50), RangeError);
  assert.throws(() => percentile([1], 101), RangeError);
  const s = summarize([3, 1, 2]);
  assert.deepEqual(s, { p50: 2, p99: 2.98, min: 1, max: 3, runs: 3 });
  assert.deepEqual(absDiff([1, 2, 3], [1, 2.5, 2]), { max: 1, mean: 0.5 });
});

Deno.test("MACs of dense and convolution layers from their shapes", () => {
  const x = tfl.input({ shape: [8, 8, 3] });
  const c = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same" })
    .apply(x) as tfl.SymbolicTensor; // 4×4×4 out: 4·4·4·3·3·3 = 1728
  const t = tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: "same" })
    .apply(c) as tfl.SymbolicTensor; // 4·4·4 in, 4·4·2 taps: 16·4·16·2 = 2048
  const f = tfl.layers.flatten().apply(t) as tfl.SymbolicTensor; // 8·8·2 = 128
  const d = tfl.layers.dense({ units: 5 }).apply(f) as tfl.SymbolicTensor; // 640
  const model = tfl.model({ inputs: x, outputs: d });
  const { total, layers } = countMacs(model);
  assert.deepEqual(layers.map((l) => l.macs), [1728, 2048, 640]);
  assert.equal(total, 1728 + 2048 + 640);
  model.dispose();
});

Deno.test("MACs of the shipped ring8 MLP and the width-32 DCGAN generator", () => {
  const mlp = buildGenerator({
    id: "mlp",
    latentDim: 8,
    output: { kind: "points", dim: 2 },
    generatorHidden: [128, 128],
    discriminatorHidden: [128, 128],
    dropout: 0,
  });
  assert.equal(countMacs(mlp).total, 8 * 128 + 128 * 128 + 128 * 2);
  mlp.dispose();
  const dcgan = buildGenerator({
    id: "dcgan",
    latentDim: 64,
    output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
    width: 32,
    dropout: 0,
    numClasses: 10,
  });
  // project 64→7·7·128; 7×7×128 → 14×14×64 (k4); 14×14×64 → 28×28×1 (k4).
  const expected = 64 * 6272 + 49 * 128 * 16 * 64 + 196 * 64 * 16 * 1;
  assert.equal(countMacs(dcgan).total, expected);
  dcgan.dispose();
});

Deno.test("peak memory is read from /proc status and /usr/bin/time -v", () => {
  const status = "Name:\tdeno\nVmPeak:\t 100 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
  assert.equal(procStatusKb(status, "VmHWM"), 204800);
  assert.equal(procStatusKb(status, "VmRSS"), 102400);
  assert.equal(procStatusKb(status, "VmSwap"), null);
  assert.equal(maxRssKb("\tMaximum resident set size (kbytes): 630788\n"), 630788);
  assert.equal(maxRssKb("nothing"), null);
});

Deno.test("the cold start's server process runs exactly the serve task's deno run", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const args = serveProcessArgs(config.tasks.serve.command);
  assert.equal(args[0], "run");
  assert.equal(args.at(-1), "edge/serve.ts");
  assert.deepEqual(serveProcessArgs(" deno run --allow-net  edge/serve.ts "), [
    "run",
    "--allow-net",
    "edge/serve.ts",
  ]);
  for (const bad of ["deno task x", "node edge/serve.ts", "deno run a.ts && deno run b.ts"]) {
    assert.throws(() => serveProcessArgs(bad), /expected one plain "deno run/);
  }
});

Deno.test("timeAlternating calls each function in turn, the order reversed every other run", async () => {
  const calls: string[] = [];
  const ms = await timeAlternating([() => calls.push("a"), () => calls.push("b")], 3, 1);
  assert.deepEqual(calls, ["a", "b", "a", "b", "b", "a", "a", "b"]);
  assert.equal(ms.length, 2);
  assert.ok(ms.every((m) => m.length === 3 && m.every((x) => x >= 0)));
});

Deno.test("--cold-baseline that is not a checkout is refused by name, before anything runs", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../bench/main.ts", import.meta.url).pathname,
      "--cold-baseline",
      "/nope",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--cold-baseline: .*"\/nope"/);
});

Deno.test("a backend stopped at its time cap reports what it finished, or a lower bound", () => {
  const error = "stopped at the 120 s time cap";
  const p = (phase: "warmup" | "run", ms: number) => ({ case: "dcgan64", phase, ms });
  const timed = cappedStep(error, [p("warmup", 50_000), p("run", 40_000)], 120);
  assert.equal(timed.step!.p50, 40_000);
  const warm = cappedStep(error, [p("warmup", 70_000)], 120);
  assert.equal(warm.step!.p50, 70_000);
  assert.match(warm.note!, /warm-up/);
  const none = cappedStep(error, [], 120);
  assert.equal(none.step, null);
  assert.equal(none.lower_bound_ms, 120_000);
  assert.match(none.note!, /> 120 s/);
});

Deno.test("trainer rounds: a ratio is the median of the rounds' ratios", () => {
  // Round 2 is slow for ours only (a burst of load): the pooled medians would
  // say 6 / 2 = 3, the rounds say 2.
  const ours = [[4, 4, 4], [40, 40, 40], [4, 4, 4]];
  const peer = [[2, 2, 2], [2, 2, 2], [2, 2, 2]];
  assert.deepEqual(pairedRatio(ours, peer), { ratio: 2, rounds: [2, 20, 2] });
  assert.deepEqual(pairedRatio([[4], []], [[2], [2]]), { ratio: 2, rounds: [2] });
  assert.equal(pairedRatio([[]], [[2]]), null);
});

Deno.test("matmul GFLOP/s: N threads each multiplying at once, and the median round", () => {
  // 2·512³ = 268,435,456 FLOPs in 10 ms is 26.8 GFLOP/s; two Workers at once, twice that.
  assert.ok(Math.abs(gflops(512, 1, 10) - 26.8435456) < 1e-9);
  assert.ok(Math.abs(gflops(512, 2, 10) - 53.6870912) < 1e-9);
  const side = (g: number) => ({ threads: 1, gflops: g, call: summarize([1]), seconds: 1 });
  assert.equal(medianSide([side(3), side(1), side(2)])!.gflops, 2);
  assert.equal(medianSide([side(4), side(1)])!.gflops, 1);
  assert.equal(medianSide([]), null);
});

Deno.test("command line: defaults, lists, and thread counts 1 and every core", () => {
  const parsed = parseFlags(benchCommand, []);
  assert.ok(!parsed.help);
  const flags = parsed.flags;
  assert.deepEqual(flags.only, ["trainer", "generator", "http", "memory"]);
  assert.deepEqual(flags.cases, ["mlp", "dcgan64", "dcgan32c"]);
  assert.equal(flags.python, "/usr/bin/python3");
  assert.equal(flags.threads, undefined);
  const some = parseFlags(benchCommand, ["--threads", "1,4", "--cases", "mlp"]);
  assert.ok(!some.help);
  assert.deepEqual(some.flags.threads, [1, 4]);
  assert.deepEqual(some.flags.cases, ["mlp"]);
  assert.deepEqual(threadCounts(undefined, 2), [1, 2]);
  assert.deepEqual(threadCounts(undefined, 1), [1]);
  assert.deepEqual(threadCounts([4, 1, 4], 8), [1, 4]);
  assert.throws(() => parseFlags(benchCommand, ["--only", "trainer,gpu"]), /--only: expected/);
  assert.throws(() => parseFlags(benchCommand, ["--threads", "0"]), /--threads: expected/);
});
