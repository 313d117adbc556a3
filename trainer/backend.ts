/**
 * The one place that picks the tfjs backend. Optional backends are imported
 * only when asked for, so a missing native binding or GPU never breaks the
 * others.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ArchitectureSpec } from "@gan-edge/shared/architectures";
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
  await activate("webgpu");
}

async function useTensorflow(): Promise<void> {
  try {
    await import("@tensorflow/tfjs-node-gpu");
  } catch (e) {
    throw new BackendError(
      "backend tensorflow: @tensorflow/tfjs-node-gpu's native binding is missing " +
        `(${(e as Error).message.split("\n")[0]}).\n` +
        "It needs CUDA 11.2 and cuDNN 8.1 and a libtensorflow download; see " +
        'README "CUDA backend" for the install steps, or use --backend webgpu.',
    );
  }
  await activate("tensorflow");
}

/** Whether a WebGPU adapter is present (Deno's navigator.gpu). */
async function hasWebgpu(): Promise<boolean> {
  return "gpu" in navigator && Boolean(await navigator.gpu.requestAdapter().catch(() => null));
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
      await import("@tensorflow/tfjs-backend-wasm");
      await activate("wasm");
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
 * auto: dense models run fastest on WASM-SIMD (~3× the cpu backend);
 * convolutional ones on a GPU through WebGPU when an adapter exists, else on
 * the cpu backend. cpu is the fallback wherever the faster one fails to
 * start, and the reason says so.
 */
async function chooseAuto(spec?: ArchitectureSpec): Promise<BackendChoice> {
  const convolutional = spec?.id === "dcgan";
  if (!convolutional) {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
      await activate("wasm");
      return { name: "wasm", reason: "auto: dense layers run fastest on WASM-SIMD here" };
    } catch (e) {
      await activate("cpu");
      return { name: "cpu", reason: `auto: wasm failed to start (${(e as Error).message})` };
    }
  }
  if (await hasWebgpu()) {
    try {
      await useWebgpu();
      return { name: "webgpu", reason: "auto: convolutions on the GPU through WebGPU" };
    } catch (e) {
      await activate("cpu");
      return { name: "cpu", reason: `auto: webgpu failed to start (${(e as Error).message})` };
    }
  }
  await activate("cpu");
  return { name: "cpu", reason: "auto: no WebGPU adapter here; the cpu backend runs every kernel" };
}
