/**
 * The bench's pure parts (the bench itself is not a test): percentiles and
 * summaries, MAC counting on models whose count is known by hand, parsing of
 * /proc and /usr/bin/time output, the table, and results.json's shape.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { buildGenerator } from "../../trainer/architectures.ts";
import { absDiff, median, percentile, summarize, timeAlternating } from "./stats.ts";
import { countMacs } from "./macs.ts";
import { maxRssKb, procStatusKb, serveProcessArgs } from "./http.ts";
import { checkResults, markdownTable, ratio, type Row, SCHEMA } from "./report.ts";
import { buildRows, cappedStep, memoryGrowth, pairedRatio } from "./main.ts";

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

Deno.test("rows, ratios and the Markdown table", () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.equal(ratio(null, 2), null);
  assert.equal(ratio(1, 0), null);
  const rows: Row[] = [
    {
      section: "s",
      measure: "a|b",
      ours: 12.345,
      unit: "ms",
      peer: "p",
      peerValue: 10,
      ratio: 1.2345,
    },
    { section: "s", measure: "c", ours: null, unit: "ms" },
  ];
  const md = markdownTable(rows).split("\n");
  assert.equal(md.length, 4);
  assert.match(md[2], /\| s \| a\\\|b \| 12\.3 ms \| p \| 10\.0 ms \| 1\.23× \|/);
  assert.match(md[3], /\| c \| — \|/);
});

function sampleResults() {
  const summary = (p50: number) => ({ p50, p99: p50, min: p50, max: p50, runs: 3 });
  const result = {
    schema: SCHEMA,
    date: "2026-01-01T00:00:00.000Z",
    command: "deno task bench",
    machine: { cpu: "x", cores: 2, loadavg_start: [1, 2, 3], loadavg_end: [1, 2, 3] },
    versions: { deno: "2.9.6", tfjs: "4.22.0", onnxruntime_web: "1.30.0", torch: "1.13" },
    trainer: {
      tfjs: { mlp: { wasm: { step: summary(4) }, webgpu: { error: "no adapter" }, cpu: {} } },
      torch: { mlp: { torch: { step: summary(2) } } },
    },
    generator: {},
    http: {},
    memory: {},
    table: [] as Row[],
  };
  result.table = buildRows(result, ["torch"]);
  return result;
}

Deno.test("results.json: the shape main.ts writes passes, a broken one is named", () => {
  const r = sampleResults();
  assert.deepEqual(checkResults(r), []);
  const wasm = r.table.find((row) => row.measure.endsWith("wasm"))!;
  assert.equal(wasm.ratio, 2);
  assert.equal(r.table.find((row) => row.measure.endsWith("webgpu"))!.note, "error: no adapter");
  const broken = { ...r, schema: "other", machine: { cpu: 1, cores: 2, loadavg_start: [1] } };
  const errors = checkResults(broken);
  assert.ok(errors.some((e) => e.startsWith("schema:")), errors.join("\n"));
  assert.ok(errors.some((e) => e.startsWith("machine.cpu:")));
  assert.ok(errors.some((e) => e.startsWith("machine.loadavg_start:")));
  assert.ok(errors.some((e) => e.startsWith("machine.loadavg_end:")));
  assert.deepEqual(checkResults(null), ["results: expected an object"]);
});

Deno.test("the committed results.json, if any, has the current shape", async () => {
  let text;
  try {
    text = await Deno.readTextFile(new URL("./results.json", import.meta.url));
  } catch {
    return; // not produced yet
  }
  assert.deepEqual(checkResults(JSON.parse(text)), []);
});

Deno.test("trainer rounds: the ratio is the median of the rounds' ratios, and the table uses it", () => {
  // Round 2 is slow for ours only (a burst of load): the pooled medians would
  // say 6 / 2 = 3, the rounds say 2.
  const ours = [[4, 4, 4], [40, 40, 40], [4, 4, 4]];
  const peer = [[2, 2, 2], [2, 2, 2], [2, 2, 2]];
  assert.deepEqual(pairedRatio(ours, peer), { ratio: 2, rounds: [2, 20, 2] });
  assert.deepEqual(pairedRatio([[4], []], [[2], [2]]), { ratio: 2, rounds: [2] });
  assert.equal(pairedRatio([[]], [[2]]), null);
  const r = sampleResults();
  // deno-lint-ignore no-explicit-any
  (r.trainer.torch.mlp.torch as any).paired = pairedRatio(ours, peer);
  const rows = buildRows(r, ["torch"]);
  const wasm = rows.find((row) => row.measure.endsWith("wasm"))!;
  assert.equal(wasm.ratio, 2);
  assert.match(wasm.note!, /median of 3 rounds taken in turn \(2\.00, 20\.00, 2\.00\)/);
});

Deno.test("memory growth: the peak of the second half of the runs against the first's", () => {
  const runs = (...mib: number[]) => ({
    c32_repeats: mib.map((m) => ({ requests: 1000, rss_kb: m * 1024 })),
  });
  // A saw-tooth (V8 growing its heap, then giving memory back) is flat.
  const saw = memoryGrowth(runs(222, 229, 233, 239, 245, 217, 221, 225, 230, 240))!;
  assert.equal(saw.mib, -5);
  assert.equal(saw.requests, 5000);
  assert.equal(saw.runs, 10);
  // A leak raises the peaks.
  assert.equal(memoryGrowth(runs(200, 210, 220, 230))!.mib, 20);
  assert.equal(memoryGrowth(runs(200, 210, 220)), null);
  assert.equal(memoryGrowth({}), null);
  const r = sampleResults();
  // deno-lint-ignore no-explicit-any
  (r as any).memory.server = { requests: 4001, ...runs(200, 201, 203, 202) };
  const row = buildRows(r, ["torch"]).find((x) => x.measure.startsWith("server RSS growth"))!;
  assert.equal(row.ours, 2);
  assert.match(row.measure, /last 2 of 4 concurrency-32 runs \(2000 requests\)/);
  // The RSS "after N requests" is the one after the last run, when all N were served.
  const after = buildRows(r, ["torch"]).find((x) =>
    x.measure === "server RSS after 4001 requests"
  )!;
  assert.equal(after.ours, 202);
});

Deno.test("timeAlternating calls each function in turn, the order reversed every other run", async () => {
  const calls: string[] = [];
  const ms = await timeAlternating([() => calls.push("a"), () => calls.push("b")], 3, 1);
  assert.deepEqual(calls, ["a", "b", "a", "b", "b", "a", "a", "b"]);
  assert.equal(ms.length, 2);
  assert.ok(ms.every((m) => m.length === 3 && m.every((x) => x >= 0)));
});

Deno.test("a cold-start baseline checkout gets its own row, ours ÷ theirs", () => {
  const r = sampleResults();
  const cold = (median: number) => ({ median, runs: [median] });
  // deno-lint-ignore no-explicit-any
  (r as any).http = {
    cold_start_ms: cold(400),
    cold_start_baseline_ms: { ...cold(500), checkout: "/tmp/old", commit: "e434fdc" },
    load: [],
  };
  const row = buildRows(r, ["torch"]).find((x) => x.measure.includes("another checkout"))!;
  assert.equal(row.ratio, 0.8);
  assert.equal(row.peer, "the server of e434fdc");
});

Deno.test("--cold-baseline that is not a checkout is refused by name, before anything runs", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname, "--cold-baseline", "/nope"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--cold-baseline: .*"\/nope"/);
});

Deno.test("a backend stopped at its time cap reports what it finished, or a lower bound", () => {
  const error = "stopped at the 120 s time cap";
  const p = (phase: string, ms: number) => ({ case: "dcgan64", phase, ms });
  const timed = cappedStep({ error, progress: [p("warmup", 50_000), p("run", 40_000)] }, 120);
  assert.equal(timed.step!.p50, 40_000);
  const warm = cappedStep({ error, progress: [p("warmup", 70_000)] }, 120);
  assert.equal(warm.step!.p50, 70_000);
  assert.match(warm.note, /warm-up/);
  const none = cappedStep({ error, progress: [] }, 120);
  assert.equal(none.lower_bound_ms, 120_000);
  assert.match(none.note, /> 120 s/);
});
