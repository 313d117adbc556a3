/**
 * Generator latency on the edge's path, in a process of its own (run by
 * main.ts), against its peers on the same weights:
 *
 * - ours: edge/sampler.ts loadSampler on an artifact (tfjs wasm, SIMD), with
 *   @gan-edge/kernels/inference's transposed convolution and with tfjs's
 *   stock one put back (its register()); the result says which of the two
 *   the edge ships (whether edge/backend.ts imports the kernels);
 * - the PyTorch peer, eager, on 1 thread (peer_torch.py loads the artifact's
 *   dequantized weights, checks its outputs against ours on fixed latents,
 *   and exports the ONNX file);
 * - onnxruntime-web (WASM-SIMD, 1 thread) on that ONNX file, in this process.
 *
 * Without the peer there is no ONNX file: both peers' figures are null and
 * `peer_not_measured` says why.
 *
 * Also: artifact size and fidelity (uint8, float16, float32 against float32)
 * and issue 7's transposed-convolution chain (stock, ours, upsampling +
 * conv2d, onnxruntime-web, PyTorch). Prints one JSON object.
 *
 * Run: deno run -A bench/generator.ts --dir TMP [--runs 40] [--warmup 5]
 *        [--peer JSON (peers.ts probePeer's result)] [--trained FLOAT32_GENERATOR_DIR]
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as ort from "onnxruntime-web";
import { loadSampler, type Sampler } from "@gan-edge/edge/sampler";
import { register as registerKernels } from "@gan-edge/kernels/inference";
import { type ArchitectureSpec, buildGenerator } from "../trainer/architectures.ts";
import { decodeArtifact, encodeArtifact } from "@gan-edge/shared/artifact";
import { latents } from "@gan-edge/shared/prng";
import { FORMAT_VERSION, type Quantization } from "@gan-edge/shared/schema";
import { exportGenerator, modelArtifacts, writeArtifactDir } from "@gan-edge/trainer/export";
import type { ExportMetadata } from "@gan-edge/trainer/export";
import { countMacs } from "./macs.ts";
import { absDiff, summarize, timeAlternating, timeRuns } from "./stats.ts";
import { describePeer, runPeer } from "./peers.ts";
import { type Chain, type Generator, type GeneratorModel, Peer, type Quantized } from "./schema.ts";
import { z } from "zod";

ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;

/** The DCGAN generators we ship (28×28, width 32, latent 64), with and without classes. */
export function dcganSpec(conditional: boolean): ArchitectureSpec {
  return {
    id: "dcgan",
    latentDim: 64,
    output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
    width: 32,
    dropout: 0,
    ...(conditional ? { numClasses: 10 } : {}),
  };
}

const CLASSES = Array.from({ length: 10 }, (_, i) => `class${i}`);

function metadataFor(spec: ArchitectureSpec): ExportMetadata {
  return {
    latent: { dim: spec.latentDim, distribution: "normal" },
    output: spec.output,
    ...(spec.numClasses ? { classNames: CLASSES } : {}),
    architecture: { id: spec.id, hyperparameters: { width: (spec as { width: number }).width } },
    training: {
      dataset: "bench (random weights)",
      loss: "ns",
      steps: 0,
      seed: 0,
      backend: "wasm",
      date: new Date().toISOString(),
    },
    metrics: {},
  };
}

/**
 * Writes G as an artifact in `dir`. Unconditional: trainer/export.ts
 * exportGenerator. Conditional: its parts (modelArtifacts, encodeArtifact,
 * writeArtifactDir), because exportGenerator's fidelity check calls G with z
 * alone and throws on a two-input generator.
 */
async function writeArtifact(
  G: tfl.LayersModel,
  metadata: ExportMetadata,
  q: Quantization,
  dir: string,
): Promise<number> {
  if (!metadata.classNames) return (await exportGenerator(G, metadata, q, dir)).bytes;
  const files = await encodeArtifact(
    await modelArtifacts(G as never),
    { formatVersion: FORMAT_VERSION, ...metadata },
    q,
  );
  await writeArtifactDir(files, dir);
  return [...files.values()].reduce((n, b) => n + b.length, 0);
}

/** Fixed inputs: latents of seed 7, class i mod K. */
function fixedInputs(sampler: Sampler, n: number) {
  const { dim, distribution } = sampler.metadata.latent;
  const z = latents(7, n, dim, distribution);
  const labels = sampler.classNames
    ? Array.from({ length: n }, (_, i) => i % sampler.classNames!.length)
    : undefined;
  return { z, labels };
}

/** One call of the sampler on fixed inputs of `batch`. */
function samplerCall(sampler: Sampler, batch: number) {
  const { z, labels } = fixedInputs(sampler, batch);
  return () => sampler.generate(z, batch, labels);
}

async function ortSession(path: string) {
  return await ort.InferenceSession.create(await Deno.readFile(path), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
}

/** One onnxruntime-web call on fixed inputs of `batch` (z, and labels if conditional). */
function ortCall(
  session: ort.InferenceSession,
  dim: number,
  conditional: boolean,
  batch: number,
  z?: Float32Array,
  labels?: number[],
) {
  const feeds: Record<string, ort.Tensor> = {
    z: new ort.Tensor("float32", z ?? latents(7, batch, dim, "normal"), [batch, dim]),
  };
  if (conditional) {
    feeds.label = new ort.Tensor(
      "float32",
      Float32Array.from(labels ?? Array.from({ length: batch }, (_, i) => i % 10)),
      [batch, 1],
    );
  }
  return async () => (await session.run(feeds)).sample.data as Float32Array;
}

interface ModelCase {
  name: string;
  dir: string;
  sampler?: Sampler;
}

/** What peer_torch.py generate returns. */
const PeerGenerate = z.object({
  max_abs_diff: z.number(),
  mean_abs_diff: z.number(),
  params: z.number(),
  batch1_ms: z.array(z.number()),
  batch64_ms: z.array(z.number()),
});

/** Latency of every generator, ours and the peers, at batch 1 and 64. */
async function benchModels(
  cases: ModelCase[],
  tmp: string,
  peer: Peer,
  runs: number,
  warmup: number,
): Promise<GeneratorModel[]> {
  const rows: GeneratorModel[] = [];
  for (const c of cases) {
    registerKernels({ fastConv2DBackpropInput: true });
    const sampler = await loadSampler(c.dir);
    const dim = sampler.metadata.latent.dim;
    const conditional = Boolean(sampler.classNames);
    const n = 8;
    const fixed = fixedInputs(sampler, n);
    const ours = await sampler.generate(fixed.z, n, fixed.labels);
    const slug = c.name.replace(/\W+/g, "-");
    const caseFile = `${tmp}/${slug}.case.json`;
    await Deno.writeTextFile(
      caseFile,
      JSON.stringify({ n, z: [...fixed.z], labels: fixed.labels, out: [...ours] }),
    );
    const onnx = `${tmp}/${slug}.onnx`;
    let theirs: GeneratorModel["peer"] = null;
    if (peer.available) {
      const r = PeerGenerate.parse(
        (await runPeer(peer, 1, ["generate", c.dir, caseFile, onnx, String(runs), String(warmup)]))
          .result,
      );
      theirs = {
        max_abs_diff: r.max_abs_diff,
        mean_abs_diff: r.mean_abs_diff,
        params: r.params,
        batch1: summarize(r.batch1_ms),
        batch64: summarize(r.batch64_ms),
      };
    }
    // onnxruntime-web runs the peer's ONNX export: no peer, no session.
    const session = peer.available ? await ortSession(onnx) : null;
    const ortOut = session
      ? await ortCall(session, dim, conditional, n, fixed.z, fixed.labels)()
      : null;
    const { model } = await rebuild(c.dir);
    const macs = countMacs(model).total;
    model.dispose();
    const batches = [];
    for (const batch of [1, 64]) {
      const r = batch === 1 ? runs : Math.max(5, Math.floor(runs / 4));
      const w = batch === 1 ? warmup : 2;
      registerKernels({ fastConv2DBackpropInput: false });
      const stock = await timeRuns(samplerCall(sampler, batch), r, w);
      registerKernels({ fastConv2DBackpropInput: true });
      if (session) {
        // The shipped path and onnxruntime-web take turns, call by call.
        const [fast, onnxrt] = await timeAlternating(
          [samplerCall(sampler, batch), ortCall(session, dim, conditional, batch)],
          r,
          w,
        );
        batches.push({ stock, kernels: summarize(fast), ort: summarize(onnxrt) });
      } else {
        batches.push({
          stock,
          kernels: await timeRuns(samplerCall(sampler, batch), r, w),
          ort: null,
        });
      }
    }
    await session?.release();
    rows.push({
      model: c.name,
      macs_per_sample: macs,
      max_abs_out: ours.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
      peer: theirs,
      ort_max_abs_diff: ortOut ? absDiff(ortOut, ours).max : null,
      batch1: batches[0],
      batch64: batches[1],
    });
  }
  return rows;
}

/** The LayersModel of an artifact folder (read only), and its export metadata. */
async function rebuild(dir: string) {
  const read = (p: string) => Deno.readFile(`${dir}/${p}`);
  const decoded = await decodeArtifact(await read("model.json"), read);
  const { shards: _s, quantization: _q, formatVersion: _f, ...metadata } = decoded.metadata;
  const model = await tfl.loadLayersModel(tf.io.fromMemory(decoded.modelArtifacts));
  return { model, metadata: metadata as ExportMetadata };
}

/** Size and output fidelity of each quantization of G against float32. */
async function benchQuantization(
  G: tfl.LayersModel,
  metadata: ExportMetadata,
  model: string,
  tmp: string,
): Promise<Quantized[]> {
  const rows: Quantized[] = [];
  let reference: Float32Array | undefined;
  const n = 256;
  for (const q of ["float32", "float16", "uint8"] as const) {
    const dir = `${tmp}/quant-${model.replace(/\W+/g, "-")}-${q}`;
    const bytes = await writeArtifact(G, metadata, q, dir);
    const sampler = await loadSampler(dir);
    const { z, labels } = fixedInputs(sampler, n);
    const out = await sampler.generate(z, n, labels);
    reference ??= out;
    const d = absDiff(out, reference);
    rows.push({
      model,
      quantization: q,
      bytes,
      max_abs_diff: d.max,
      mean_abs_diff: d.mean,
      max_abs_out: reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
      latents: n,
    });
  }
  return rows;
}

type Shape4 = [number, number, number, number];

/** Issue 7's chain: 4×4×512 → 64×64×3 in 4 stride-2 steps, batch 1. */
async function benchChain(tmp: string, peer: Peer, runs: number, warmup: number): Promise<Chain> {
  const chans = [512, 256, 128, 64, 3];
  const x0 = tf.randomNormal([1, 4, 4, 512]) as tf.Tensor4D;
  const wT = chans.slice(1).map((c, i) => tf.randomNormal([4, 4, c, chans[i]], 0, 0.05));
  const wC = chans.slice(1).map((c, i) => tf.randomNormal([3, 3, chans[i], c], 0, 0.05));
  const transposed = () =>
    tf.tidy(() =>
      wT.reduce((h: tf.Tensor4D, w, i) => {
        const side = 8 * 2 ** i;
        const out: Shape4 = [1, side, side, chans[i + 1]];
        return tf.conv2dTranspose(h, w as tf.Tensor4D, out, 2, "same");
      }, x0)
    );
  const resizeConv = () =>
    tf.tidy(() =>
      wC.reduce((h: tf.Tensor4D, w) => {
        const [, hh, ww] = h.shape;
        const up = tf.image.resizeNearestNeighbor(h, [2 * hh, 2 * ww]);
        return tf.conv2d(up, w as tf.Tensor4D, 1, "same");
      }, x0)
    );
  const read = (f: () => tf.Tensor) => async () => {
    const t = f();
    await t.data();
    t.dispose();
  };
  registerKernels({ fastConv2DBackpropInput: false });
  const stock = await timeRuns(read(transposed), runs, warmup);
  const upsampleConv = await timeRuns(read(resizeConv), runs, warmup);
  registerKernels({ fastConv2DBackpropInput: true });
  const ours = await timeRuns(read(transposed), runs, warmup);
  tf.dispose([x0, ...wT, ...wC]);
  let theirs: Chain["peer"] = null;
  let onnxrt: Chain["ort"] = null;
  if (peer.available) {
    const onnx = `${tmp}/chain.onnx`;
    const r = await runPeer(peer, 1, ["chain", onnx, String(runs), String(warmup)]);
    theirs = summarize(z.object({ ms: z.array(z.number()) }).parse(r.result).ms);
    const session = await ortSession(onnx);
    const feeds = {
      x: new ort.Tensor("float32", new Float32Array(512 * 16).fill(0.1), [1, 512, 4, 4]),
    };
    onnxrt = await timeRuns(() => session.run(feeds), runs, warmup);
    await session.release();
  }
  // MACs: each input pixel scatters 4·4·outC per input channel.
  const macs = chans.slice(1).reduce((n, c, i) => n + (4 * 2 ** i) ** 2 * chans[i] * 16 * c, 0);
  const macsResize = chans.slice(1).reduce(
    (n, c, i) => n + (8 * 2 ** i) ** 2 * chans[i] * 9 * c,
    0,
  );
  return {
    shape: "1×4×4×512 → 1×64×64×3, kernel 4, stride 2 (resize-conv: nearest ×2 + 3×3 conv)",
    macs,
    macs_upsample_conv: macsResize,
    stock,
    ours,
    upsample_conv: upsampleConv,
    ort: onnxrt,
    peer: theirs,
  };
}

/**
 * Everything this file measures. `trained`: a float32 generator folder
 * (such as a run's checkpoints/latest/generator), read only, whose size,
 * fidelity and agreement with PyTorch are measured too.
 */
export async function benchGenerators(
  tmp: string,
  peer: Peer,
  runs: number,
  warmup: number,
  trained?: string,
): Promise<Generator> {
  registerKernels();
  const cases: ModelCase[] = [{
    name: "ring8 mlp",
    dir: new URL("../edge/models/ring8", import.meta.url).pathname,
  }];
  const quantization = [];
  await loadSampler(cases[0].dir); // starts wasm
  for (const conditional of [true, false]) {
    const spec = dcganSpec(conditional);
    const G = buildGenerator(spec);
    const name = conditional ? "dcgan28 w32 cond" : "dcgan28 w32";
    const dir = `${tmp}/${conditional ? "dcgan-cond" : "dcgan"}`;
    await writeArtifact(G, metadataFor(spec), "float16", dir);
    if (conditional) {
      quantization.push(...await benchQuantization(G, metadataFor(spec), `${name} (random)`, tmp));
    }
    G.dispose();
    cases.push({ name, dir });
  }
  if (trained) {
    const { model, metadata } = await rebuild(trained);
    const name = `dcgan28 trained (${trained})`;
    quantization.push(...await benchQuantization(model, metadata, name, tmp));
    await writeArtifact(model, metadata, "float16", `${tmp}/trained`);
    model.dispose();
    cases.push({ name, dir: `${tmp}/trained` });
  }
  const models = await benchModels(cases, tmp, peer, runs, warmup);
  const chain = await benchChain(tmp, peer, Math.max(10, Math.floor(runs / 2)), warmup);
  const backendSource = await Deno.readTextFile(new URL("../edge/backend.ts", import.meta.url));
  return {
    edge_imports_kernels: /["']@gan-edge\/kernels\/inference["']/.test(backendSource),
    models,
    quantization,
    chain,
    ...(peer.available ? {} : { peer_not_measured: describePeer(peer) }),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      dir: { type: "string" },
      runs: { type: "string", default: "40" },
      warmup: { type: "string", default: "5" },
      peer: { type: "string" },
      trained: { type: "string" },
    },
  });
  const tmp = values.dir ?? await Deno.makeTempDir({ prefix: "gan-edge-bench-" });
  const result = await benchGenerators(
    tmp,
    Peer.parse(JSON.parse(values.peer ?? "null")),
    Number(values.runs),
    Number(values.warmup),
    values.trained,
  );
  console.log(JSON.stringify(result));
}
