// Generated from kernels/wasm_backend.ts by edge/tools/page_modules.ts (types stripped); do not edit.
/**
 * The little of tfjs-backend-wasm's backend object that our kernels use, and
 * helpers to call the wasm backend's own registered kernels from ours. Typed
 * structurally so that kernels/ needs no dependency on the wasm package.
 *
 * @module
 */ import * as tf from "@tensorflow/tfjs-core";
/**
 * Runs the wasm backend's registered kernel `name`. Its result is a new
 * tensor on the heap that the caller owns: return it, or `free` it.
 */ export function run(name, backend, inputs, attrs = {}) {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) {
    throw new Error(`wasm kernels: expected kernel ${name} on wasm, found none`);
  }
  return kernel.kernelFunc({
    inputs,
    backend: backend,
    attrs: attrs
  });
}
/** Releases intermediates made by `run` or `makeOutput`. */ export function free(backend, ...infos) {
  for (const info of infos)backend.disposeData(info.dataId);
}
/**
 * The same heap data seen with another shape of the same size: no copy and
 * no new reference, so free the original, never the view.
 */ export function view(info, shape) {
  return {
    dataId: info.dataId,
    shape,
    dtype: info.dtype
  };
}
/** The permutation that swaps the last two axes of a rank-`rank` tensor. */ export function swapLastTwo(rank) {
  const perm = Array.from({
    length: rank
  }, (_, i)=>i);
  [perm[rank - 2], perm[rank - 1]] = [
    perm[rank - 1],
    perm[rank - 2]
  ];
  return perm;
}
/** wasm's Transpose kernel (a new tensor the caller owns). */ export function transpose(backend, x, perm) {
  return run(tf.Transpose, backend, {
    x
  }, {
    perm
  });
}
/**
 * A stock wasm kernel that one of ours replaces but still calls (for the cases
 * ours does not cover) or puts back. tfjs runs a kernel's setup only for
 * kernels registered when the backend starts, so `run` does the stock
 * kernel's setup itself, once per backend.
 */ export class StockKernel {
  name;
  ours;
  #config;
  #setUp;
  constructor(name, ours){
    this.name = name;
    this.ours = ours;
    this.#setUp = new WeakSet();
  }
  /** Records the kernel registered now, unless it is ours (call before replacing it). */ remember() {
    const config = tf.getKernel(this.name, "wasm");
    if (config && config.kernelFunc !== this.ours) this.#config = config;
  }
  /** The stock kernel's config, if it was registered when ours replaced it. */ get config() {
    return this.#config;
  }
  /**
   * Runs the stock kernel's setup on `backend`, once. Ours calls it from its
   * own setup: other stock kernels call a stock kernel's internals (wasm's
   * Mean calls Transpose's), which exist only once its setup has run.
   */ setup(backend) {
    const config = this.#config;
    if (config?.setupFunc && !this.#setUp.has(backend)) {
      config.setupFunc(backend);
      this.#setUp.add(backend);
    }
  }
  /** Runs the stock kernel; its result is a new tensor the caller owns. */ run(inputs, backend, attrs = {}) {
    const config = this.#config;
    if (!config) {
      throw new Error(`wasm kernels: our ${this.name} needs the stock wasm kernel, which was not ` + "registered; import @tensorflow/tfjs-backend-wasm first");
    }
    this.setup(backend);
    return config.kernelFunc({
      inputs,
      backend: backend,
      attrs: attrs
    });
  }
}
