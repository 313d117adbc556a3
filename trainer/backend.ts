/**
 * The one place that picks the tfjs backend. Optional backends are imported
 * only when asked for, so a missing native binding or GPU never breaks the
 * others.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { register as registerKernels } from "@gan-edge/kernels/training";
import type { ArchitectureSpec } from "./architectures.ts";
import { register as registerWebgpuKernels } from "./webgpu_kernels.ts";
import type { BACKENDS } from "./config.ts";

export type BackendName = typeof BACKENDS[number];

/** A backend that cannot start here; the message says how to fix it. */
export class BackendError extends Error {
  override name = "BackendError";
}

/** Which backend runs, and why it was chosen. */
export interface BackendChoice {
  name: Exclude<BackendName, "auto">;
  reason: string;
}

async function activate(name: string): Promise<void> {
  tf.enableProdMode(); // skips per-op NaN checks and the "use tfjs-node" notice
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new BackendError(`backend ${name}: tfjs could not initialise it`);
  }
}

async function useWebgpu(): Promise<void> {
  if (!("gpu" in navigator) || !(await navigator.gpu.requestAdapter())) {
    throw new BackendError(
      "backend webgpu: no WebGPU adapter (navigator.gpu) in this runtime",
    );
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  registerWebgpuKernels(); // after the backend: it wraps three of its kernels
  await activate("webgpu");
  stopOnGpuErrors((tf.backend() as unknown as { device: GPUDevice }).device);
}

/**
 * A command the GPU rejects (an invalid pipeline, a limit exceeded) drops its
 * whole batch of dispatches, and tfjs never asks: the outputs keep whatever
 * their recycled buffers held and training goes on with wrong numbers. This
 * turns the device's first such error into an uncaught BackendError, which
 * stops the run with the GPU's own message.
 */
function stopOnGpuErrors(device: GPUDevice): void {
  device.addEventListener("uncapturederror", (event) => {
    const { error } = event as GPUUncapturedErrorEvent;
    throw new BackendError(
      `backend webgpu: the GPU rejected a command, so the results would be wrong; stopping.\n` +
        error.message,
    );
  }, { once: true });
}

async function useTensorflow(): Promise<void> {
  try {
    await import("@tensorflow/tfjs-node-gpu");
  } catch (e) {
    const first = (e as Error).message.split("\n")[0];
    throw new BackendError(
      `backend tensorflow: @tensorflow/tfjs-node-gpu did not load (${first}).\n` +
        (await napiHint()) +
        "It needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1, its install script " +
        "(deno approve-scripts npm:@tensorflow/tfjs-node-gpu) and --allow-ffi; " +
        'see README "CUDA backend" for the steps, or use --backend webgpu.',
    );
  }
  await activate("tensorflow");
}

/**
 * tensorflow/tfjs#8579/#8581: under Deno (Node-API 10) tfjs-node's install
 * script puts libtensorflow in lib/napi-v10 while the addon is loaded from
 * lib/napi-v8. Returns the command that fixes that layout, if it is the case.
 */
async function napiHint(): Promise<string> {
  try {
    const pkg = new URL("../", import.meta.resolve("@tensorflow/tfjs-node-gpu"));
    return await napiLayoutHint(new URL("lib/", pkg));
  } catch {
    return ""; // no package folder to inspect: nothing to add
  }
}

/** The fix for tfjs-node's lib folder `lib` (a file URL ending in /), or "". */
export async function napiLayoutHint(lib: URL): Promise<string> {
  const withLib: string[] = [];
  for await (const dir of Deno.readDir(lib)) {
    if (!dir.name.startsWith("napi-v")) continue;
    for await (const file of Deno.readDir(new URL(`${dir.name}/`, lib))) {
      if (file.name.startsWith("libtensorflow")) withLib.push(dir.name);
    }
  }
  if (withLib.length === 0 || withLib.includes("napi-v8")) return "";
  const path = decodeURIComponent(lib.pathname);
  return `libtensorflow was installed into lib/${
    withLib[0]
  }, but the addon loads from lib/napi-v8; fix with:\n` +
    `  mkdir -p ${path}napi-v8 && cp -a ${path}${withLib[0]}/. ${path}napi-v8/\n`;
}

/** The WebGPU adapter Deno offers: its description, and whether it is a software fallback. */
async function webgpuAdapter(): Promise<{ name: string; software: boolean } | null> {
  if (!("gpu" in navigator)) return null;
  const adapter = await navigator.gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const { description, vendor, isFallbackAdapter } = adapter.info;
  return { name: description || vendor || "a GPU", software: isFallbackAdapter };
}

/** tfjs-backend-wasm plus the kernels it lacks for training convolutions. */
async function useWasm(): Promise<void> {
  await import("@tensorflow/tfjs-backend-wasm");
  registerKernels(); // after the backend: see its doc
  await activate("wasm");
}

/**
 * Activates `name` (or, for "auto", the fastest backend for `spec` at batch
 * `batch` here) and returns the choice with the reason.
 */
export async function selectBackend(
  name: BackendName,
  spec?: ArchitectureSpec,
  batch = 64,
): Promise<BackendChoice> {
  switch (name) {
    case "cpu":
      await activate("cpu");
      return { name, reason: "asked for with --backend cpu" };
    case "wasm":
      await useWasm();
      return { name, reason: "asked for with --backend wasm" };
    case "webgpu":
      await useWebgpu();
      return { name, reason: "asked for with --backend webgpu" };
    case "tensorflow":
      await useTensorflow();
      return { name, reason: "asked for with --backend tensorflow" };
    case "auto":
      return await chooseAuto(spec, batch);
  }
}

/** Measured milliseconds of one D+G step on each candidate backend. */
export interface StepTimes {
  webgpu: number;
  wasm: number;
}

/**
 * auto's choice between a hardware GPU (WebGPU on `gpu`) and wasm from one
 * training step timed on each, with the figures in the reason.
 */
export function fasterBackend(times: StepTimes, gpu: string, batch: number): BackendChoice {
  const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
  const figures = `webgpu on ${gpu} ${ms(times.webgpu)}, wasm ${ms(times.wasm)} ` +
    `per D+G step at batch ${batch}, measured now`;
  return times.webgpu < times.wasm
    ? { name: "webgpu", reason: `auto: webgpu is faster here (${figures})` }
    : { name: "wasm", reason: `auto: wasm is faster here (${figures})` };
}

/**
 * Times one training step of `spec` at batch `batch` on WebGPU (adapter
 * `gpu`) and on wasm, activates the faster and returns it with the figures.
 */
export async function timedChoice(
  spec: ArchitectureSpec,
  batch: number,
  gpu: string,
): Promise<BackendChoice> {
  const { stepMilliseconds } = await import("./step_probe.ts");
  await useWebgpu();
  const webgpu = await stepMilliseconds(spec, batch);
  await useWasm();
  const wasm = await stepMilliseconds(spec, batch);
  const choice = fasterBackend({ webgpu, wasm }, gpu, batch);
  if (choice.name === "webgpu") await useWebgpu();
  return choice;
}

/**
 * auto: with a hardware GPU, one training step of `spec` is timed on WebGPU
 * and on wasm (the trainer's own loop, after a warm-up step) and the faster
 * runs. A GPU is not faster by default: on an NVIDIA H200 (deno task
 * gpu-check) a tfjs WebGPU step of the width-64 DCGAN at batch 64 took 0.92 s
 * against 1.4 s on one wasm thread of its CPU. Without one (no
 * adapter, or a software adapter such as Mesa's llvmpipe, ~10× slower than
 * wasm on convolutions) wasm runs unmeasured. cpu is the fallback only where
 * wasm fails to start, and the reason says so.
 */
async function chooseAuto(
  spec: ArchitectureSpec | undefined,
  batch: number,
): Promise<BackendChoice> {
  const adapter = await webgpuAdapter();
  const gpu = adapter && !adapter.software ? adapter.name : null;
  if (spec && gpu) return await timedChoice(spec, batch, gpu);
  try {
    await useWasm();
    return {
      name: "wasm",
      reason: gpu
        ? "auto: wasm (WASM-SIMD), as no model was given to time on the GPU"
        : `auto: no hardware GPU (WebGPU has ${
          adapter ? `only the software adapter ${adapter.name}` : "no adapter"
        } here); WASM-SIMD is the fastest backend`,
    };
  } catch (e) {
    await activate("cpu");
    return { name: "cpu", reason: `auto: wasm failed to start (${(e as Error).message})` };
  }
}
