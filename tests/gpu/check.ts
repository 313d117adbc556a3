/**
 * `deno task gpu-check`: the trainer on this machine's GPU through WebGPU,
 * checked and timed against PyTorch on the same machine.
 *
 * 1. The WebGPU adapter Deno finds (a software one, such as llvmpipe, is
 *    named as such).
 * 2. Parity: every op and gradient of the DCGAN trainer on WebGPU against
 *    wasm, as tests/trainer/webgpu_parity_test.ts checks it (tests/gpu/parity.ts).
 * 3. The Fashion-MNIST DCGAN trained `--steps` generator steps on WebGPU
 *    through the trainer's own loop, after `--warmup` steps: steps/s and the
 *    losses. Then `--wasm-steps` steps on wasm (one thread), for scale.
 * 4. The same model, batch and optimiser in PyTorch (tests/gpu/peer_torch.py),
 *    on CUDA when torch sees a GPU, else on its CPU.
 *
 * Every figure comes from this run; `--json FILE` writes them all.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../../trainer/backend.ts";
import { parseConfig, type TrainConfig } from "../../trainer/config.ts";
import { type DataSource, openDataset } from "../../trainer/data/mod.ts";
import { GanState, specFor, type StepLog, trainSteps } from "../../trainer/loop.ts";
import { PARITY_CASES, parityReport } from "./parity.ts";

const HELP = `Usage: deno task gpu-check [flags]

Trains the Fashion-MNIST DCGAN on WebGPU and in PyTorch (CUDA when present)
on this machine and prints steps/s and the losses of each.

  --data-dir DIR     Fashion-MNIST IDX files [default: the trainer's lookup]
  --steps N          timed generator steps per side [default: 100]
  --warmup N         untimed steps first (shader compilation, caches) [default: 10]
  --wasm-steps N     timed steps on wasm, for scale (0: skip) [default: 10]
  --width N          DCGAN width [default: 64]
  --batch-size N     [default: 64]
  --conditional      class-conditional G and D
  --parity-cases L   comma list of tests/gpu/parity.ts cases, or none [default: all]
  --python PATH      Python with torch [default: python3, else /usr/bin/python3]
  --no-torch         skip the PyTorch side
  --json FILE        write every result as JSON
  --help             print this help`;

/** One side's timed training. */
export interface SideResult {
  side: string;
  device: string;
  steps: number;
  warmup: number;
  seconds: number;
  stepsPerSecond: number;
  /** [loss_D, loss_G] of every step, warm-up steps first. */
  losses: [number, number][];
}

/** Means of loss_D and loss_G over the last `k` entries. */
export function lastMeans(losses: [number, number][], k = 10): [number, number] {
  const tail = losses.slice(-k);
  const mean = (i: 0 | 1) => tail.reduce((s, l) => s + l[i], 0) / tail.length;
  return [mean(0), mean(1)];
}

/** The adapter Deno's WebGPU offers, in words; null when there is none. */
async function adapterInfo(): Promise<string | null> {
  if (!("gpu" in navigator)) return null;
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return null;
  const i = adapter.info;
  const words = [i.description || i.device, i.vendor && `vendor ${i.vendor}`, i.architecture]
    .filter(Boolean).join(", ");
  return i.isFallbackAdapter ? `${words} (software fallback adapter)` : words;
}

/** Trains `steps` timed steps after `warmup` on the active backend. */
async function trainSide(
  side: string,
  device: string,
  config: TrainConfig,
  data: DataSource,
  warmup: number,
  steps: number,
): Promise<SideResult> {
  using state = new GanState(config, specFor(config, data));
  const losses: [number, number][] = [];
  const onStep = (log: StepLog) => {
    losses.push([log.loss_D, log.loss_G]);
  };
  await trainSteps(state, data, warmup, onStep);
  const t0 = performance.now();
  await trainSteps(state, data, warmup + steps, onStep);
  const seconds = (performance.now() - t0) / 1000;
  return { side, device, steps, warmup, seconds, stepsPerSecond: steps / seconds, losses };
}

/** A Python that imports torch: `wanted`, else python3, else Debian's. */
async function findPython(wanted?: string): Promise<string | null> {
  for (const python of wanted ? [wanted] : ["python3", "/usr/bin/python3"]) {
    try {
      const out = await new Deno.Command(python, { args: ["-c", "import torch"] }).output();
      if (out.success) return python;
    } catch {
      // not installed: try the next
    }
  }
  return null;
}

/** The PyTorch side: tests/gpu/peer_torch.py's JSON. */
async function torchSide(
  python: string,
  config: TrainConfig,
  dataDir: string,
  warmup: number,
  steps: number,
): Promise<SideResult & { info: Record<string, unknown> }> {
  const args = [
    new URL("./peer_torch.py", import.meta.url).pathname,
    "--data-dir",
    dataDir,
    "--steps",
    String(steps),
    "--warmup",
    String(warmup),
    "--width",
    String(config.width),
    "--batch-size",
    String(config["batch-size"]),
    "--lr",
    String(config.lr),
    "--beta1",
    String(config.beta1),
    "--beta2",
    String(config.beta2),
    ...(config.conditional ? ["--conditional"] : []),
  ];
  const out = await new Deno.Command(python, { args, stderr: "inherit" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(`peer_torch.py exited with ${out.code}: ${text.slice(-500)}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

/** The Debian folder the trainer falls back on, when no --data-dir is given. */
const DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

function fmt(x: number, digits = 4): string {
  return x.toFixed(digits);
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "data-dir": { type: "string" },
      steps: { type: "string", default: "100" },
      warmup: { type: "string", default: "10" },
      "wasm-steps": { type: "string", default: "10" },
      width: { type: "string", default: "64" },
      "batch-size": { type: "string", default: "64" },
      conditional: { type: "boolean", default: false },
      "parity-cases": { type: "string", default: "all" },
      python: { type: "string" },
      "no-torch": { type: "boolean", default: false },
      json: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const count = (flag: "steps" | "warmup" | "wasm-steps", min: number) => {
    const n = Number(values[flag]);
    if (!Number.isInteger(n) || n < min) {
      throw new RangeError(`--${flag}: expected an integer ≥ ${min}, got ${values[flag]}`);
    }
    return n;
  };
  const steps = count("steps", 1), warmup = count("warmup", 1), wasmSteps = count("wasm-steps", 0);
  const dataDir = values["data-dir"];
  // Bundled (tests/gpu/pack.sh), tfjs-backend-wasm's Emscripten loader
  // looks for its .wasm in `__dirname`, which an ES module bundle lacks:
  // point it at the bundle's folder, where pack.sh puts the .wasm.
  // Unbundled, the package's own CommonJS __dirname wins.
  (globalThis as { __dirname?: string }).__dirname ??= new URL(".", import.meta.url).pathname;
  const results: Record<string, unknown> = { deno: Deno.version, args };

  const adapter = await adapterInfo();
  console.log(`WebGPU adapter: ${adapter ?? "none"}`);
  results.adapter = adapter;
  if (!adapter) {
    console.error("error: Deno finds no WebGPU adapter here (navigator.gpu); nothing to check");
    return 1;
  }

  // 2. Parity.
  const cases = values["parity-cases"] === "all"
    ? Object.keys(PARITY_CASES)
    : values["parity-cases"] === "none"
    ? []
    : values["parity-cases"].split(",");
  const parity = [];
  for (const name of cases) {
    const report = await parityReport(name);
    const worst = report.rows.reduce((a, b) => (b.relErr > a.relErr ? b : a));
    const nonFinite = report.rows.reduce((s, r) => s + r.nonFinite, 0);
    const ok = report.rows.every((r) => r.relErr <= 1e-3 && r.nonFinite === 0);
    console.log(
      `parity ${name}: ${ok ? "ok" : "FAILED"}, ${report.rows.length} results, worst ` +
        `${worst.relErr.toExponential(2)} (${worst.name}), ${nonFinite} non-finite ` +
        `(wasm ${fmt(report.seconds.wasm, 1)} s, webgpu ${fmt(report.seconds.webgpu, 1)} s)`,
    );
    parity.push({ ...report, ok });
  }
  results.parity = parity;

  // 3. The trainer on WebGPU, then on wasm.
  const data = await openDataset("fashion-mnist", { dataDir });
  const config = parseConfig([
    "--dataset",
    "fashion-mnist",
    "--width",
    values.width,
    "--batch-size",
    values["batch-size"],
    ...(values.conditional ? ["--conditional"] : []),
  ], { kind: "image", size: data.size, labelled: true });
  const model = `DCGAN width ${config.width}${config.conditional ? " conditional" : ""}, ` +
    `batch ${config["batch-size"]}, ${config.loss} loss, Adam lr ${config.lr}`;
  console.log(`model: ${model}; ${steps} timed steps after ${warmup} warm-up`);
  const sides: SideResult[] = [];
  await selectBackend("webgpu");
  sides.push(await trainSide("tfjs webgpu", adapter, config, data, warmup, steps));
  if (wasmSteps > 0) {
    await selectBackend("wasm");
    sides.push(await trainSide("tfjs wasm, 1 thread", "CPU", config, data, 1, wasmSteps));
  }

  // 4. PyTorch.
  if (!values["no-torch"]) {
    const python = await findPython(values.python);
    if (!python) {
      console.log("PyTorch: not measured (no Python here imports torch; pass --python PATH)");
    } else {
      const peer = await torchSide(python, config, dataDir ?? DEBIAN_FASHION_MNIST, warmup, steps);
      results.torch = peer.info;
      sides.push(peer);
    }
  }
  results.model = model;
  results.sides = sides;

  for (const s of sides) {
    console.log(`\n${s.side} on ${s.device}: loss_D / loss_G per step`);
    s.losses.forEach(([d, g], i) => {
      const step = i + 1;
      if (step === 1 || step % 10 === 0 || step === s.losses.length) {
        console.log(`  [${step}] ${fmt(d)} / ${fmt(g)}${step <= s.warmup ? " (warm-up)" : ""}`);
      }
    });
  }
  console.log(`\n${model}`);
  console.log(
    "| side | device | steps/s | ms/step | timed steps | loss_D, loss_G (mean of last 10) |",
  );
  console.log("|---|---|---:|---:|---:|---|");
  for (const s of sides) {
    const [d, g] = lastMeans(s.losses);
    console.log(
      `| ${s.side} | ${s.device} | ${fmt(s.stepsPerSecond, 2)} | ${
        fmt(1000 / s.stepsPerSecond, 1)
      } | ` +
        `${s.steps} | ${fmt(d, 3)}, ${fmt(g, 3)} |`,
    );
  }
  if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(results, null, 1));
  const parityOk = parity.every((p) => p.ok);
  const finite = sides.every((s) => s.losses.every(([d, g]) => Number.isFinite(d + g)));
  if (!parityOk) console.error("error: WebGPU parity failed (see the lines above)");
  if (!finite) console.error("error: a loss was not finite");
  return parityOk && finite ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
