/**
 * The bench's table: the rows built from what a run measured (schema.ts
 * Measured), each a median or a ratio of medians from that run, and the
 * Markdown table. Pure functions, tested by tests/bench/.
 *
 * @module
 */
import { CASE_LABEL } from "./trainer.ts";
import type {
  Chain,
  Generator,
  GeneratorModel,
  Http,
  Matmul,
  Measured,
  Params,
  Peer,
  Quantized,
  Row,
  ServerMemory,
  Timed,
  TrainerCase,
  TrainMemory,
} from "./schema.ts";

/** The targets rows are read against (reported, never enforced). */
export const TARGETS = {
  dcgan_step: "≤ 1.5 (÷ the PyTorch peer)",
  mlp_step: "≤ 1.0 (÷ the PyTorch peer)",
  gen_torch: "≤ 1.0 (DCGAN, batch 1, ÷ the PyTorch peer)",
  gen_ort: "≤ 1.0 (DCGAN, batch 1, ÷ onnxruntime-web 1 thread)",
  cold_start: "≤ 200 ms",
  memory_flat: "flat over 10,000 requests",
} as const;

/** ours ÷ peer, or null when either is missing or the peer is 0. */
export function ratio(ours: number | null | undefined, peer: number | null | undefined) {
  if (
    ours == null || peer == null || !Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0
  ) {
    return null;
  }
  return ours / peer;
}

/**
 * Multiply-adds of one D+G step of batch `batch`, from one sample's forward
 * MACs through G and D (macs.ts). An estimate by the usual rule that a
 * backward pass costs twice its forward pass:
 * - D step: G forward (n), D forward on real and fake (2n), D backward (2·2n);
 * - G step: G forward (n), D forward (n), D backward to its input only (n),
 *   G backward (2n).
 * Total n·(4·G + 8·D).
 */
export function stepMacs(macs: { G: number; D: number }, batch: number): number {
  return batch * (4 * macs.G + 8 * macs.D);
}

/** GFLOP/s of `macs` multiply-adds (2 FLOPs each) done in `ms`. */
export function gflopsOf(macs: number, ms: number): number {
  return (2 * macs) / (ms * 1e6);
}

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

/** A timed step's median, or its lower bound when no step finished. */
const p50 = (t: Timed | undefined) => t?.step?.p50 ?? t?.lower_bound_ms ?? null;

/** The peer's label, and the note for its rows when it did not run. */
function peerLabel(peer: Peer) {
  return peer.available
    ? { name: peer.name, missing: undefined }
    : { name: "PyTorch", missing: "peer not measured: PyTorch is missing" };
}

/** The 512×512 matmul rows, and the limit at each thread count. */
function matmulRows(m: Matmul, peer: Peer): Row[] {
  const { name, missing } = peerLabel(peer);
  return m.at.map((a) => ({
    section: "limit",
    measure: `${m.size}×${m.size} float32 matmul, GFLOP/s (tfjs wasm${
      a.threads > 1 ? `: ${a.threads} Workers` : ""
    })`,
    threads: a.threads,
    ours: a.wasm?.gflops ?? null,
    unit: "GFLOP/s",
    peer: name,
    peerValue: a.peer?.gflops ?? null,
    ratio: a.limit?.ratio ?? null,
    note: a.note ?? missing ??
      `the limit (peer ÷ ours); the peer ran ${a.peer?.threads} torch and ${
        a.peer?.blas_threads ?? "?"
      } BLAS threads`,
  }));
}

function paramsNote(ours: Params, theirs: Params): string {
  const same = ours.G === theirs.G && ours.D === theirs.D && ours.G_buffers === theirs.G_buffers;
  return same
    ? "G, D and BN statistics equal"
    : `DIFFERENT: G ${ours.G}/${theirs.G}, D ${ours.D}/${theirs.D}, BN ${ours.G_buffers}/${theirs.G_buffers}`;
}

/** The trainer rows of one case: the step at each thread count, other backends, parameters, GFLOP/s. */
function trainerCaseRows(c: TrainerCase, peer: Peer, limits: Matmul): Row[] {
  const { name, missing } = peerLabel(peer);
  const label = CASE_LABEL[c.case];
  const target = c.case === "mlp" ? TARGETS.mlp_step : TARGETS.dcgan_step;
  const limitAt = (t: number) => limits.at.find((a) => a.threads === t)?.limit?.ratio ?? null;
  const rows: Row[] = [];
  for (const a of c.at) {
    const ours = p50(a.ours);
    const r = a.paired?.ratio ?? ratio(ours, p50(a.peer));
    const limit = limitAt(a.threads);
    const read = [
      a.paired && a.paired.rounds.length > 1
        ? `median of ${a.paired.rounds.length} rounds in turn`
        : "",
      r != null && limit != null ? `${(r / limit).toFixed(2)}× the limit` : "",
    ].filter(Boolean).join("; ");
    const note = a.ours.note ?? a.peer.note ?? missing ?? read;
    rows.push({
      section: "trainer",
      measure: `${label}: D+G step b${c.batch}, wasm`,
      threads: a.threads,
      ours,
      unit: "ms",
      peer: name,
      peerValue: p50(a.peer),
      ratio: r,
      limit,
      ...(a.threads === 1 ? { target } : {}),
      ...(note ? { note } : {}),
    });
  }
  const peer1 = c.at.find((a) => a.threads === 1)?.peer;
  for (const b of c.backends) {
    const ours = p50(b.result);
    const note = b.result.note ?? (b.adapter ? `adapter: ${b.adapter}` : undefined);
    rows.push({
      section: "trainer",
      measure: `${label}: D+G step b${c.batch}, ${b.backend}`,
      threads: 1,
      ours,
      unit: "ms",
      peer: name,
      peerValue: p50(peer1),
      ratio: ratio(ours, p50(peer1)),
      ...(note ? { note } : {}),
    });
  }
  if (c.params && c.peer_params) {
    rows.push({
      section: "trainer",
      measure: `${label}: trainable parameters G + D`,
      ours: c.params.G + c.params.D,
      unit: "",
      peer: name,
      peerValue: c.peer_params.G + c.peer_params.D,
      note: paramsNote(c.params, c.peer_params),
    });
  }
  const at1 = c.at.find((a) => a.threads === 1);
  const matmul1 = limits.at.find((a) => a.threads === 1);
  const ours1 = at1?.ours.step?.p50;
  if (c.macs && at1 && ours1) {
    const macs = stepMacs(c.macs, c.batch);
    const mine = gflopsOf(macs, ours1);
    const theirs = at1.peer.step ? gflopsOf(macs, at1.peer.step.p50) : null;
    const shares = [
      matmul1?.wasm ? `ours ${pct(mine / matmul1.wasm.gflops)}` : null,
      theirs && matmul1?.peer ? `peer ${pct(theirs / matmul1.peer.gflops)}` : null,
    ].filter(Boolean);
    rows.push({
      section: "trainer",
      measure: `${label}: D+G step, achieved GFLOP/s (${
        macs >= 1e8 ? `${(macs / 1e9).toFixed(2)} GMAC` : `${(macs / 1e6).toFixed(1)} MMAC`
      } est.)`,
      threads: 1,
      ours: mine,
      unit: "GFLOP/s",
      peer: name,
      peerValue: theirs,
      note: shares.length ? `of each side's matmul GFLOP/s: ${shares.join(", ")}` : missing,
    });
  }
  return rows;
}

/** Which transposed convolution the edge ships, and the other one. */
function generatorPaths(g: Generator) {
  const shipped: "stock" | "kernels" = g.edge_imports_kernels ? "kernels" : "stock";
  return {
    shipped,
    label: (path: "stock" | "kernels") =>
      `edge, ${path === "stock" ? "stock tfjs transposed conv" : "our wasm kernels"}${
        path === shipped ? " (shipped)" : ""
      }`,
  };
}

function generatorModelRows(m: GeneratorModel, g: Generator, peer: Peer): Row[] {
  const { name, missing } = peerLabel(peer);
  const { label, shipped } = generatorPaths(g);
  const dcgan = m.model.startsWith("dcgan");
  const rows: Row[] = [];
  for (const batch of [1, 64] as const) {
    const b = batch === 1 ? m.batch1 : m.batch64;
    const theirs = batch === 1 ? m.peer?.batch1 : m.peer?.batch64;
    const paths = dcgan ? (["stock", "kernels"] as const) : (["kernels"] as const);
    for (const path of paths) {
      const ours = b[path].p50;
      const target = dcgan && batch === 1;
      if (path === shipped || !dcgan) {
        rows.push({
          section: "generator",
          measure: `${m.model} b${batch} p50, ${label(path)}`,
          threads: 1,
          ours,
          unit: "ms",
          peer: `${name} eager`,
          peerValue: theirs?.p50 ?? null,
          ratio: ratio(ours, theirs?.p50),
          ...(target ? { target: TARGETS.gen_torch } : {}),
          ...(missing ? { note: missing } : {}),
        });
      }
      rows.push({
        section: "generator",
        measure: `${m.model} b${batch} p50, ${label(path)}`,
        threads: 1,
        ours,
        unit: "ms",
        peer: "onnxruntime-web",
        peerValue: b.ort?.p50 ?? null,
        ratio: ratio(ours, b.ort?.p50),
        ...(target && path === shipped ? { target: TARGETS.gen_ort } : {}),
        ...(b.ort ? {} : { note: "not measured: it runs the PyTorch peer's ONNX export" }),
      });
    }
    const fastPath = dcgan ? shipped : "kernels";
    const fast = b[fastPath];
    rows.push({
      section: "generator",
      measure: `${m.model} b${batch} p99, ${label(fastPath)}`,
      threads: 1,
      ours: fast.p99,
      unit: "ms",
      peer: "onnxruntime-web",
      peerValue: b.ort?.p99 ?? null,
      ratio: ratio(fast.p99, b.ort?.p99),
    });
    rows.push({
      section: "generator",
      measure: `${m.model} b${batch}, GMAC/s (${(m.macs_per_sample / 1e6).toFixed(2)} MMAC/sample)`,
      threads: 1,
      ours: (m.macs_per_sample * batch) / (fast.p50 * 1e6),
      unit: "GMAC/s",
      peer: "onnxruntime-web",
      peerValue: b.ort ? (m.macs_per_sample * batch) / (b.ort.p50 * 1e6) : null,
    });
  }
  rows.push({
    section: "generator",
    measure: `${m.model}: max |Δ| against ${name} on the same weights`,
    ours: m.peer?.max_abs_diff ?? null,
    unit: "",
    note: m.peer
      ? `onnxruntime-web: ${m.ort_max_abs_diff?.toExponential(1)}; outputs up to ${
        m.max_abs_out.toPrecision(2)
      }`
      : missing,
  });
  return rows;
}

function chainRows(c: Chain, peer: Peer): Row[] {
  const { name, missing } = peerLabel(peer);
  const measure = (what: string) => `64×64 transposed-conv chain b1: ${what}`;
  return [
    {
      section: "transposed conv",
      measure: measure("stock tfjs wasm"),
      threads: 1,
      ours: c.stock.p50,
      unit: "ms",
      peer: "our wasm kernels",
      peerValue: c.ours.p50,
      ratio: ratio(c.stock.p50, c.ours.p50),
    },
    {
      section: "transposed conv",
      measure: measure("our wasm kernels"),
      threads: 1,
      ours: c.ours.p50,
      unit: "ms",
      peer: "onnxruntime-web",
      peerValue: c.ort?.p50 ?? null,
      ratio: ratio(c.ours.p50, c.ort?.p50),
      ...(missing ? { note: missing } : {}),
    },
    {
      section: "transposed conv",
      measure: measure("our wasm kernels"),
      threads: 1,
      ours: c.ours.p50,
      unit: "ms",
      peer: `${name} eager`,
      peerValue: c.peer?.p50 ?? null,
      ratio: ratio(c.ours.p50, c.peer?.p50),
      ...(missing ? { note: missing } : {}),
    },
    {
      section: "transposed conv",
      measure: measure("upsample ×2 + 3×3 conv2d instead, tfjs wasm"),
      threads: 1,
      ours: c.upsample_conv.p50,
      unit: "ms",
      peer: "stock transposed chain",
      peerValue: c.stock.p50,
      ratio: ratio(c.upsample_conv.p50, c.stock.p50),
    },
  ];
}

function quantizationRows(qs: readonly Quantized[]): Row[] {
  return qs.map((q) => ({
    section: "size & fidelity",
    measure: `${q.model}, ${q.quantization}: artifact size`,
    ours: q.bytes / 1024,
    unit: "KiB",
    note: `max |Δ| ${q.max_abs_diff.toExponential(1)} against float32 (${q.latents} latents)`,
  }));
}

function httpRows(h: Http): Row[] {
  const rows: Row[] = [];
  const cold = h.cold_start_ms;
  const floor = h.cold_start_floor_ms;
  rows.push({
    section: "http",
    measure: `cold start to the first 200 sample, server process (median of ${cold.runs.length})`,
    ours: cold.median,
    unit: "ms",
    ...(floor
      ? {
        peer: "Deno HTTP server, no imports",
        peerValue: floor.median,
        ratio: ratio(cold.median, floor.median),
        note: `ours − floor = ${(cold.median - floor.median).toFixed(0)} ms`,
      }
      : {}),
    target: TARGETS.cold_start,
  });
  const base = h.cold_start_baseline_ms;
  if (base) {
    const who = base.commit ?? base.checkout ?? "another checkout";
    rows.push({
      section: "http",
      measure: `cold start, in turn with the server of ${who} (median of ${base.runs.length})`,
      ours: cold.median,
      unit: "ms",
      peer: `the server of ${who}`,
      peerValue: base.median,
      ratio: ratio(cold.median, base.median),
    });
  }
  if (h.cold_start_task_ms) {
    rows.push({
      section: "http",
      measure: `cold start via deno task serve (median of ${h.cold_start_task_ms.runs.length})`,
      ours: h.cold_start_task_ms.median,
      unit: "ms",
      note: "informational: a second Deno start",
    });
  }
  if (h.load_not_measured) {
    rows.push({
      section: "http",
      measure: "GET /v1/sample png under load",
      ours: null,
      unit: "req/s",
      note: `not measured: ${h.load_not_measured}`,
    });
  }
  for (const [i, l] of h.load.entries()) {
    const again = h.load.slice(0, i).some((e) => e.connections === l.connections) ? " (again)" : "";
    rows.push({
      section: "http",
      measure: `GET /v1/sample png, concurrency ${l.connections}${again}: requests/s`,
      ours: l.rps,
      unit: "req/s",
      note: `${l.requests} requests in ${l.seconds} s, ${l.errors + l.non2xx} errors${
        l.capped ? ", capped" : ""
      }`,
    });
    rows.push({
      section: "http",
      measure: `GET /v1/sample png, concurrency ${l.connections}${again}: p50`,
      ours: l.p50_ms,
      unit: "ms",
      note: `p99 ${l.p99_ms.toFixed(1)} ms`,
    });
  }
  return rows;
}

const mib = (kb: number | null | undefined) => kb == null ? "—" : `${(kb / 1024).toFixed(0)} MiB`;

/**
 * Growth of the server's RSS under repeated concurrency-32 runs: the highest
 * RSS after the runs of the second half minus the highest after the first
 * half, and the requests of the second half; null with fewer than 4 runs.
 * Peaks, not end points: V8 lets its heap grow for several runs and then
 * gives memory back (a saw-tooth: 222, 229, 233, 239, 245, 217, 221, … MiB
 * over twelve 5,000-request runs), so first-to-last can read +28 MiB in one
 * run and −15 in another; a leak raises the peaks.
 */
export function memoryGrowth(server: Pick<ServerMemory, "c32_repeats">) {
  const r = server.c32_repeats?.flatMap((x) =>
    x.rss_kb == null ? [] : [{ ...x, rss_kb: x.rss_kb }]
  );
  if (!r || r.length < 4) return null;
  const half = Math.floor(r.length / 2);
  const peak = (xs: typeof r) => Math.max(...xs.map((x) => x.rss_kb));
  return {
    runs: r.length,
    requests: r.slice(half).reduce((n, x) => n + x.requests, 0),
    mib: (peak(r.slice(half)) - peak(r.slice(0, half))) / 1024,
    each: r.map((x) => x.rss_kb),
  };
}

function memoryRows(
  server: (ServerMemory & { requests: number }) | null,
  train: TrainMemory | null,
) {
  const rows: Row[] = [];
  if (server) {
    // After every request: the last repeated run.
    const last = server.c32_repeats?.at(-1) ?? server.after_c32_again;
    const growth = memoryGrowth(server);
    if (!last) {
      rows.push({
        section: "memory",
        measure: "server RSS after the first sample (no load was run)",
        ours: server.after_start.rss_kb == null ? null : server.after_start.rss_kb / 1024,
        unit: "MiB",
      });
    } else {
      rows.push({
        section: "memory",
        measure: `server RSS after ${server.requests} requests`,
        ours: last?.rss_kb == null ? null : last.rss_kb / 1024,
        unit: "MiB",
        note: `after the first sample ${mib(server.after_start.rss_kb)}; peak (VmHWM) ${
          mib(last?.hwm_kb)
        }`,
        ...(growth ? {} : { target: TARGETS.memory_flat }),
      });
    }
    if (growth) {
      rows.push({
        section: "memory",
        measure: `server RSS growth over ${growth.runs} concurrency-32 runs ` +
          `(peak of the last ${growth.runs / 2} − peak of the first ${growth.runs / 2})`,
        ours: growth.mib,
        unit: "MiB",
        note: `${growth.requests} requests in the last ${growth.runs / 2} runs`,
        target: TARGETS.memory_flat,
      });
    }
  }
  if (train) {
    rows.push({
      section: "memory",
      measure: "peak RSS of a short deno task train run",
      ours: train.max_rss_kb == null ? null : train.max_rss_kb / 1024,
      unit: "MiB",
      note: train.exit_code === 0
        ? train.command.replace(/^deno task train /, "")
        : `exit ${train.exit_code}: ${train.error}`,
    });
  }
  return rows;
}

/** The table rows from what a run measured. */
export function buildRows(r: Measured): Row[] {
  const rows = matmulRows(r.matmul, r.peer);
  for (const c of r.trainer?.cases ?? []) rows.push(...trainerCaseRows(c, r.peer, r.matmul));
  const g = r.generator;
  if (g) {
    for (const m of g.models) rows.push(...generatorModelRows(m, g, r.peer));
    rows.push(...chainRows(g.chain, r.peer));
    rows.push(...quantizationRows(g.quantization));
  }
  if (r.http) rows.push(...httpRows(r.http));
  rows.push(...memoryRows(r.memory.server, r.memory.train));
  return rows;
}

function fmt(x: number | null | undefined, unit = ""): string {
  if (x == null || !Number.isFinite(x)) return "not measured";
  if (x !== 0 && Math.abs(x) < 1e-3) return `${x.toExponential(2)}${unit ? " " + unit : ""}`;
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3;
  return `${x.toFixed(digits)}${unit ? " " + unit : ""}`;
}

/** The rows as a Markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const head = [
    "section",
    "measure",
    "threads",
    "ours",
    "peer",
    "peer value",
    "ratio",
    "limit",
    "target",
    "note",
  ];
  const lines = [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`];
  for (const r of rows) {
    const cells = [
      r.section,
      r.measure,
      r.threads == null ? "" : String(r.threads),
      fmt(r.ours, r.unit),
      r.peer ?? "",
      r.peer ? fmt(r.peerValue, r.unit) : "",
      r.ratio == null ? "" : `${fmt(r.ratio)}×`,
      r.limit == null ? "" : `${fmt(r.limit)}×`,
      r.target ?? "",
      r.note ?? "",
    ];
    lines.push(`| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`);
  }
  return lines.join("\n");
}
