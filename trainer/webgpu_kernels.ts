/**
 * Two kernels of tfjs-backend-webgpu 4.22.0 that return wrong numbers with
 * no error, wrapped for the "webgpu" backend through tfjs's kernel registry
 * by {@link register} (call it after importing the backend).
 *
 * - `AddN` binds every input as a storage buffer in one shader. tfjs asks
 *   the device for the WebGPU default of 8 storage buffers per stage, so 8 or
 *   more inputs (7 plus the output fit) make an invalid pipeline: the queue
 *   drops the whole batch of up to 15 dispatches around it, and their outputs
 *   keep whatever their recycled buffers held. The trainer's gradient norm
 *   sums one term per variable (8 for the DCGAN generator): its value was
 *   garbage, and the Adam updates dropped with it turned the weights NaN at
 *   step 2. The wrapper adds the inputs in groups that fit, then the sums.
 * - `BatchMatMul` and `_FusedMatMul` with a transposed B: for small outputs
 *   over a long inner axis (K ≥ 2000, at most a few 32×32 tiles: a dense
 *   layer's input gradient at batch ≤ 128) tfjs picks its split-K program,
 *   whose vec4 reads of B ignore the transpose (its packed program checks
 *   for it). The wrapper transposes B first in that case, so the split-K
 *   program reads it plainly.
 *
 * Hand-written because no tfjs release fixes either (4.22.0 is the last).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of tfjs's WebGPU backend the wrappers read. */
interface WebgpuBackend {
  device: GPUDevice;
  thresholdToIncreaseWorkgroups: number;
  disposeData(dataId: object): void;
}

type KernelFunc = (args: {
  inputs: tf.NamedTensorInfoMap | tf.TensorInfo[];
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}) => tf.TensorInfo;

/** The stock kernel `name` of the webgpu backend (the first one registered). */
function stock(name: string): KernelFunc {
  const config = tf.getKernel(name, "webgpu");
  if (!config) throw new Error(`webgpu_kernels: tfjs-backend-webgpu has no ${name} kernel`);
  return ((config as unknown as { stock?: KernelFunc }).stock ??
    config.kernelFunc) as unknown as KernelFunc;
}

/** Registers `wrap(stockKernel)` in place of the webgpu kernel `name`, once. */
function wrapKernel(name: string, wrap: (stockKernel: KernelFunc) => KernelFunc): void {
  const config = tf.getKernel(name, "webgpu") as unknown as { stock?: KernelFunc } | undefined;
  if (config?.stock) return; // already wrapped
  const stockKernel = stock(name);
  tf.unregisterKernel(name, "webgpu");
  tf.registerKernel({
    kernelName: name,
    backendName: "webgpu",
    kernelFunc: wrap(stockKernel) as unknown as tf.KernelFunc,
    stock: stockKernel,
  } as tf.KernelConfig);
}

/**
 * Groups of input indices for a sum of `n` inputs with at most `max` per
 * shader: consecutive runs of `max` (the last shorter), e.g. 9 inputs, 7 per
 * shader: [[0…6], [7, 8]].
 */
export function addNGroups(n: number, max: number): number[][] {
  if (!(max >= 2)) {
    throw new RangeError(`addNGroups: expected at least 2 inputs per shader, got ${max}`);
  }
  const groups: number[][] = [];
  for (let i = 0; i < n; i += max) {
    groups.push(Array.from({ length: Math.min(max, n - i) }, (_, j) => i + j));
  }
  return groups;
}

/** `AddN` in groups of inputs that fit one shader's storage buffers. */
const groupedAddN = (addN: KernelFunc): KernelFunc => ({ inputs, backend }) => {
  const gpu = backend as WebgpuBackend;
  // One storage buffer is the output.
  const max = gpu.device.limits.maxStorageBuffersPerShaderStage - 1;
  let terms = Object.values(inputs) as tf.TensorInfo[];
  const partial: tf.TensorInfo[] = [];
  while (terms.length > max) {
    terms = addNGroups(terms.length, max).map((group) => {
      if (group.length === 1) return terms[group[0]];
      const sum = addN({ inputs: group.map((i) => terms[i]), backend });
      partial.push(sum);
      return sum;
    });
  }
  const out = addN({ inputs: terms, backend });
  for (const t of partial) gpu.disposeData(t.dataId);
  return out;
};

/** Shapes and flags of one matrix product, as tfjs's batchMatMulImpl reads them. */
export interface MatMulShape {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * True when tfjs-backend-webgpu 4.22.0 runs this product with its split-K
 * program: its own test in batchMatMulImpl (few 32×32 output tiles, more
 * than 128 outputs, no batch, K ≥ 2000), with `threshold` the backend's
 * tile count (8; 16 on recent Intel GPUs) unless the flag sets one.
 */
export function usesSplitK(m: MatMulShape, threshold: number, programType = -1): boolean {
  if (programType >= 0) return programType === 1; // MatMulSplitKProgram
  const { a, b, transposeA, transposeB } = m;
  const rows = transposeA ? a.at(-1)! : a.at(-2)!;
  const cols = transposeB ? b.at(-2)! : b.at(-1)!;
  const inner = transposeB ? b.at(-1)! : b.at(-2)!;
  const batch = Math.max(
    tf.util.sizeFromShape(a.slice(0, -2)),
    tf.util.sizeFromShape(b.slice(0, -2)),
  );
  const tiles = batch * Math.ceil(rows / 32) * Math.ceil(cols / 32);
  const fewTiles = tiles <= threshold || (rows <= 8 && tiles <= threshold * 2);
  return fewTiles && batch * rows * cols > 128 && batch === 1 && inner >= 2000;
}

/** The wrapper of a matrix-product kernel: B transposed first where split-K misreads it. */
function transposedBFirst(matMul: KernelFunc): KernelFunc {
  const transpose = stock(tf.Transpose);
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as Record<"a" | "b", tf.TensorInfo>;
    const { transposeA, transposeB } = attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
    };
    const gpu = backend as WebgpuBackend;
    const flag = tf.env().getNumber("WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL");
    const threshold = flag > 0 ? flag : gpu.thresholdToIncreaseWorkgroups;
    const programType = tf.env().getNumber("WEBGPU_MATMUL_PROGRAM_TYPE");
    const shape = { a: a.shape, b: b.shape, transposeA, transposeB };
    if (!transposeB || !usesSplitK(shape, threshold, programType)) {
      return matMul({ inputs, backend, attrs });
    }
    const perm = b.shape.map((_, i) => i);
    perm.splice(-2, 2, perm.length - 1, perm.length - 2);
    const bT = transpose({ inputs: { x: b }, backend, attrs: { perm } });
    const out = matMul({
      inputs: { ...inputs, b: bT },
      backend,
      attrs: { ...attrs, transposeB: false },
    });
    gpu.disposeData(bT.dataId);
    return out;
  };
}

/**
 * Wraps the webgpu backend's `AddN`, `BatchMatMul` and `_FusedMatMul` (see
 * the module doc); idempotent. Throws if tfjs-backend-webgpu is not imported.
 */
export function register(): void {
  wrapKernel(tf.AddN, groupedAddN);
  wrapKernel(tf.BatchMatMul, transposedBFirst);
  wrapKernel(tf._FusedMatMul, transposedBFirst);
}
