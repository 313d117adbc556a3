/** What a bench run measures, small and typed: the input of the report tests. */
import type { Measured, Peer, Summary } from "@gan-edge/bench/schema";
import { SCHEMA } from "@gan-edge/bench/schema";

/** A summary whose every percentile is `p50`. */
export const flat = (p50: number, runs = 3): Summary => ({
  p50,
  p99: p50,
  min: p50,
  max: p50,
  runs,
});

const blas = {
  torch_blas_info: "generic",
  sgemm: "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
  loaded: ["/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"],
  alternative: "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
  openblas_config: "OpenBLAS 0.3.21 DYNAMIC_ARCH Cooperlake MAX_THREADS=64",
  blas_threads: 1,
  threadpoolctl: null,
};

/** The peer as probed on a machine with Debian's torch and OpenBLAS. */
export const OPENBLAS_PEER: Peer = {
  available: true,
  name: "PyTorch+OpenBLAS",
  python: "/usr/bin/python3",
  blas_kind: "openblas",
  env: {},
  info: { python: "3.11.2", torch: "1.13.0", numpy: "1.24.2", threads: 1, blas },
};

/** The peer as probed with a Python that lacks torch. */
export const MISSING_PEER: Peer = {
  available: false,
  python: "/opt/bare/python3",
  reason: "/opt/bare/python3 has no torch",
  install: ["python3-torch", "libopenblas0-pthread"],
};

/**
 * A run on 2 cores: matmul limits 4× (1 thread) and 3× (2 threads); the MLP
 * step 4 ms ours against 2 ms the peer's on 1 thread (rounds 2, 20, 2), the
 * peer 1.5 ms on 2 threads; webgpu failed.
 */
export function sampleMeasured(peer: Peer = OPENBLAS_PEER): Measured {
  const side = (threads: number, gflops: number) => ({
    threads,
    blas_threads: threads,
    gflops,
    call: flat(10),
    seconds: 1,
  });
  const params = { G: 17_794, D: 17_153, G_buffers: 0 };
  const withPeer = peer.available;
  return {
    schema: SCHEMA,
    date: "2026-01-01T00:00:00.000Z",
    command: "deno task bench",
    options: {
      quick: false,
      only: ["trainer"],
      cases: ["mlp"],
      backends: ["wasm", "webgpu"],
      threads: [1, 2],
      python: peer.python,
      blas_dir: null,
      trained: null,
    },
    machine: {
      cpu: "x",
      cores: 2,
      simd: ["avx2"],
      memory_gb: 24,
      kernel: "6",
      os: "linux",
      loadavg_start: [1, 2, 3],
      loadavg_end: [1, 2, 3],
    },
    versions: {
      deno: "2.9.6",
      v8: "15",
      typescript: "6",
      tfjs: "4.22.0",
      onnxruntime_web: "1.30.0",
      wrk: null,
    },
    peer,
    matmul: {
      size: 512,
      rounds: 3,
      at: [
        {
          threads: 1,
          wasm: side(1, 25),
          peer: withPeer ? side(1, 100) : null,
          limit: withPeer ? { ratio: 4, rounds: [4, 4, 4] } : null,
        },
        {
          threads: 2,
          wasm: side(2, 50),
          peer: withPeer ? side(2, 150) : null,
          limit: withPeer ? { ratio: 3, rounds: [3, 3, 3] } : null,
        },
      ],
    },
    trainer: {
      rounds: 3,
      cases: [{
        case: "mlp",
        label: "MLP",
        batch: 64,
        params,
        peer_params: withPeer ? params : null,
        macs: { G: 17_664, D: 16_768 },
        at: [
          {
            threads: 1,
            ours: { step: flat(4) },
            peer: withPeer ? { step: flat(2) } : { step: null, note: "not measured: no peer" },
            paired: withPeer ? { ratio: 2, rounds: [2, 20, 2] } : null,
          },
          {
            threads: 2,
            ours: { step: null, note: "not measured: the trainer runs on 1 thread" },
            peer: withPeer ? { step: flat(1.5) } : { step: null, note: "not measured: no peer" },
            paired: null,
          },
        ],
        backends: [{ backend: "webgpu", result: { step: null, note: "error: no adapter" } }],
      }],
    },
    generator: null,
    http: null,
    memory: { server: null, train: null },
    seconds: 1,
  };
}
