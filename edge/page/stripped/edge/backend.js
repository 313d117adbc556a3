// Generated from edge/backend.ts by edge/tools/page_modules.ts (types stripped); do not edit.
/**
 * The edge's only backend: tfjs-backend-wasm with SIMD. Its `.wasm` files are
 * located relative to the installed package (import.meta.resolve), which
 * holds in a local clone, under `deno compile` and on Deno Deploy. There is
 * no fallback: if wasm cannot start, the server does not start.
 *
 * @module
 */ import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { register as registerKernels } from "@gan-edge/kernels/inference";
let ready;
/**
 * Starts the wasm backend once, with the generator's kernels of
 * `@gan-edge/kernels/inference`; throws if it is not wasm afterwards.
 */ export function initWasm() {
  ready ??= (async ()=>{
    tf.enableProdMode();
    // After the backend's import: our XNNPACK transposed convolution (5×
    // faster G at batch 1) must replace the stock kernel, not be replaced by it.
    registerKernels();
    setWasmPaths(new URL(".", import.meta.resolve("@tensorflow/tfjs-backend-wasm")).href);
    const ok = await tf.setBackend("wasm");
    await tf.ready();
    if (!ok || tf.getBackend() !== "wasm") {
      throw new Error(`edge: the wasm backend failed to start (active backend: ${tf.getBackend()}); refusing to fall back`);
    }
    return {
      backend: "wasm",
      simd: Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")),
      threads: Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"))
    };
  })();
  return ready;
}
