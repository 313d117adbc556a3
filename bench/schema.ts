/**
 * results.json, as zod schemas: what `deno task bench` writes, and what its
 * child processes print to it. The TypeScript types are derived from these
 * schemas (no second interface), and results.json is checked against them
 * before it is written and by tests/bench/.
 *
 * @module
 */
import { z } from "zod";
import type { ArchitectureSpec } from "../trainer/architectures.ts";

/** results.json's schema name; bump it when the shape changes. */
export const SCHEMA = "gan-edge-bench/2";

/** The trainer cases: `deno task train` configurations (train_step.ts TRAIN_CASES). */
export const CASES = ["mlp", "dcgan64", "dcgan32c"] as const;
export type Case = typeof CASES[number];

/** The bench's sections; the 512×512 matmul (the physical limit) runs in all. */
export const SECTIONS = ["trainer", "generator", "http", "memory"] as const;

/** The tfjs backends the trainer section can time. */
export const BACKENDS = ["wasm", "webgpu", "cpu"] as const;
export type Backend = typeof BACKENDS[number];

/** What a timed measure reports, in milliseconds (stats.ts summarize). */
export const Summary = z.object({
  p50: z.number(),
  p99: z.number(),
  min: z.number(),
  max: z.number(),
  runs: z.number().int(),
});
export type Summary = z.infer<typeof Summary>;

/**
 * A timed step, or why there is none: `step` is null when it was not
 * measured (a missing peer, an error, a thread count the trainer lacks);
 * `note` says why. A backend stopped at its time cap before one step ended
 * has `lower_bound_ms`.
 */
export const Timed = z.object({
  step: Summary.nullable(),
  lower_bound_ms: z.number().optional(),
  note: z.string().optional(),
});
export type Timed = z.infer<typeof Timed>;

/** The median of per-round ratios ours ÷ peer, rounds taken in turn (trainer.ts pairedRatio). */
export const Paired = z.object({ ratio: z.number(), rounds: z.array(z.number()) });
export type Paired = z.infer<typeof Paired>;

// ------------------------------------------------------------ the peer

/** The BLAS a Python peer loaded, as peer_torch.py reports it. */
export const BlasReport = z.object({
  /** torch.__config__.show()'s BLAS_INFO ("generic": whatever libblas.so.3 is). */
  torch_blas_info: z.string().nullable(),
  /** The file whose sgemm_ torch calls (real path): the BLAS that counts. */
  sgemm: z.string().nullable(),
  /** The BLAS and LAPACK files mapped into the process (real paths). */
  loaded: z.array(z.string()),
  /** What Debian's libblas.so.3 alternative points at. */
  alternative: z.string().nullable(),
  /** openblas_get_config(), when the BLAS is OpenBLAS. */
  openblas_config: z.string().nullable(),
  /** openblas_get_num_threads(), when the BLAS is OpenBLAS. */
  blas_threads: z.number().int().nullable(),
  /** threadpoolctl's view, when that package is installed. */
  threadpoolctl: z.array(z.record(z.string(), z.unknown())).nullable(),
});
export type BlasReport = z.infer<typeof BlasReport>;

/** The kinds of BLAS the bench tells apart (peers.ts blasKind). */
export const BLAS_KINDS = ["openblas", "mkl", "blis", "reference", "unknown"] as const;
export type BlasKind = typeof BLAS_KINDS[number];

/** The versions and threads a peer call ran with. */
export const PeerInfo = z.object({
  python: z.string(),
  torch: z.string(),
  numpy: z.string(),
  /** torch.get_num_threads() during the call. */
  threads: z.number().int(),
  blas: BlasReport,
});
export type PeerInfo = z.infer<typeof PeerInfo>;

/** What peer_torch.py prints for every command. */
export const PeerOutput = z.object({ info: PeerInfo, result: z.unknown() });

/** What peer_torch.py prints when numpy or torch is missing (exit status 3). */
export const PeerMissing = z.object({ missing: z.array(z.string()) });

/** The PyTorch peer: found and how it runs, or why not and what to install. */
export const Peer = z.discriminatedUnion("available", [
  z.object({
    available: z.literal(true),
    /** "PyTorch+OpenBLAS", "PyTorch+reference BLAS", …: the table's peer label. */
    name: z.string(),
    python: z.string(),
    blas_kind: z.enum(BLAS_KINDS),
    /** Environment the peer runs with (LD_LIBRARY_PATH for --blas-dir). */
    env: z.record(z.string(), z.string()),
    info: PeerInfo,
    /** What would make it a fast-BLAS peer, when it is not one. */
    advice: z.string().optional(),
  }),
  z.object({
    available: z.literal(false),
    python: z.string(),
    reason: z.string(),
    /** Debian packages that provide what is missing. */
    install: z.array(z.string()),
  }),
]);
export type Peer = z.infer<typeof Peer>;
export type AvailablePeer = Extract<Peer, { available: true }>;

// ------------------------------------------------------------ the physical limit

/** One side's 512×512 float32 matmul at a thread count. */
export const MatmulSide = z.object({
  /** Threads (wasm: Workers; the peer: torch.get_num_threads() during the call). */
  threads: z.number().int(),
  /** The peer's BLAS threads during the call (openblas_get_num_threads()), when known. */
  blas_threads: z.number().int().nullable().optional(),
  /** threads · 2·size³ ÷ the median call (each thread multiplies at once). */
  gflops: z.number(),
  call: Summary,
  seconds: z.number(),
});
export type MatmulSide = z.infer<typeof MatmulSide>;

export const MatmulAt = z.object({
  threads: z.number().int(),
  /** tfjs wasm: `threads` Workers, each with its own backend (matmul.ts). */
  wasm: MatmulSide.nullable(),
  peer: MatmulSide.nullable(),
  /** peer GFLOP/s ÷ wasm GFLOP/s, the median over rounds taken in turn. */
  limit: Paired.nullable(),
  note: z.string().optional(),
});
export type MatmulAt = z.infer<typeof MatmulAt>;

export const Matmul = z.object({
  size: z.number().int(),
  rounds: z.number().int(),
  at: z.array(MatmulAt),
});
export type Matmul = z.infer<typeof Matmul>;

// ------------------------------------------------------------ trainer

export const Params = z.object({
  G: z.number().int(),
  D: z.number().int(),
  G_buffers: z.number().int(),
});
export type Params = z.infer<typeof Params>;

/** One case and thread count: ours and the peer, rounds in turn. */
export const TrainerAt = z.object({
  threads: z.number().int(),
  ours: Timed,
  peer: Timed,
  paired: Paired.nullable(),
});
export type TrainerAt = z.infer<typeof TrainerAt>;

export const TrainerCase = z.object({
  case: z.enum(CASES),
  label: z.string(),
  batch: z.number().int(),
  /** Ours (tfjs) and the peer's (torch) trainable parameters. */
  params: Params.nullable(),
  peer_params: Params.nullable(),
  /** Multiply-adds of one forward pass of one sample through G and D. */
  macs: z.object({ G: z.number(), D: z.number() }).nullable(),
  /** The wasm trainer against the peer, per thread count. */
  at: z.array(TrainerAt),
  /** The other tfjs backends, on one thread and without the peer. */
  backends: z.array(
    z.object({ backend: z.enum(BACKENDS), adapter: z.string().optional(), result: Timed }),
  ),
});
export type TrainerCase = z.infer<typeof TrainerCase>;

export const Trainer = z.object({ rounds: z.number().int(), cases: z.array(TrainerCase) });
export type Trainer = z.infer<typeof Trainer>;

/** What train_step.ts prints per case. */
export const StepCase = z.object({
  /** The trainer's architecture spec, which the peer builds the same layers from. */
  spec: z.custom<ArchitectureSpec>((v) => typeof v === "object" && v !== null && "id" in v),
  batch: z.number().int(),
  lr: z.number(),
  beta1: z.number(),
  beta2: z.number(),
  params: Params,
  macs: z.object({ G: z.number(), D: z.number() }),
  step: Summary,
  ms: z.array(z.number()),
});
export type StepCase = z.infer<typeof StepCase>;

/** train_step.ts's last line (and {progress} lines before it). */
export const StepOutput = z.object({
  backend: z.string().optional(),
  adapter: z.string().optional(),
  cases: z.record(z.string(), StepCase).optional(),
  error: z.string().optional(),
});

/** A line train_step.ts prints after each step. */
export const StepProgress = z.object({
  case: z.string(),
  phase: z.enum(["warmup", "run"]),
  ms: z.number(),
});
export type StepProgress = z.infer<typeof StepProgress>;

// ------------------------------------------------------------ generator

/** The edge's generator at one batch size: stock transposed conv, our kernels, onnxruntime-web. */
const GeneratorBatch = z.object({
  stock: Summary,
  kernels: Summary,
  ort: Summary.nullable(),
});

export const GeneratorModel = z.object({
  model: z.string(),
  macs_per_sample: z.number(),
  max_abs_out: z.number(),
  /** The peer on the same weights: agreement, and eager-mode latency on one thread. */
  peer: z.object({
    max_abs_diff: z.number(),
    mean_abs_diff: z.number(),
    params: z.number(),
    batch1: Summary,
    batch64: Summary,
  }).nullable(),
  ort_max_abs_diff: z.number().nullable(),
  batch1: GeneratorBatch,
  batch64: GeneratorBatch,
});
export type GeneratorModel = z.infer<typeof GeneratorModel>;

export const Quantized = z.object({
  model: z.string(),
  quantization: z.enum(["float32", "float16", "uint8"]),
  bytes: z.number().int(),
  max_abs_diff: z.number(),
  mean_abs_diff: z.number(),
  max_abs_out: z.number(),
  latents: z.number().int(),
});
export type Quantized = z.infer<typeof Quantized>;

export const Chain = z.object({
  shape: z.string(),
  macs: z.number(),
  macs_upsample_conv: z.number(),
  stock: Summary,
  ours: Summary,
  upsample_conv: Summary,
  ort: Summary.nullable(),
  peer: Summary.nullable(),
});
export type Chain = z.infer<typeof Chain>;

/** What generator.ts prints (the generator section). */
export const Generator = z.object({
  edge_imports_kernels: z.boolean(),
  models: z.array(GeneratorModel),
  quantization: z.array(Quantized),
  chain: Chain,
  /** Why the peer and onnxruntime-web (which runs the peer's ONNX export) were not measured. */
  peer_not_measured: z.string().optional(),
});
export type Generator = z.infer<typeof Generator>;

// ------------------------------------------------------------ http and memory

const ColdStart = z.object({
  median: z.number(),
  runs: z.array(z.number()),
  command: z.string().optional(),
  checkout: z.string().optional(),
  commit: z.string().nullable().optional(),
});

export const Load = z.object({
  connections: z.number().int(),
  seconds: z.number(),
  requests: z.number().int(),
  capped: z.boolean(),
  errors: z.number().int(),
  non2xx: z.number().int(),
  rps: z.number(),
  p50_ms: z.number(),
  p90_ms: z.number(),
  p99_ms: z.number(),
});
export type Load = z.infer<typeof Load>;

const ProcMemory = z.object({
  pid: z.number().int().optional(),
  rss_kb: z.number().nullable(),
  hwm_kb: z.number().nullable(),
});

export const Repeat = ProcMemory.extend({ requests: z.number().int() });
export type Repeat = z.infer<typeof Repeat>;

export const ServerMemory = z.object({
  after_start: ProcMemory,
  after_c1: ProcMemory.optional(),
  after_c32: ProcMemory.optional(),
  after_c32_again: Repeat.optional(),
  c32_repeats: z.array(Repeat).optional(),
});
export type ServerMemory = z.infer<typeof ServerMemory>;

export const Http = z.object({
  model: z.string(),
  cold_start_ms: ColdStart,
  cold_start_task_ms: ColdStart.optional(),
  cold_start_floor_ms: ColdStart.optional(),
  cold_start_baseline_ms: ColdStart.optional(),
  load: z.array(Load),
  /** Why there is no load (wrk missing). */
  load_not_measured: z.string().optional(),
  memory: ServerMemory,
  requests_total: z.number().int(),
});
export type Http = z.infer<typeof Http>;

export const TrainMemory = z.object({
  command: z.string(),
  exit_code: z.number().int(),
  seconds: z.number(),
  max_rss_kb: z.number().nullable(),
  error: z.string().optional(),
});
export type TrainMemory = z.infer<typeof TrainMemory>;

// ------------------------------------------------------------ the table

/** One line of the table. */
export const Row = z.object({
  section: z.string(),
  measure: z.string(),
  /** Threads on each side of the ratio (both sides run the same count). */
  threads: z.number().int().optional(),
  /** Our median (or value), in `unit`; null: not measured (`note` says why). */
  ours: z.number().nullable(),
  unit: z.string(),
  /** The peer this row compares with, if any. */
  peer: z.string().optional(),
  peerValue: z.number().nullable().optional(),
  /** ours ÷ peer for times (peer ÷ ours for rates): > 1 means we are slower. */
  ratio: z.number().nullable().optional(),
  /**
   * The 512×512 matmul's ratio at the same threads (peer GFLOP/s ÷ wasm
   * GFLOP/s, this run): what GEMM-bound work cannot beat.
   */
  limit: z.number().nullable().optional(),
  target: z.string().optional(),
  note: z.string().optional(),
});
export type Row = z.infer<typeof Row>;

// ------------------------------------------------------------ results.json

export const Machine = z.object({
  cpu: z.string(),
  cores: z.number().int(),
  simd: z.array(z.string()),
  memory_gb: z.number(),
  kernel: z.string(),
  os: z.string(),
  loadavg_start: z.array(z.number()).length(3),
  loadavg_end: z.array(z.number()).length(3),
});
export type Machine = z.infer<typeof Machine>;

export const Versions = z.object({
  deno: z.string(),
  v8: z.string(),
  typescript: z.string(),
  tfjs: z.string(),
  onnxruntime_web: z.string().nullable(),
  wrk: z.string().nullable(),
});

/** The options a run was made with (main.ts's command line). */
export const RunOptions = z.object({
  quick: z.boolean(),
  only: z.array(z.enum(SECTIONS)),
  cases: z.array(z.enum(CASES)),
  backends: z.array(z.enum(BACKENDS)),
  threads: z.array(z.number().int().positive()),
  python: z.string(),
  blas_dir: z.string().nullable(),
  trained: z.string().nullable(),
});
export type RunOptions = z.infer<typeof RunOptions>;

/** Everything measured, before the table is built from it. */
export const Measured = z.object({
  schema: z.literal(SCHEMA),
  date: z.string(),
  command: z.string(),
  options: RunOptions,
  machine: Machine,
  versions: Versions,
  peer: Peer,
  matmul: Matmul,
  trainer: Trainer.nullable(),
  generator: Generator.nullable(),
  http: Http.nullable(),
  memory: z.object({
    server: ServerMemory.extend({ requests: z.number().int() }).nullable(),
    train: TrainMemory.nullable(),
  }),
  seconds: z.number(),
});
export type Measured = z.infer<typeof Measured>;

/** results.json: the measures and the table built from them. */
export const Results = Measured.extend({ table: z.array(Row) });
export type Results = z.infer<typeof Results>;

/** The problems with a results.json object, one line each (empty when it fits). */
export function checkResults(json: unknown): string[] {
  const r = Results.safeParse(json);
  return r.success
    ? []
    : r.error.issues.map((i) => `${i.path.join(".") || "results"}: ${i.message}`);
}
