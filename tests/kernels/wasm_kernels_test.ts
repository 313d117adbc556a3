/**
 * The kernels of @gan-edge/kernels (inference and training) against the cpu backend, on every
 * stride, padding and shape the DCGAN uses, their gradients through tf.grad,
 * and one full D+G gradient step of the DCGAN.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
// The root import map has no wasm backend; the version is the one in
// deno.lock (trainer/ and edge/ pin the same).
// deno-lint-ignore no-import-prefix
import { setWasmPaths } from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import { clearPhaseFilterCache, register as registerKernels } from "@gan-edge/kernels/training";
import {
  type ArchitectureSpec,
  buildDiscriminator,
  buildGenerator,
} from "../../trainer/architectures.ts";
import { Prng } from "@gan-edge/shared/prng";

setWasmPaths(
  new URL(".", import.meta.resolve("npm:@tensorflow/tfjs-backend-wasm@4.22.0"))
    .href,
);
registerKernels();
tf.enableProdMode();

type Shape4 = [number, number, number, number];

/** Seeded values in [−1, 1), the same on every backend. */
function values(shape: number[], seed: number): Float32Array {
  const prng = new Prng(seed);
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = 2 * prng.uniform() - 1;
  return out;
}

/** Runs `f` on `backend` and returns its outputs' values. */
async function on(
  backend: string,
  f: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  assert.ok(await tf.setBackend(backend), `backend ${backend} did not start`);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const data = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return data;
}

/** max |a − b| ≤ rtol · max |b| + atol, elementwise over the whole tensor. */
function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  what: string,
  rtol = 1e-5,
  atol = 1e-6,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  assert.ok(
    worst <= rtol * scale + atol,
    `${what}: expected wasm ≈ cpu within ${rtol} × ${scale.toExponential(2)}` +
      `, got |Δ| = ${worst} at ${at} (wasm ${actual[at]}, cpu ${expected[at]})`,
  );
}

/** wasm against cpu for the same function, output by output. */
async function compare(
  what: string,
  f: () => tf.Tensor | tf.Tensor[],
  rtol?: number,
): Promise<void> {
  const expected = await on("cpu", f);
  const actual = await on("wasm", f);
  expected.forEach((e, i) => assertClose(actual[i], e, `${what}[${i}]`, rtol));
}

interface ConvCase {
  /** Input of the forward conv2d [n, h, w, cin]. */
  x: Shape4;
  /** Filter [kh, kw, cin, cout]. */
  filter: Shape4;
  stride: number;
  pad: "same" | "valid";
}

// The DCGAN's convolutions (kernel 4, stride 2, same) at 28×28 and 32×32,
// batch 1 and 64, channels 1 and 3; then other strides, kernels, odd sizes
// and valid padding.
const DCGAN_CASES: ConvCase[] = [
  { x: [64, 28, 28, 1], filter: [4, 4, 1, 8], stride: 2, pad: "same" },
  { x: [1, 28, 28, 3], filter: [4, 4, 3, 8], stride: 2, pad: "same" },
  { x: [64, 14, 14, 8], filter: [4, 4, 8, 16], stride: 2, pad: "same" },
  { x: [1, 14, 14, 16], filter: [4, 4, 16, 32], stride: 2, pad: "same" },
  { x: [64, 32, 32, 3], filter: [4, 4, 3, 8], stride: 2, pad: "same" },
  { x: [1, 16, 16, 8], filter: [4, 4, 8, 16], stride: 2, pad: "same" },
  { x: [64, 8, 8, 16], filter: [4, 4, 16, 32], stride: 2, pad: "same" },
];
const OTHER_CASES: ConvCase[] = [
  { x: [2, 15, 15, 3], filter: [4, 4, 3, 5], stride: 2, pad: "same" },
  { x: [2, 7, 7, 4], filter: [5, 5, 4, 3], stride: 2, pad: "same" },
  { x: [2, 9, 9, 2], filter: [3, 3, 2, 4], stride: 2, pad: "valid" },
  { x: [2, 10, 9, 3], filter: [4, 4, 3, 2], stride: 2, pad: "valid" },
  { x: [3, 8, 8, 3], filter: [3, 3, 3, 4], stride: 1, pad: "same" },
  { x: [2, 11, 11, 2], filter: [4, 4, 2, 3], stride: 3, pad: "same" },
  { x: [1, 6, 6, 1], filter: [2, 2, 1, 1], stride: 2, pad: "valid" },
];
const CASES = [...DCGAN_CASES, ...OTHER_CASES];

function label(c: ConvCase): string {
  return `x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}`;
}

function dyShape(c: ConvCase): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    c.filter,
    c.stride,
    1,
    c.pad,
  );
  return info.outShape as Shape4;
}

Deno.test("wasm kernels: registered for wasm", () => {
  for (
    const name of [
      "Conv2DBackpropFilter",
      "UnsortedSegmentSum",
      "Conv2DBackpropInput",
      "OneHot",
      "Tile",
      "BatchMatMul",
      "GatherV2",
      "Greater",
      "Select",
      "Transpose",
    ]
  ) {
    assert.ok(tf.getKernel(name, "wasm"), `${name} on wasm`);
  }
});

Deno.test("wasm kernels: Conv2DBackpropFilter equals cpu's", async () => {
  for (const c of CASES) {
    const dy = dyShape(c);
    await compare(
      `Conv2DBackpropFilter ${label(c)}`,
      () =>
        tf.engine().runKernel(tf.Conv2DBackpropFilter, {
          x: tf.tensor4d(values(c.x, 1), c.x),
          dy: tf.tensor4d(values(dy, 2), dy),
        }, {
          strides: c.stride,
          pad: c.pad,
          dataFormat: "NHWC",
          filterShape: c.filter,
        }) as tf.Tensor,
    );
  }
});

Deno.test("wasm kernels: Conv2DBackpropFilter in NCHW equals cpu's", async () => {
  const x: Shape4 = [2, 3, 9, 9];
  const dy: Shape4 = [2, 4, 5, 5];
  await compare("Conv2DBackpropFilter NCHW", () =>
    tf.engine().runKernel(tf.Conv2DBackpropFilter, {
      x: tf.tensor4d(values(x, 1), x),
      dy: tf.tensor4d(values(dy, 2), dy),
    }, {
      strides: 2,
      pad: "same",
      dataFormat: "NCHW",
      filterShape: [4, 4, 3, 4],
    }) as tf.Tensor);
});

Deno.test("wasm kernels: Conv2DBackpropInput (conv2dTranspose) equals cpu's", async () => {
  for (const c of CASES) {
    const dy = dyShape(c);
    await compare(
      `Conv2DBackpropInput ${label(c)}`,
      () =>
        tf.conv2dTranspose(
          tf.tensor4d(values(dy, 3), dy),
          tf.tensor4d(values(c.filter, 4), c.filter),
          c.x,
          c.stride,
          c.pad,
        ),
    );
  }
});

Deno.test("wasm kernels: UnsortedSegmentSum (gather's gradient) equals cpu's", async () => {
  const ids = [3, 0, 9, 3, 3, 7, 0, 1, 12, -1];
  await compare("unsortedSegmentSum float32", () =>
    tf.unsortedSegmentSum(
      tf.tensor2d(values([10, 6], 5), [10, 6]),
      tf.tensor1d(ids, "int32"),
      10,
    ));
  await compare("unsortedSegmentSum int32", () =>
    tf.unsortedSegmentSum(
      tf.tensor2d(ids.map((_, i) => i * 3 - 7), [10, 1], "int32"),
      tf.tensor1d(ids, "int32"),
      10,
    ).toFloat());
  await compare("gather gradient", () =>
    tf.grad((table: tf.Tensor) =>
      tf.sum(tf.mul(
        tf.gather(table, tf.tensor1d([1, 4, 1, 0, 4, 4], "int32")),
        tf.tensor2d(values([6, 5], 6), [6, 5]),
      ))
    )(tf.tensor2d(values([5, 5], 7), [5, 5])));
});

Deno.test("wasm kernels: gradients of conv2d and conv2dTranspose equal cpu's", async () => {
  for (const c of [...DCGAN_CASES.slice(0, 4), ...OTHER_CASES]) {
    const dy = dyShape(c);
    await compare(`grad conv2d ${label(c)}`, () => {
      const r = tf.tensor4d(values(dy, 8), dy);
      return tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad), r))
      )([tf.tensor4d(values(c.x, 9), c.x), tf.tensor4d(values(c.filter, 10), c.filter)]);
    });
    await compare(`grad conv2dTranspose ${label(c)}`, () => {
      const r = tf.tensor4d(values(c.x, 11), c.x);
      return tf.grads((y: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.mul(
          tf.conv2dTranspose(y as tf.Tensor4D, w as tf.Tensor4D, c.x, c.stride, c.pad),
          r,
        ))
      )([tf.tensor4d(values(dy, 12), dy), tf.tensor4d(values(c.filter, 13), c.filter)]);
    });
  }
});

function dcgan(size: 28 | 32, numClasses?: number): ArchitectureSpec {
  return {
    id: "dcgan",
    latentDim: 8,
    output: { kind: "image", height: size, width: size, channels: 1, range: [-1, 1] },
    width: 4,
    dropout: 0,
    numClasses,
    minibatchStd: true,
  };
}

/**
 * One D+G step's gradients, as the trainer takes them: D on a real and a fake
 * batch (non-saturating logistic loss), then G through D.
 */
function stepGradients(
  G: tf.LayersModel,
  D: tf.LayersModel,
  spec: ArchitectureSpec,
  batch: number,
): tf.Tensor[] {
  const size = (spec.output as { height: number }).height;
  const z = tf.tensor2d(values([batch, spec.latentDim], 20), [batch, spec.latentDim]);
  const real = tf.tensor4d(values([batch, size, size, 1], 21), [batch, size, size, 1]);
  const labels = tf.tensor2d(
    Array.from({ length: batch }, (_, i) => i % (spec.numClasses ?? 1)),
    [batch, 1],
  );
  const g = (zz: tf.Tensor) =>
    G.apply(spec.numClasses ? [zz, labels] : zz, { training: true }) as tf.Tensor;
  const d = (x: tf.Tensor) =>
    D.apply(spec.numClasses ? [x, labels] : x, { training: true }) as tf.Tensor;
  const vars = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
  const dStep = tf.variableGrads(
    () => tf.add(tf.mean(tf.softplus(tf.neg(d(real)))), tf.mean(tf.softplus(d(g(z))))) as tf.Scalar,
    vars(D),
  );
  const gStep = tf.variableGrads(
    () => tf.mean(tf.softplus(tf.neg(d(g(z))))) as tf.Scalar,
    vars(G),
  );
  return [
    dStep.value,
    gStep.value,
    ...Object.values(dStep.grads),
    ...Object.values(gStep.grads),
  ];
}

Deno.test("wasm kernels: a DCGAN D+G step's gradients on wasm equal cpu's, without leaks", async () => {
  for (const [size, classes] of [[28, 10], [32, undefined]] as const) {
    await tf.setBackend("cpu");
    const spec = dcgan(size, classes);
    const G = buildGenerator(spec);
    const D = buildDiscriminator(spec);
    const expected = await on("cpu", () => stepGradients(G, D, spec, 8));
    await tf.setBackend("wasm");
    // Warm once so that variables live on wasm, then count.
    tf.dispose(tf.tidy(() => stepGradients(G, D, spec, 8)));
    const tensors = tf.memory().numTensors;
    const actual = await on("wasm", () => stepGradients(G, D, spec, 8));
    assert.equal(tf.memory().numTensors, tensors, "tensors leaked on wasm");
    expected.forEach((e, i) =>
      assertClose(actual[i], e, `dcgan ${size} ${classes ?? "uncond"} output ${i}`, 1e-4)
    );
    G.dispose();
    D.dispose();
  }
});

Deno.test("wasm kernels: a WGAN-GP gradient penalty's gradients on wasm equal cpu's", async () => {
  // Leaky ReLU's gradient compares x > 0, and tfjs registers no gradient for
  // Greater; kernels/training/gradients.ts registers a zero one, as done here.
  if (!tf.getGradient("Greater")) {
    tf.registerGradient({
      kernelName: "Greater",
      inputsToSave: ["a", "b"],
      gradFunc: (_dy, saved) => ({
        a: () => tf.zerosLike(saved[0]),
        b: () => tf.zerosLike(saved[1]),
      }),
    });
  }
  await tf.setBackend("cpu");
  const D = buildDiscriminator(dcgan(28));
  const x = tf.tensor4d(values([4, 28, 28, 1], 30), [4, 28, 28, 1]);
  // λ (‖∇ₓ D(x)‖ − 1)², differentiated with respect to D's weights.
  const f = () => {
    const { value, grads } = tf.variableGrads(() => {
      const dx = tf.grad((xx: tf.Tensor) => tf.sum(D.apply(xx, { training: true }) as tf.Tensor))(
        x,
      );
      const norm = tf.sqrt(tf.add(tf.sum(tf.square(dx), [1, 2, 3]), 1e-12));
      return tf.mul(10, tf.mean(tf.square(tf.sub(norm, 1)))) as tf.Scalar;
    }, D.trainableWeights.map((w) => w.read() as tf.Variable));
    return [value, ...Object.values(grads)];
  };
  const expected = await on("cpu", f);
  const actual = await on("wasm", f);
  expected.forEach((e, i) => assertClose(actual[i], e, `penalty output ${i}`, 1e-4));
  D.dispose();
  x.dispose();
});

Deno.test("wasm kernels: OneHot equals cpu's for float and int dtypes", async () => {
  const ids = [3, 0, 9, 12, -1, 5];
  for (const dtype of ["float32", "int32"] as const) {
    await compare(
      `oneHot ${dtype}`,
      () =>
        tf.oneHot(tf.tensor1d(ids, "int32"), 10, 0.9, 0.1 * Number(dtype === "float32"), dtype)
          .toFloat(),
    );
  }
});

Deno.test("wasm kernels: Tile equals cpu's", async () => {
  const cases: [number[], number[]][] = [
    [[1, 1, 1, 64], [64, 14, 14, 1]],
    [[1, 1, 6272], [1, 64, 1]],
    [[2, 3, 4], [3, 1, 2]],
    [[3, 1, 2, 5], [1, 4, 3, 2]],
    [[5], [4]],
    [[2, 2], [1, 1]],
    [[2, 0, 3], [2, 2, 2]],
  ];
  for (const [shape, reps] of cases) {
    await compare(
      `tile ${shape} × ${reps}`,
      () => tf.tile(tf.tensor(values(shape, 14), shape), reps),
    );
    await compare(
      `tile int32 ${shape} × ${reps}`,
      () =>
        tf.tile(
          tf.tensor(Array.from(values(shape, 15), (v) => Math.round(v * 9)), shape, "int32"),
          reps,
        )
          .toFloat(),
    );
    await compare(
      `tile bool ${shape} × ${reps}`,
      () => tf.tile(tf.greater(tf.tensor(values(shape, 16), shape), 0), reps).toFloat(),
    );
  }
  await compare("tile scalar", () => tf.tile(tf.scalar(3), []));
});

Deno.test("wasm kernels: BatchMatMul with transposed operands equals cpu's", async () => {
  // [a shape, b shape] before the transposes; the inner sizes agree after them.
  const cases: [number[], number[], boolean, boolean][] = [
    [[64, 128], [128, 32], false, false],
    [[128, 64], [128, 32], true, false], // a dense layer's dW = xᵀ·dy
    [[64, 128], [32, 128], false, true], // its dx = dy·Wᵀ
    [[128, 64], [32, 128], true, true],
    [[1, 7, 5], [1, 7, 3], true, false],
    [[3, 5, 7], [3, 4, 7], false, true], // batched: the stock kernel
    [[2, 7, 5], [1, 7, 3], true, false], // broadcast batch
  ];
  for (const [aShape, bShape, transposeA, transposeB] of cases) {
    await compare(
      `matMul ${aShape}${transposeA ? "ᵀ" : ""} · ${bShape}${transposeB ? "ᵀ" : ""}`,
      () =>
        tf.matMul(
          tf.tensor(values(aShape, 21), aShape),
          tf.tensor(values(bShape, 22), bShape),
          transposeA,
          transposeB,
        ),
    );
  }
});

Deno.test("wasm kernels: Greater, Select and Transpose equal cpu's exactly, covered or not", async () => {
  const exact = async (what: string, f: () => tf.Tensor) => {
    const [expected] = await on("cpu", f);
    const [actual] = await on("wasm", f);
    assert.deepEqual(Array.from(actual), Array.from(expected), what);
  };
  const x = (shape: number[], seed: number) => tf.tensor(values(shape, seed), shape);
  // Ours: float32 against a scalar or the same shape; NaN compares false.
  await exact("x > 0", () => tf.greater(x([128, 128], 41), 0).toFloat());
  await exact("x > y", () => tf.greater(x([3, 5], 42), x([3, 5], 43)).toFloat());
  await exact("NaN > 0", () => tf.greater(tf.tensor1d([NaN, 1, -1, 0]), 0).toFloat());
  // The stock kernel's cases: broadcasting and int32.
  await exact("x > row", () => tf.greater(x([4, 6], 44), x([6], 45)).toFloat());
  await exact("int32 >", () => tf.greater(tf.tensor1d([1, 2, 3], "int32"), 2).toFloat());
  const mask = (shape: number[]) => tf.greater(x(shape, 46), 0);
  await exact("where", () => tf.where(mask([64, 128]), x([64, 128], 47), x([64, 128], 48)));
  await exact(
    "where, broadcast condition",
    () => tf.where(mask([3]), x([4, 3], 49), x([4, 3], 50)),
  );
  await exact(
    "where int32",
    () => tf.where(mask([3]), tf.range(0, 3, 1, "int32"), tf.zeros([3], "int32")).toFloat(),
  );
  for (const shape of [[128, 128], [64, 128], [17, 33], [1, 5], [0, 3]]) {
    await exact(`transpose ${shape}`, () => tf.transpose(x(shape, 51)));
  }
  // Ours: the last two axes of any rank (tf.matMul's operands are [1, m, k]).
  await exact("transpose [1, 256, 128]", () => tf.transpose(x([1, 256, 128], 53), [0, 2, 1]));
  await exact("transpose [3, 2, 17, 5]", () => tf.transpose(x([3, 2, 17, 5], 54), [0, 1, 3, 2]));
  // The stock kernel's: other permutations.
  await exact("transpose rank 3", () => tf.transpose(x([2, 3, 4], 52), [2, 0, 1]));
  await exact("transpose [2, 3, 4] 1 0 2", () => tf.transpose(x([2, 3, 4], 55), [1, 0, 2]));
  await exact(
    "transpose int32",
    () => tf.transpose(tf.tensor2d([1, 2, 3, 4], [2, 2], "int32")).toFloat(),
  );
});

Deno.test("wasm kernels: Sum over leading axes is bit-identical to the stock wasm kernel", async () => {
  // The cpu backend adds in float64, wasm in float32: the claim is against stock wasm.
  const cases: [number[], number | number[], boolean][] = [
    [[128, 256], 0, false], // a dense layer's bias gradient: ours
    [[64, 7, 7, 32], [0, 1, 2], false], // a conv layer's: ours
    [[5, 4, 3], [0, 1], true], // ours, keepDims
    [[5, 4, 3], [1, 0], true], // the stock kernel: it adds axis 0 fastest
    [[6, 3], -2, false], // ours, a negative axis
    [[128, 256], 1, false], // innermost: the stock kernel
    [[4, 5], [0, 1], true], // everything: the stock kernel
    [[4, 5, 6], 1, false], // a middle axis: the stock kernel
  ];
  const input = (shape: number[]) => {
    const v = values(shape, 61).map((a) => a * 1e3);
    if (v.length > 3) [v[0], v[1], v[2]] = [NaN, -0, 1e-30]; // NaN and signed zero propagate
    return tf.tensor(v, shape);
  };
  await tf.setBackend("wasm");
  try {
    for (const [shape, axis, keepDims] of cases) {
      const f = () => tf.sum(input(shape), axis, keepDims);
      registerKernels({ fastElementwise: false });
      const [expected] = await on("wasm", f);
      const expectedShape = tf.tidy(() => f().shape);
      registerKernels();
      const [actual] = await on("wasm", f);
      const label = `sum ${shape} axis ${axis}${keepDims ? " keepDims" : ""}`;
      assert.deepEqual(tf.tidy(() => f().shape), expectedShape, `${label}: shape`);
      assert.deepEqual(Array.from(actual), Array.from(expected), label);
    }
    // Nothing to add gives zeros, as on cpu (stock wasm leaves the output unwritten).
    const [empty] = await on("wasm", () => tf.sum(tf.zeros([0, 3]), 0));
    assert.deepEqual(Array.from(empty), [0, 0, 0], "sum 0,3 axis 0");
  } finally {
    registerKernels();
  }
});

Deno.test("wasm kernels: GatherV2 equals cpu's on every axis, with batch dims and dtypes", async () => {
  const cases: [number[], number[], number[], number, number][] = [
    // [x shape, indices shape, index values, axis, batchDims]
    [[10, 3136], [64], Array.from({ length: 64 }, (_, i) => (i * 7) % 10), 0, 0],
    [[4, 5, 6], [3], [4, 0, 4], 1, 0],
    [[4, 5, 6], [2, 2], [5, 0, 1, 2], 2, 0],
    [[2, 5, 3], [2, 4], [0, 4, 4, 1, 3, 3, 2, 0], 1, 1],
    [[7], [0], [], 0, 0],
  ];
  for (const [xShape, iShape, ids, axis, batchDims] of cases) {
    const label = `gather ${xShape} [${ids}] axis ${axis} batchDims ${batchDims}`;
    const indices = () => tf.tensor(ids, iShape, "int32");
    await compare(
      label,
      () => tf.gather(tf.tensor(values(xShape, 31), xShape), indices(), axis, batchDims),
    );
    await compare(
      `${label} int32`,
      () =>
        tf.gather(
          tf.tensor(Array.from(values(xShape, 32), (v) => Math.round(v * 50)), xShape, "int32"),
          indices(),
          axis,
          batchDims,
        ).toFloat(),
    );
  }
  await tf.setBackend("wasm");
  assert.throws(
    () => tf.tidy(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([0, 3], "int32"))),
    /GatherV2: the index value 3 is not in \[0, 2\]/,
  );
});

Deno.test("wasm kernels: intermediates are freed on the wasm heap", async () => {
  await tf.setBackend("wasm");
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const c = DCGAN_CASES[2];
  const dy = dyShape(c);
  const x = tf.tensor4d(values(c.x, 1), c.x);
  const w = tf.tensor4d(values(c.filter, 2), c.filter);
  const r = tf.tensor4d(values(dy, 3), dy);
  const ids = tf.tensor1d([1, 0, 1], "int32");
  clearPhaseFilterCache(backend);
  const before = backend.numDataIds();
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    tf.dispose(
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same"), r))
      )([x, w]),
    );
    tf.dispose(tf.conv2dTranspose(r, w, c.x, 2, "same"));
    tf.dispose(tf.tidy(() => tf.unsortedSegmentSum(tf.ones([3, 4]), ids, 2)));
    tf.dispose(tf.tidy(() => tf.matMul(tf.ones([3, 4]), tf.ones([5, 3]), true, true)));
    // Phase filters stay cached only for live weights (here w, and the
    // copy tfjs saved for the last backward pass until the next build).
    assert.ok(backend.numDataIds() - before <= 2, `${backend.numDataIds() - before} cached`);
  }
  assert.equal(tf.memory().numTensors, tensors);
  clearPhaseFilterCache(backend);
  assert.equal(backend.numDataIds(), before);
  tf.dispose([x, w, r, ids]);
});
