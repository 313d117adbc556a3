// Generated from kernels/inference/conv2d_backprop_input.ts by edge/tools/page_modules.ts (types stripped); do not edit.
/**
 * A faster `Conv2DBackpropInput` (transposed convolution) for
 * tfjs-backend-wasm. The stock kernel (4.22.0) is a scalar loop outside
 * XNNPACK; G's forward pass (conv2dTranspose) and D's input gradient both
 * run it, so it dominates the generator's latency on the edge.
 *
 * Hand-written as a sub-pixel decomposition that runs through XNNPACK: with
 * stride s, kernel K and padding p before, output row h = q·s + r − p (phase
 * r = (h + p) mod s) is
 *
 *   dx[h] = Σ_j dy[q − j] · w[r + s·j],  j = 0 … J − 1,  J = ⌈K / s⌉,
 *
 * a stride-1 J×J correlation over dy whose taps depend only on the phase. All
 * s² phases come out of one XNNPACK conv2d whose filter stacks them on the
 * output channels, [J, J, outC, s, s, inC]; one pass over the heap
 * interleaves them back into space and crops the padding. Unlike a
 * convolution over a zero-dilated dy, no multiply is by an inserted zero;
 * only the border rows that the crop drops are extra work.
 *
 * The phase filter is rebuilt from the weights in a small loop over the
 * heap; it is cached per weight tensor while that tensor lives, so serving
 * fixed weights packs it (and XNNPACK's operator) once.
 *
 * Shapes it does not cover (NCHW, unequal strides, padding before larger
 * than the kernel reaches) go to the stock kernel.
 *
 * @module
 */ import * as tf from "@tensorflow/tfjs-core";
import { free, run, StockKernel } from "../wasm_backend.js";
/** The stock kernel, kept to fall back on and to restore. */ export const stockConv2DBackpropInput = new StockKernel(tf.Conv2DBackpropInput, conv2DBackpropInput);
function runStock(args) {
  return stockConv2DBackpropInput.run(args.inputs, args.backend, args.attrs);
}
function plan(info) {
  const { strideHeight: sh, strideWidth: sw } = info;
  if (sh !== sw || info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    return null;
  }
  const s = sh;
  const dims = [
    [
      info.filterHeight,
      info.padInfo.top,
      info.inHeight,
      info.outHeight
    ],
    [
      info.filterWidth,
      info.padInfo.left,
      info.inWidth,
      info.outWidth
    ]
  ];
  const out = dims.map(([k, p, size, dySize])=>{
    const j = Math.ceil(k / s);
    const q0 = Math.floor(p / s);
    const q1 = Math.floor((size - 1 + p) / s);
    const before = j - 1 - q0;
    // The convolution's output must cover q0 … q1; extra rows are cropped.
    const after = Math.max(0, q1 - q0 + 1 + j - 1 - before - dySize);
    return {
      j,
      before,
      after,
      crop: p - q0 * s
    };
  });
  if (out.some((d)=>d.before < 0)) return null;
  return {
    j: [
      out[0].j,
      out[1].j
    ],
    stride: s,
    before: [
      out[0].before,
      out[1].before
    ],
    after: [
      out[0].after,
      out[1].after
    ],
    crop: [
      out[0].crop,
      out[1].crop
    ]
  };
}
/** Weight tensor → its phase filter, while the weight tensor lives. */ const filters = new Map();
const MAX_CACHED = 64;
function sweep(backend) {
  for (const [dataId, { phase }] of filters){
    if (!backend.dataIdMap.has(dataId)) {
      free(backend, phase);
      filters.delete(dataId);
    }
  }
  while(filters.size > MAX_CACHED){
    const [dataId, { phase }] = filters.entries().next().value;
    free(backend, phase);
    filters.delete(dataId);
  }
}
/**
 * w [K_h, K_w, inC, outC] → phase filter [J_h, J_w, outC, s·s·inC] with
 * F[th, tw, o, rh, rw, i] = w[rh + s(J_h − 1 − th), rw + s(J_w − 1 − tw), i, o]
 * (zero past the kernel's edge).
 */ function phaseFilter(backend, filter, p) {
  const key = `${filter.shape}|${p.stride}|${p.j}`;
  const hit = filters.get(filter.dataId);
  if (hit && hit.key === key) return hit.phase;
  sweep(backend);
  const [kh, kw, inC, outC] = filter.shape;
  const [jh, jw] = p.j;
  const s = p.stride;
  const phase = backend.makeOutput([
    jh,
    jw,
    outC,
    s * s * inC
  ], "float32");
  const f = backend.typedArrayFromHeap(phase);
  const w = backend.typedArrayFromHeap(filter);
  let o = 0;
  for(let th = 0; th < jh; th++){
    for(let tw = 0; tw < jw; tw++){
      for(let oc = 0; oc < outC; oc++){
        for(let rh = 0; rh < s; rh++){
          const y = rh + s * (jh - 1 - th);
          for(let rw = 0; rw < s; rw++){
            const x = rw + s * (jw - 1 - tw);
            if (y >= kh || x >= kw) {
              f.fill(0, o, o + inC);
              o += inC;
              continue;
            }
            let src = (y * kw + x) * inC * outC + oc;
            for(let ic = 0; ic < inC; ic++, src += outC)f[o++] = w[src];
          }
        }
      }
    }
  }
  if (hit) free(backend, hit.phase);
  filters.set(filter.dataId, {
    key,
    phase
  });
  return phase;
}
function conv2DBackpropInput(args) {
  const backend = args.backend;
  const { dy, filter } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs;
  if (dataFormat === "NCHW" || filter.dtype !== "float32") {
    return runStock(args);
  }
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode);
  const p = plan(info);
  if (!p) return runStock(args);
  const phase = phaseFilter(backend, filter, p);
  const s = p.stride;
  const phases = run(tf.Conv2D, backend, {
    x: dy,
    filter: phase
  }, {
    strides: [
      1,
      1
    ],
    dilations: [
      1,
      1
    ],
    pad: [
      [
        0,
        0
      ],
      [
        p.before[0],
        p.after[0]
      ],
      [
        p.before[1],
        p.after[1]
      ],
      [
        0,
        0
      ]
    ],
    dataFormat: "NHWC"
  });
  const { batchSize, inHeight, inWidth, inChannels } = info;
  const out = interleave(backend, phases, s, p.crop, [
    batchSize,
    inHeight,
    inWidth,
    inChannels
  ]);
  free(backend, phases);
  return out;
}
/**
 * Depth-to-space and crop in one pass over the heap: dx[n, h, w, :] is
 * phases[n, ⌊u/s⌋, ⌊v/s⌋, (u mod s, v mod s, :)] with (u, v) = (h, w) + crop.
 * (wasm's DepthToSpace then Slice took about 10× longer at batch 64.)
 */ function interleave(backend, phases, s, crop, shape) {
  const [n, h, w, c] = shape;
  const [, th, tw] = phases.shape;
  const out = backend.makeOutput(shape, "float32");
  const o = backend.typedArrayFromHeap(out);
  const ph = backend.typedArrayFromHeap(phases);
  const rowStride = tw * s * s * c;
  let dst = 0;
  for(let b = 0; b < n; b++){
    for(let y = 0; y < h; y++){
      const u = y + crop[0];
      const row = (b * th + Math.floor(u / s)) * rowStride + u % s * s * c;
      for(let x = 0; x < w; x++){
        const v = x + crop[1];
        let src = row + Math.floor(v / s) * s * s * c + v % s * c;
        if (c >= 16) {
          o.set(ph.subarray(src, src + c), dst);
          dst += c;
        } else {
          for(let k = 0; k < c; k++)o[dst++] = ph[src++];
        }
      }
    }
  }
  return out;
}
/** Kernel config for `tf.registerKernel`. */ export const conv2DBackpropInputConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput
};
/** Frees every cached phase filter (for leak checks and tests). */ export function clearPhaseFilterCache(backend) {
  for (const { phase } of filters.values()){
    free(backend, phase);
  }
  filters.clear();
}
