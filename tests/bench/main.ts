/**
 * `deno task bench`: every benchmark of issue 7 against its peers, measured
 * in the same run; prints the table, writes tests/bench/results.json.
 *
 * Sections, each in processes of their own so that backends and peers do
 * not share a heap:
 * 1. trainer: one D+G step at batch 64 (train_step.ts) on wasm, webgpu and
 *    cpu, against PyTorch on the CPU (peer_torch.py, same layers, parameter
 *    counts compared);
 * 2. generator: edge/sampler.ts on wasm against PyTorch eager and
 *    onnxruntime-web, size and fidelity per quantization, the 64×64
 *    transposed-convolution chain (generator.ts);
 * 3. http: cold start (the server process, and `deno task serve`) and wrk
 *    at concurrency 1 and 32 against the server on 127.0.0.1 (http.ts);
 * 4. memory: the server under that load, and a short `deno task train`.
 *
 * Run: deno task bench [--quick] [--only trainer,generator,http,memory]
 *        [--backends wasm,webgpu,cpu] [--out tests/bench/results.json]
 *        [--trained DIR]   (a float32 generator folder, e.g. a run's
 *                           checkpoints/latest/generator: read, never written)
 *        [--cold-baseline DIR]  (another checkout, e.g. a git worktree of an
 *                           older commit with node_modules linked: its server
 *                           starts in turn with ours)
 *
 * @module
 */
import { parseArgs } from "node:util";
import { version_core as tfjsVersion } from "@tensorflow/tfjs-core";
import * as ort from "onnxruntime-web";
import { firstLine, loadAverage, machine } from "./machine.ts";
import { runPeer, torchPeers } from "./peers.ts";
import { benchHttp, benchTrainMemory } from "./http.ts";
import { checkResults, markdownTable, ratio, type Row, SCHEMA, TARGETS } from "./report.ts";
import { median, summarize, type Summary } from "./stats.ts";

const HERE = new URL(".", import.meta.url).pathname;
const CASE_LABEL: Record<string, string> = {
  mlp: "MLP GAN (ring8: G 8→128→128→2, D 2→128→128→1)",
  dcgan64: "DCGAN 28×28, width 64 (trainer default)",
  dcgan32c: "DCGAN 28×28, width 32, conditional (shipped)",
};

interface Budget {
  runs: number;
  warmup: number;
  /** Seconds the whole process may take (start, warm-up, runs). */
  cap: number;
}

/**
 * Runs and warm-ups per backend and model; the slow backends get few, and a
 * time cap. The MLP step takes milliseconds, so it gets enough warm-up steps
 * for V8 to optimise the step's JavaScript, as it has in any real training
 * (thousands of steps): with 5, the median still held unoptimised steps.
 */
function budget(quick: boolean, backend: string, kase: string): Budget {
  const dense = kase === "mlp";
  if (quick) return { runs: dense ? 5 : 2, warmup: 1, cap: 60 };
  if (backend === "wasm") {
    return dense ? { runs: 200, warmup: 100, cap: 120 } : { runs: 7, warmup: 2, cap: 240 };
  }
  return dense ? { runs: 10, warmup: 3, cap: 60 } : { runs: 2, warmup: 1, cap: 90 };
}

/**
 * Runs a bench script in a process of its own and returns its last JSON
 * line; past `timeoutSeconds` the process is killed and the result is
 * {error, progress: [the {progress} lines it printed]}.
 */
async function denoJson(args: string[], timeoutSeconds = 900) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutSeconds * 1000);
  const out = await child.output();
  clearTimeout(timer);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n")
    .filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const progress = lines.filter((l) => l.progress).map((l) => l.progress);
  const last = lines.filter((l) => !l.progress).at(-1);
  if (timedOut) return { error: `stopped at the ${timeoutSeconds} s time cap`, progress };
  if (!last) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
    return { error: `exit ${out.code}: ${err}`, progress };
  }
  return last;
}

/**
 * A capped backend's step time from what it finished: the median of its
 * timed runs, else of its warm-up steps (marked), else a lower bound.
 */
// deno-lint-ignore no-explicit-any
export function cappedStep(r: { error: string; progress: any[] }, capSeconds: number) {
  const runs = r.progress.filter((p) => p.phase === "run").map((p) => p.ms);
  const warm = r.progress.filter((p) => p.phase === "warmup").map((p) => p.ms);
  if (runs.length) {
    return { step: summarize(runs), note: `${r.error}; ${runs.length} timed run(s)` };
  }
  if (warm.length) {
    return { step: summarize(warm), note: `${r.error}; from ${warm.length} warm-up step(s) only` };
  }
  return {
    lower_bound_ms: capSeconds * 1000,
    note: `${r.error}: not one step finished, so a step takes > ${capSeconds} s`,
  };
}

/**
 * Rounds of the wasm trainer bench. Ours and each peer take turns, round by
 * round (ours first in even rounds, the peers first in odd ones), and a ratio
 * is the median of the rounds' ratios: a burst of load on this shared machine
 * then weighs on both sides of a ratio instead of on one. Run one after the
 * other, the same MLP code read 0.81× and 1.05× of PyTorch four hours apart
 * (2026-11-30).
 */
export const ROUNDS = 3;

/** One case on one tfjs backend, in a process of its own. */
async function tfjsCase(backend: string, kase: string, b: Budget, runs: number) {
  const r = await denoJson([
    `${HERE}train_step.ts`,
    "--backend",
    backend,
    "--cases",
    kase,
    "--runs",
    String(runs),
    "--warmup",
    String(b.warmup),
    "--max-seconds",
    backend === "wasm" ? "60" : "20",
  ], b.cap);
  return r.progress ? cappedStep(r, b.cap) : r.error ? { error: r.error } : {
    ...r.cases[kase],
    adapter: r.adapter,
  };
}

/** The median of per-round ratios ours ÷ peer (rounds where both ran). */
export function pairedRatio(ours: number[][], peer: number[][]) {
  const rounds = ours.flatMap((o, i) =>
    o.length && peer[i]?.length ? [median(o) / median(peer[i])] : []
  );
  return rounds.length ? { ratio: median(rounds), rounds } : null;
}

async function benchTrainer(quick: boolean, backends: string[], log: (s: string) => void) {
  const cases = ["mlp", "dcgan64", "dcgan32c"];
  // deno-lint-ignore no-explicit-any
  const tfjs: Record<string, Record<string, any>> = {};
  // Backends other than wasm run once: they are far from the peer.
  for (const backend of backends.filter((b) => b !== "wasm")) {
    for (const kase of cases) {
      const b = budget(quick, backend, kase);
      log(`trainer: ${kase} on ${backend} (${b.runs} runs after ${b.warmup} warm-up)`);
      tfjs[kase] ??= {};
      tfjs[kase][backend] = await tfjsCase(backend, kase, b, b.runs);
    }
  }
  const torch: Record<string, Record<string, unknown>> = {};
  const rounds = quick ? 1 : ROUNDS;
  // The peers run against wasm only (it is the trainer's CPU backend).
  for (const kase of backends.includes("wasm") ? cases : []) {
    const b = budget(quick, "wasm", kase);
    const perRound = Math.ceil(b.runs / rounds);
    const ours: number[][] = [];
    const theirs: Record<string, number[][]> = {};
    // deno-lint-ignore no-explicit-any
    let first: any;
    let params: Record<string, unknown> = {};
    const runOurs = async (round: number) => {
      log(`trainer: ${kase} on wasm, round ${round + 1}/${rounds} (${perRound} runs)`);
      const r = await tfjsCase("wasm", kase, b, perRound);
      first ??= r;
      ours.push(r.error || !r.ms ? [] : r.ms);
    };
    const runPeers = async (round: number) => {
      if (first?.error) return;
      const spec = {
        ...first.spec,
        batch: first.batch,
        lr: first.lr,
        beta1: first.beta1,
        beta2: first.beta2,
      };
      for (const peer of torchPeers()) {
        log(`trainer: ${kase} on ${peer.name}, round ${round + 1}/${rounds}`);
        const r = await runPeer(peer, [
          "train",
          JSON.stringify({ [kase]: spec }),
          String(perRound),
          String(b.warmup),
        ]);
        (theirs[peer.name] ??= []).push(r.result[kase].ms);
        params = { ...params, [peer.name]: r.result[kase].params };
      }
    };
    for (let round = 0; round < rounds; round++) {
      // Ours needs to go first in round 0: the peer takes its spec.
      if (round % 2 === 0) {
        await runOurs(round);
        await runPeers(round);
      } else {
        await runPeers(round);
        await runOurs(round);
      }
    }
    const all = ours.flat();
    tfjs[kase] ??= {};
    tfjs[kase].wasm = first?.error || !all.length ? first : {
      ...first,
      ms: undefined,
      step: summarize(all),
    };
    for (const [name, ms] of Object.entries(theirs)) {
      torch[kase] ??= {};
      torch[kase][name] = {
        params: params[name],
        step: summarize(ms.flat()),
        paired: pairedRatio(ours, ms),
      };
    }
  }
  return { tfjs, torch, rounds };
}

const mib = (kb: number | null | undefined) => kb == null ? "—" : `${(kb / 1024).toFixed(0)} MiB`;

/**
 * Growth of the server's RSS under repeated concurrency-32 runs: the highest
 * RSS after the runs of the second half minus the highest after the first
 * half, and the requests of the second half; null with fewer than 4 runs.
 * Peaks, not end points: V8 lets its heap grow for several runs and then
 * gives memory back (a saw-tooth, 2026-11-30 by hand: 222, 229, 233, 239, 245,
 * 217, 221, … MiB over twelve 5,000-request runs), so first-to-last read +28
 * MiB in one run and −15 in another; a leak raises the peaks.
 */
export function memoryGrowth(
  server: { c32_repeats?: { requests: number; rss_kb: number | null }[] },
) {
  const r = server.c32_repeats?.filter((x) => x.rss_kb != null);
  if (!r || r.length < 4) return null;
  const half = Math.floor(r.length / 2);
  const peak = (xs: typeof r) => Math.max(...xs.map((x) => x.rss_kb!));
  return {
    runs: r.length,
    requests: r.slice(half).reduce((n, x) => n + x.requests, 0),
    mib: (peak(r.slice(half)) - peak(r.slice(0, half))) / 1024,
    each: r.map((x) => x.rss_kb!),
  };
}

/** The table rows from the sections' results. */
// deno-lint-ignore no-explicit-any
export function buildRows(r: any, peers: string[]): Row[] {
  const rows: Row[] = [];
  const t = r.trainer;
  if (t?.tfjs) {
    for (const kase of Object.keys(t.tfjs)) {
      for (const backend of Object.keys(t.tfjs[kase])) {
        const ours = t.tfjs[kase][backend];
        for (const peer of peers) {
          const p = t.torch?.[kase]?.[peer];
          const target = kase === "mlp" ? TARGETS.mlp_step : TARGETS.dcgan_step;
          const value = ours?.step?.p50 ?? ours?.lower_bound_ms ?? null;
          const note = ours?.note ?? (ours?.error ? `error: ${ours.error}` : undefined);
          rows.push({
            section: "trainer",
            measure: `${CASE_LABEL[kase]}, D+G step b64, ${backend}`,
            ours: value,
            unit: "ms",
            peer,
            peerValue: p?.step?.p50 ?? null,
            // wasm took turns with the peer: the median of the rounds' ratios.
            ratio: backend === "wasm" && p?.paired ? p.paired.ratio : ratio(value, p?.step?.p50),
            target,
            ...(note
              ? { note: ours?.lower_bound_ms ? `${note}; ratio is a lower bound` : note }
              : backend === "wasm" && p?.paired?.rounds.length > 1
              ? {
                note: `ratio: median of ${p.paired.rounds.length} rounds taken in turn (${
                  p.paired.rounds.map((x: number) => x.toFixed(2)).join(", ")
                })`,
              }
              : {}),
          });
        }
      }
    }
  }
  if (t?.tfjs && t.torch) {
    for (const kase of Object.keys(t.tfjs)) {
      const ours = t.tfjs[kase].wasm?.params;
      for (const peer of peers) {
        const theirs = t.torch[kase]?.[peer]?.params;
        if (!ours || !theirs) continue;
        const same = ours.G === theirs.G && ours.D === theirs.D &&
          ours.G_buffers === theirs.G_buffers;
        rows.push({
          section: "trainer",
          measure: `${CASE_LABEL[kase]}: trainable parameters G + D`,
          ours: ours.G + ours.D,
          unit: "",
          peer,
          peerValue: theirs.G + theirs.D,
          note:
            `G ${ours.G} / ${theirs.G}, D ${ours.D} / ${theirs.D}, BN statistics ${ours.G_buffers} / ${theirs.G_buffers}: ${
              same ? "equal" : "DIFFERENT"
            }`,
        });
      }
    }
  }
  const g = r.generator;
  if (g?.models) {
    for (const m of g.models) {
      for (const batch of [1, 64]) {
        const b = m[`batch${batch}`];
        const dcgan = m.model.startsWith("dcgan");
        const ships = g.edge_imports_kernels ? " (shipped)" : "";
        const stock = {
          ours: b.stock.p50,
          label: `edge, stock tfjs transposed conv${ships ? "" : " (shipped)"}`,
        };
        const kernels = { ours: b.kernels.p50, label: `edge + kernels/inference${ships}` };
        for (const o of dcgan ? [stock, kernels] : [kernels]) {
          for (const peer of peers) {
            rows.push({
              section: "generator",
              measure: `${m.model} b${batch} p50, ${o.label}`,
              ours: o.ours,
              unit: "ms",
              peer: `${peer} eager`,
              peerValue: m.torch[peer]?.[`batch${batch}`]?.p50 ?? null,
              ratio: ratio(o.ours, m.torch[peer]?.[`batch${batch}`]?.p50),
              ...(dcgan && batch === 1 ? { target: TARGETS.gen_torch } : {}),
            });
          }
          rows.push({
            section: "generator",
            measure: `${m.model} b${batch} p50, ${o.label}`,
            ours: o.ours,
            unit: "ms",
            peer: "onnxruntime-web",
            peerValue: b.ort.p50,
            ratio: ratio(o.ours, b.ort.p50),
            ...(dcgan && batch === 1 ? { target: TARGETS.gen_ort } : {}),
          });
        }
        rows.push({
          section: "generator",
          measure: `${m.model} b${batch} p99, edge + kernels/inference`,
          ours: b.kernels.p99,
          unit: "ms",
          note: `stock transposed conv ${b.stock.p99.toFixed(2)} ms, onnxruntime-web ${
            b.ort.p99.toFixed(2)
          } ms`,
        });
        rows.push({
          section: "generator",
          measure: `${m.model} b${batch} GMAC/s (${
            (m.macs_per_sample / 1e6).toFixed(2)
          } MMAC/sample)`,
          ours: (m.macs_per_sample * batch) / (b.kernels.p50 * 1e6),
          unit: "GMAC/s",
          note: `edge + kernels; stock transposed conv ${
            ((m.macs_per_sample * batch) / (b.stock.p50 * 1e6)).toFixed(2)
          }, onnxruntime-web ${((m.macs_per_sample * batch) / (b.ort.p50 * 1e6)).toFixed(2)}`,
        });
      }
    }
  }
  if (g?.chain) {
    const c = g.chain;
    rows.push({
      section: "transposed conv",
      measure: "64×64 chain b1: stock tfjs wasm",
      ours: c.stock.p50,
      unit: "ms",
      peer: "ours (kernels/inference)",
      peerValue: c.ours.p50,
      ratio: ratio(c.stock.p50, c.ours.p50),
      note: "ratio = stock ÷ ours",
    });
    rows.push({
      section: "transposed conv",
      measure: "64×64 chain b1: ours (kernels/inference)",
      ours: c.ours.p50,
      unit: "ms",
      peer: "onnxruntime-web",
      peerValue: c.ort.p50,
      ratio: ratio(c.ours.p50, c.ort.p50),
    });
    for (const peer of peers) {
      rows.push({
        section: "transposed conv",
        measure: "64×64 chain b1: ours (kernels/inference)",
        ours: c.ours.p50,
        unit: "ms",
        peer: `${peer} eager`,
        peerValue: c.torch[peer]?.p50 ?? null,
        ratio: ratio(c.ours.p50, c.torch[peer]?.p50),
      });
    }
    rows.push({
      section: "transposed conv",
      measure: "upsample ×2 + 3×3 conv2d chain b1, tfjs wasm",
      ours: c.upsample_conv.p50,
      unit: "ms",
      peer: "stock transposed chain",
      peerValue: c.stock.p50,
      ratio: ratio(c.stock.p50, c.upsample_conv.p50),
      note: "ratio = stock transposed ÷ upsample+conv (issue: ≈ 3.5×)",
    });
  }
  if (g?.quantization) {
    for (const q of g.quantization) {
      rows.push({
        section: "size & fidelity",
        measure: `${q.model}, ${q.quantization}: artifact size`,
        ours: q.bytes / 1024,
        unit: "KiB",
        note: `max |Δ| ${q.max_abs_diff.toExponential(2)}, mean |Δ| ${
          q.mean_abs_diff.toExponential(2)
        } vs float32 over ${q.latents} latents; float32 outputs up to ${
          q.max_abs_out.toExponential(2)
        }`,
      });
    }
  }
  if (g?.models) {
    for (const m of g.models) {
      for (const peer of peers) {
        rows.push({
          section: "generator",
          measure: `${m.model}: max |Δ| vs ${peer} on the same weights`,
          ours: m.torch[peer]?.max_abs_diff ?? null,
          unit: "",
          note: `onnxruntime-web max |Δ| ${
            m.ort_max_abs_diff.toExponential(2)
          }; our outputs up to ${m.max_abs_out.toExponential(2)}`,
        });
      }
    }
  }
  const h = r.http;
  if (h?.cold_start_ms) {
    rows.push({
      section: "http",
      measure:
        `cold start to first 200 sample, server process (median of ${h.cold_start_ms.runs.length})`,
      ours: h.cold_start_ms.median,
      unit: "ms",
      ...(h.cold_start_floor_ms
        ? {
          peer: "a Deno HTTP server with no imports (the floor)",
          peerValue: h.cold_start_floor_ms.median,
          ratio: ratio(h.cold_start_ms.median, h.cold_start_floor_ms.median),
          note: `ours − floor = ${
            (h.cold_start_ms.median - h.cold_start_floor_ms.median).toFixed(0)
          } ms: the part that is our code`,
        }
        : {}),
      target: TARGETS.cold_start,
    });
    if (h.cold_start_baseline_ms) {
      const b = h.cold_start_baseline_ms;
      rows.push({
        section: "http",
        measure: `cold start, server process of another checkout (${
          b.commit ?? b.checkout
        }), in turn (median of ${b.runs.length})`,
        ours: h.cold_start_ms.median,
        unit: "ms",
        peer: `the server of ${b.commit ?? b.checkout}`,
        peerValue: b.median,
        ratio: ratio(h.cold_start_ms.median, b.median),
        note: "ratio < 1: ours starts faster",
      });
    }
    if (h.cold_start_task_ms) {
      rows.push({
        section: "http",
        measure:
          `cold start via deno task serve (median of ${h.cold_start_task_ms.runs.length}; informational: a second Deno start)`,
        ours: h.cold_start_task_ms.median,
        unit: "ms",
      });
    }
    for (const [i, l] of h.load.entries()) {
      const again = h.load.slice(0, i).some((e: { connections: number }) =>
          e.connections === l.connections
        )
        ? " (again)"
        : "";
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
        measure: `GET /v1/sample png, concurrency ${l.connections}${again}: p50 / p99`,
        ours: l.p50_ms,
        unit: "ms",
        note: `p99 ${l.p99_ms.toFixed(1)} ms`,
      });
    }
  }
  const mem = r.memory;
  if (mem?.server) {
    const s = mem.server;
    // After every request: the last repeated run (older results: the one repeat).
    const last = s.c32_repeats?.at(-1) ?? s.after_c32_again;
    rows.push({
      section: "memory",
      measure: `server RSS after ${s.requests} requests`,
      ours: last?.rss_kb == null ? null : last.rss_kb / 1024,
      unit: "MiB",
      note: `after the first sample ${mib(s.after_start?.rss_kb)}, after concurrency 1 ${
        mib(s.after_c1?.rss_kb)
      }, after concurrency 32 ${mib(s.after_c32?.rss_kb)}, after the last concurrency-32 run ${
        mib(last?.rss_kb)
      }; peak (VmHWM) ${mib(last?.hwm_kb)}`,
      ...(memoryGrowth(s) ? {} : { target: TARGETS.memory_flat }),
    });
    const growth = memoryGrowth(s);
    if (growth) {
      rows.push({
        section: "memory",
        measure: `server RSS growth: peak of the last ${growth.runs / 2} of ${growth.runs} ` +
          `concurrency-32 runs (${growth.requests} requests) − peak of the first ${
            growth.runs / 2
          }`,
        ours: growth.mib,
        unit: "MiB",
        note: `RSS after each repeated run: ${growth.each.map((kb) => mib(kb)).join(", ")}`,
        target: TARGETS.memory_flat,
      });
    }
  }
  if (mem?.train) {
    rows.push({
      section: "memory",
      measure: `peak RSS of a short training run (${mem.train.command})`,
      ours: mem.train.max_rss_kb == null ? null : mem.train.max_rss_kb / 1024,
      unit: "MiB",
      ...(mem.train.exit_code !== 0
        ? { note: `exit ${mem.train.exit_code}: ${mem.train.error}` }
        : {}),
    });
  }
  return rows;
}

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", default: "trainer,generator,http,memory" },
      out: { type: "string", default: `${HERE}results.json` },
      backends: { type: "string", default: "wasm,webgpu,cpu" },
      trained: { type: "string" },
      "cold-baseline": { type: "string" },
    },
  });
  const baseline = values["cold-baseline"];
  if (baseline && !(await Deno.stat(`${baseline}/edge/serve.ts`).catch(() => null))) {
    console.error(
      `error: --cold-baseline: expected a checkout of gan-edge (with edge/serve.ts), got "${baseline}"`,
    );
    Deno.exit(2);
  }
  const only = new Set(values.only.split(","));
  const quick = values.quick;
  const started = performance.now();
  const log = (s: string) =>
    console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}`);
  const loadStart = loadAverage();
  const peers = torchPeers();
  const info = (await runPeer(peers[0], ["info"])).info;
  const versions = {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    tfjs: tfjsVersion,
    onnxruntime_web: ort.env.versions.web ?? null,
    torch: info.torch,
    torch_threads: String(info.threads),
    python: info.python,
    wrk: await firstLine("wrk", ["--version"]),
    torch_blas: peers.map((p) => `${p.name}: ${p.env.LD_LIBRARY_PATH ?? "system libblas.so.3"}`)
      .join("; "),
  };
  log(`machine: ${JSON.stringify(machine())}, load ${loadStart.join(" ")}`);
  const tmp = await Deno.makeTempDir({ prefix: "gan-edge-bench-" });
  // deno-lint-ignore no-explicit-any
  const results: Record<string, any> = {
    schema: SCHEMA,
    date: new Date().toISOString(),
    command: `deno task bench ${Deno.args.join(" ")}`.trim(),
    options: {
      quick,
      only: [...only],
      backends: values.backends.split(","),
      trained: values.trained ?? null,
    },
    machine: { ...machine(), loadavg_start: loadStart },
    versions,
    peers: peers.map((p) => p.name),
    trainer: {},
    generator: {},
    http: {},
    memory: {},
  };
  try {
    if (only.has("trainer")) {
      results.trainer = await benchTrainer(quick, values.backends.split(","), log);
    }
    if (only.has("generator") || only.has("http")) {
      log("generator: edge sampler, PyTorch, onnxruntime-web, quantizations, 64×64 chain");
      const runs = quick ? 10 : 40;
      results.generator = await denoJson([
        `${HERE}generator.ts`,
        "--dir",
        tmp,
        "--runs",
        String(runs),
        "--warmup",
        "5",
        "--peers",
        JSON.stringify(peers),
        ...(values.trained ? ["--trained", values.trained] : []),
      ]);
    }
    if (only.has("http")) {
      log("http: cold start, wrk at concurrency 1 and 32");
      const h = await benchHttp(`${tmp}/dcgan-cond`, {
        starts: quick ? 2 : 5,
        seconds: quick ? 3 : 8,
        maxRequests: 20_000,
        repeats: quick ? 1 : 8,
        baseline,
      });
      results.http = { model: "dcgan28 w32 cond (random weights, float16)", ...h };
      results.memory.server = {
        requests: h.requests_total,
        ...h.memory,
      };
    }
    if (only.has("memory")) {
      log("memory: a short training run");
      results.memory.train = await benchTrainMemory([
        "--dataset",
        "fashion-mnist",
        "--conditional",
        "--width",
        "32",
        "--steps",
        quick ? "3" : "20",
        "--epoch-steps",
        quick ? "3" : "20",
        "--backend",
        "wasm",
      ]);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  results.machine.loadavg_end = loadAverage();
  results.seconds = (performance.now() - started) / 1000;
  results.table = buildRows(results, peers.map((p) => p.name));
  const problems = checkResults(results);
  if (problems.length) console.error(`results.json: ${problems.join("; ")}`);
  await Deno.writeTextFile(values.out, JSON.stringify(results, null, 2) + "\n");
  console.log(
    `gan-edge bench, ${results.date}\n` +
      `machine: ${results.machine.cpu}, ${results.machine.cores} cores; load average ` +
      `${loadStart.join(" ")} at start, ${results.machine.loadavg_end.join(" ")} at end\n` +
      `versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(", ")}\n`,
  );
  console.log(markdownTable(results.table));
  console.log(`\nwrote ${values.out} in ${results.seconds.toFixed(0)} s`);
}

/** Kept for callers that summarise raw timings the same way. */
export type { Summary };

if (import.meta.main) await main();
