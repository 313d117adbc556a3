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

/**
 * The WebGPU adapter's description when it is a real GPU; null when there is
 * none or only a software fallback (such as Mesa's llvmpipe), which trains
 * convolutions ~10× slower than WASM-SIMD here.
 */
async function hardwareGpu(): Promise<string | null> {
  if (!("gpu" in navigator)) return null;
  const adapter = await navigator.gpu.requestAdapter().catch(() => null);
  if (!adapter || adapter.info.isFallbackAdapter) return null;
  return adapter.info.description || adapter.info.vendor || "a GPU";
}

/** tfjs-backend-wasm plus the kernels it lacks for training convolutions. */
async function useWasm(): Promise<void> {
  await import("@tensorflow/tfjs-backend-wasm");
  registerKernels(); // after the backend: see its doc
  await activate("wasm");
}

/**
 * Activates `name` (or, for "auto", the fastest backend that runs `spec`
 * here) and returns the choice with the reason.
 */
export async function selectBackend(
  name: BackendName,
  spec?: ArchitectureSpec,
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
      return await chooseAuto(spec);
  }
}

/**
 * auto: convolutional models go to a hardware GPU through WebGPU when one is
 * present; everything else runs on WASM-SIMD (with our gradient kernels),
 * which here beats both the cpu backend (~3× on dense layers, far more on
 * convolutions) and WebGPU on a software adapter. cpu is the fallback only
 * where wasm fails to start, and the reason says so.
 */
async function chooseAuto(spec?: ArchitectureSpec): Promise<BackendChoice> {
  if (spec?.id === "dcgan") {
    const gpu = await hardwareGpu();
    if (gpu) {
      await useWebgpu();
      return { name: "webgpu", reason: `auto: convolutions on ${gpu} through WebGPU` };
    }
  }
  try {
    await useWasm();
    return {
      name: "wasm",
      reason: spec?.id === "dcgan"
        ? "auto: no hardware GPU (WebGPU has only a software adapter here); WASM-SIMD is the fastest backend"
        : "auto: dense layers run fastest on WASM-SIMD",
    };
  } catch (e) {
    await activate("cpu");
    return { name: "cpu", reason: `auto: wasm failed to start (${(e as Error).message})` };
  }
}
