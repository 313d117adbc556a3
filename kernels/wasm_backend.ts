/**
 * The little of tfjs-backend-wasm's backend object that our kernels use, and
 * helpers to call the wasm backend's own registered kernels from ours. Typed
 * structurally so that kernels/ needs no dependency on the wasm package.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** The wasm backend, as much of it as our kernels touch. */
export interface WasmBackend {
  dataIdMap: {
    get(dataId: tf.DataId): { id: number } | undefined;
    has(dataId: tf.DataId): boolean;
  };
  /** Allocates an uninitialised tensor on the wasm heap (refCount 1). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of a tensor's heap memory; invalid after the next allocation. */
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** The wasm backend's heap: allocate first, since views die at the next allocation. */
export type WasmHeap = Pick<WasmBackend, "makeOutput" | "typedArrayFromHeap">;

/** The arguments tfjs passes to a kernel function. */
export interface KernelArgs<I, A> {
  inputs: I;
  backend: unknown;
  attrs?: A;
}

/**
 * Runs the wasm backend's registered kernel `name`. Its result is a new
 * tensor on the heap that the caller owns: return it, or `free` it.
 */
export function run(
  name: string,
  backend: WasmBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: Record<string, unknown> = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) {
    throw new Error(`wasm kernels: expected kernel ${name} on wasm, found none`);
  }
  return kernel.kernelFunc({
    inputs,
    backend: backend as unknown as tf.KernelBackend,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/** Releases intermediates made by `run` or `makeOutput`. */
export function free(backend: WasmBackend, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * The same heap data seen with another shape of the same size: no copy and
 * no new reference, so free the original, never the view.
 */
export function view(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
export function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** wasm's Transpose kernel (a new tensor the caller owns). */
export function transpose(
  backend: WasmBackend,
  x: tf.TensorInfo,
  perm: number[],
): tf.TensorInfo {
  return run(tf.Transpose, backend, { x }, { perm });
}

/**
 * A stock wasm kernel that one of ours replaces but still calls (for the cases
 * ours does not cover) or puts back. tfjs runs a kernel's setup only for
 * kernels registered when the backend starts, so `run` does the stock
 * kernel's setup itself, once per backend.
 */
export class StockKernel {
  #config: tf.KernelConfig | undefined;
  readonly #setUp = new WeakSet<object>();

  constructor(readonly name: string, private readonly ours: tf.KernelFunc) {}

  /** Records the kernel registered now, unless it is ours (call before replacing it). */
  remember(): void {
    const config = tf.getKernel(this.name, "wasm");
    if (config && config.kernelFunc !== this.ours) this.#config = config;
  }

  /** The stock kernel's config, if it was registered when ours replaced it. */
  get config(): tf.KernelConfig | undefined {
    return this.#config;
  }

  /**
   * Runs the stock kernel's setup on `backend`, once. Ours calls it from its
   * own setup: other stock kernels call a stock kernel's internals (wasm's
   * Mean calls Transpose's), which exist only once its setup has run.
   */
  setup(backend: WasmBackend): void {
    const config = this.#config;
    if (config?.setupFunc && !this.#setUp.has(backend)) {
      config.setupFunc(backend as unknown as tf.KernelBackend);
      this.#setUp.add(backend);
    }
  }

  /** Runs the stock kernel; its result is a new tensor the caller owns. */
  run(
    inputs: tf.NamedTensorInfoMap,
    backend: WasmBackend,
    attrs: object = {},
  ): tf.TensorInfo {
    const config = this.#config;
    if (!config) {
      throw new Error(
        `wasm kernels: our ${this.name} needs the stock wasm kernel, which was not ` +
          "registered; import @tensorflow/tfjs-backend-wasm first",
      );
    }
    this.setup(backend);
    return config.kernelFunc({
      inputs,
      backend: backend as unknown as tf.KernelBackend,
      attrs: attrs as tf.NamedAttrMap,
    }) as tf.TensorInfo;
  }
}
