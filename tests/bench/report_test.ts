/**
 * The bench's table and results.json: rows built from typed measures, ratios
 * at equal thread counts read against the matmul limit, "not measured" rows
 * when the peer is missing, and results.json's schema.
 */
import assert from "node:assert/strict";
import {
  buildRows,
  gflopsOf,
  markdownTable,
  memoryGrowth,
  ratio,
  stepMacs,
} from "@gan-edge/bench/report";
import { checkResults, type Measured, Results, type Row } from "@gan-edge/bench/schema";
import { MISSING_PEER, sampleMeasured } from "./fixtures.ts";

const find = (rows: Row[], f: (r: Row) => boolean) => {
  const row = rows.find(f);
  assert.ok(row, "row not found");
  return row;
};

Deno.test("ratios: ours ÷ peer, null when a side is missing", () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.equal(ratio(null, 2), null);
  assert.equal(ratio(1, 0), null);
  assert.equal(ratio(1, NaN), null);
});

Deno.test("a D+G step's multiply-adds: n·(4·G + 8·D) from one sample's forward MACs", () => {
  assert.equal(stepMacs({ G: 10, D: 1 }, 64), 64 * 48);
  // 1e9 multiply-adds in 100 ms: 2e9 FLOPs / 0.1 s = 20 GFLOP/s.
  assert.equal(gflopsOf(1e9, 100), 20);
});

Deno.test("trainer rows: each thread count on both sides, the ratio read against the matmul limit", () => {
  const rows = buildRows(sampleMeasured());
  const step = (t: number) =>
    find(rows, (r) => r.section === "trainer" && r.measure.endsWith("wasm") && r.threads === t);
  // 1 thread: the median of the rounds' ratios, and the 1-thread limit.
  assert.equal(step(1).ratio, 2);
  assert.equal(step(1).limit, 4);
  assert.equal(step(1).ours, 4);
  assert.equal(step(1).peer, "PyTorch+OpenBLAS");
  assert.equal(step(1).note, "median of 3 rounds in turn; 0.50× the limit");
  // 2 threads: the trainer has one, so no ratio; the peer's time and the 2-thread limit are shown.
  assert.equal(step(2).ours, null);
  assert.equal(step(2).ratio, null);
  assert.equal(step(2).peerValue, 1.5);
  assert.equal(step(2).limit, 3);
  assert.match(step(2).note!, /not measured: the trainer runs on 1 thread/);
  const webgpu = find(rows, (r) => r.measure.endsWith("webgpu"));
  assert.equal(webgpu.ours, null);
  assert.equal(webgpu.note, "error: no adapter");
  const limit = find(rows, (r) => r.section === "limit" && r.threads === 2);
  assert.equal(limit.ours, 50);
  assert.equal(limit.peerValue, 150);
  assert.equal(limit.ratio, 3);
  assert.equal(limit.note, "the limit (peer ÷ ours); the peer ran 2 torch and 2 BLAS threads");
  const params = find(rows, (r) => r.measure.endsWith("trainable parameters G + D"));
  assert.equal(params.note, "G, D and BN statistics equal");
  // Achieved GFLOP/s: 64·(4·17,664 + 8·16,768) MACs in 4 ms, 25 GFLOP/s wasm matmul.
  const achieved = find(rows, (r) => r.measure.includes("achieved GFLOP/s"));
  const macs = 64 * (4 * 17_664 + 8 * 16_768);
  assert.equal(achieved.ours, (2 * macs) / 4e6);
  assert.match(achieved.note!, /ours 26 %, peer 13 %/);
});

Deno.test("a missing peer: its rows read 'not measured', ours are still measured", () => {
  const rows = buildRows(sampleMeasured(MISSING_PEER));
  const step = find(rows, (r) => r.measure.endsWith("wasm") && r.threads === 1);
  assert.equal(step.ours, 4);
  assert.equal(step.peerValue, null);
  assert.equal(step.ratio, null);
  assert.equal(step.peer, "PyTorch");
  const table = markdownTable(rows);
  const line = table.split("\n").find((l) => l.includes("D+G step b64, wasm | 1 |"))!;
  assert.match(line, /\| 4\.00 ms \| PyTorch \| not measured \|/);
  assert.ok(!rows.some((r) => r.measure.endsWith("trainable parameters G + D")));
});

Deno.test("the Markdown table: one line per row, threads, limit and note columns, no long cells", () => {
  const rows = buildRows(sampleMeasured());
  const md = markdownTable(rows).split("\n");
  assert.equal(md.length, rows.length + 2);
  assert.match(
    md[0],
    /\| threads \| ours \| peer \| peer value \| ratio \| limit \| target \| note \|/,
  );
  const step = md.find((l) => l.includes("D+G step b64, wasm | 1 |"))!;
  assert.match(step, /\| 4\.00 ms \| PyTorch\+OpenBLAS \| 2\.00 ms \| 2\.00× \| 4\.00× \|/);
  const cells = md.flatMap((l) => l.split(" | "));
  assert.ok(cells.every((c) => c.length <= 120), cells.find((c) => c.length > 120) ?? "");
  const piped = markdownTable([{ section: "s", measure: "a|b", ours: 1, unit: "" }]);
  assert.match(piped, /a\\\|b/);
});

Deno.test("results.json: a run's results fit the schema, a broken one is named by path", () => {
  const measured = sampleMeasured();
  const results = { ...measured, table: buildRows(measured) };
  assert.deepEqual(checkResults(results), []);
  assert.deepEqual(checkResults({ ...results, peer: { ...MISSING_PEER } }), []);
  const broken = {
    ...results,
    schema: "gan-edge-bench/1",
    machine: { ...results.machine, loadavg_end: [1] },
  };
  const errors = checkResults(broken);
  assert.ok(errors.some((e) => e.startsWith("schema:")), errors.join("\n"));
  assert.ok(errors.some((e) => e.startsWith("machine.loadavg_end:")), errors.join("\n"));
  assert.ok(checkResults(null).length > 0);
});

Deno.test("the committed bench/results.json, if any, fits the schema", async () => {
  let text;
  try {
    text = await Deno.readTextFile(new URL("../../bench/results.json", import.meta.url));
  } catch {
    return; // not produced yet
  }
  assert.deepEqual(checkResults(JSON.parse(text)), []);
  const results = Results.parse(JSON.parse(text));
  // Every ratio at equal threads: the trainer's rows carry a thread count.
  for (const row of results.table.filter((r) => r.section === "trainer" && r.ratio != null)) {
    assert.ok(row.threads, row.measure);
  }
});

Deno.test("memory growth: the peak of the second half of the runs against the first's", () => {
  const runs = (...mib: number[]) => ({
    c32_repeats: mib.map((m) => ({ requests: 1000, rss_kb: m * 1024, hwm_kb: null })),
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
  const r: Measured = {
    ...sampleMeasured(),
    memory: {
      server: {
        requests: 4001,
        after_start: { rss_kb: 100 * 1024, hwm_kb: null },
        ...runs(200, 201, 203, 202),
      },
      train: null,
    },
  };
  const rows = buildRows(r);
  assert.equal(find(rows, (x) => x.measure.startsWith("server RSS growth")).ours, 2);
  // The RSS "after N requests" is the one after the last run, when all N were served.
  assert.equal(find(rows, (x) => x.measure === "server RSS after 4001 requests").ours, 202);
});

Deno.test("http rows: cold start against the floor and a baseline checkout; no wrk, no load", () => {
  const cold = (median: number) => ({ median, runs: [median] });
  const r: Measured = {
    ...sampleMeasured(),
    http: {
      model: "m",
      cold_start_ms: cold(400),
      cold_start_floor_ms: cold(100),
      cold_start_baseline_ms: { ...cold(500), checkout: "/tmp/old", commit: "e434fdc" },
      load: [],
      load_not_measured: "wrk is not installed: apt-get install wrk",
      memory: { after_start: { rss_kb: 1024, hwm_kb: 2048 } },
      requests_total: 1,
    },
  };
  const rows = buildRows(r);
  const baseline = find(rows, (x) => x.peer === "the server of e434fdc");
  assert.equal(baseline.ratio, 0.8);
  const start = find(rows, (x) => x.measure.startsWith("cold start to the first 200"));
  assert.equal(start.ratio, 4);
  assert.equal(start.note, "ours − floor = 300 ms");
  const load = find(rows, (x) => x.measure.includes("under load"));
  assert.equal(load.ours, null);
  assert.match(load.note!, /apt-get install wrk/);
});
