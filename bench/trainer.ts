/**
 * The trainer section: one D+G step at batch 64 (train_step.ts, a process
 * per backend and round) against the PyTorch peer (peer_torch.py, the same
 * layers, parameter counts compared), at each thread count.
 *
 * Ours and the peer take turns, round by round (ours first in even rounds,
 * the peer first in odd ones), and a ratio is the median of the rounds'
 * ratios: a burst of load on a shared machine then weighs on both sides of a
 * ratio instead of on one.
 *
 * @module
 */
import { runDenoChild } from "./child.ts";
import { runPeer } from "./peers.ts";
import {
  type AvailablePeer,
  type Backend,
  type Case,
  type Paired,
  type Params,
  type Peer,
  type StepCase,
  StepOutput,
  StepProgress,
  type Timed,
  type Trainer,
  type TrainerAt,
  type TrainerCase,
} from "./schema.ts";
import { median, summarize } from "./stats.ts";
import { z } from "zod";

/** The table's name of each case. */
export const CASE_LABEL: Record<Case, string> = {
  mlp: "MLP GAN, ring8 (G 8→128→128→2, D 2→128→128→1)",
  dcgan64: "DCGAN 28×28 w64 (the trainer's default)",
  dcgan32c: "DCGAN 28×28 w32 conditional (shipped)",
};

/**
 * The threads the trainer can use. tfjs-backend-wasm runs one thread in
 * Deno and the trainer has no multi-core mode, so at more threads our side
 * reads "not measured" and only the peer's time is shown.
 */
export const TRAINER_THREADS = 1;

/** Rounds of the wasm trainer against the peer. */
export const ROUNDS = 3;

/** Runs, warm-ups and a time cap (seconds) for one backend process. */
export interface Budget {
  runs: number;
  warmup: number;
  cap: number;
}

/**
 * Runs and warm-ups per backend and model; the slow backends get few, and a
 * time cap. The MLP step takes milliseconds, so it gets enough warm-up steps
 * for V8 to optimise the step's JavaScript, as it has in any real training
 * (thousands of steps): with 5, the median still held unoptimised steps.
 */
export function budget(quick: boolean, backend: string, kase: Case): Budget {
  const dense = kase === "mlp";
  if (quick) return { runs: dense ? 5 : 2, warmup: 1, cap: 60 };
  if (backend === "wasm") {
    return dense ? { runs: 200, warmup: 100, cap: 120 } : { runs: 7, warmup: 2, cap: 240 };
  }
  return dense ? { runs: 10, warmup: 3, cap: 60 } : { runs: 2, warmup: 1, cap: 90 };
}

/**
 * A capped backend's step time from what it finished: the median of its
 * timed runs, else of its warm-up steps (marked), else a lower bound.
 */
export function cappedStep(
  error: string,
  progress: readonly StepProgress[],
  capSeconds: number,
): Timed {
  const runs = progress.filter((p) => p.phase === "run").map((p) => p.ms);
  const warm = progress.filter((p) => p.phase === "warmup").map((p) => p.ms);
  if (runs.length) return { step: summarize(runs), note: `${error}; ${runs.length} timed run(s)` };
  if (warm.length) {
    return { step: summarize(warm), note: `${error}; from ${warm.length} warm-up step(s) only` };
  }
  return {
    step: null,
    lower_bound_ms: capSeconds * 1000,
    note: `${error}: not one step finished, so a step takes > ${capSeconds} s`,
  };
}

/** The median of per-round ratios ours ÷ peer (rounds where both ran). */
export function pairedRatio(ours: number[][], peer: number[][]): Paired | null {
  const rounds = ours.flatMap((o, i) =>
    o.length && peer[i]?.length ? [median(o) / median(peer[i])] : []
  );
  return rounds.length ? { ratio: median(rounds), rounds } : null;
}

/** One case on one tfjs backend, in a process of its own. */
async function tfjsCase(backend: string, kase: Case, b: Budget, runs: number) {
  const r = await runDenoChild([
    new URL("./train_step.ts", import.meta.url).pathname,
    "--backend",
    backend,
    "--cases",
    kase,
    "--runs",
    String(runs),
    "--warmup",
    String(b.warmup),
    "--max-seconds",
    backend === "wasm" ? "60" : "20",
  ], b.cap);
  if (r.error) {
    const progress = z.array(StepProgress).parse(r.progress);
    return { timed: cappedStep(r.error, progress, b.cap) };
  }
  const out = StepOutput.parse(r.last);
  const result = out.cases?.[kase];
  if (!result) return { timed: { step: null, note: `error: ${out.error ?? "no result"}` } };
  return { timed: { step: result.step }, result, adapter: out.adapter };
}

const notMeasured = (note: string): Timed => ({ step: null, note });

/** What the trainer section is asked to run. */
export interface TrainerOptions {
  cases: readonly Case[];
  backends: readonly Backend[];
  threads: readonly number[];
  peer: Peer;
  quick: boolean;
  log: (s: string) => void;
}

/** A case on the backends other than wasm: once each, without the peer (they are far from it). */
async function otherBackends(kase: Case, o: TrainerOptions): Promise<TrainerCase["backends"]> {
  const out: TrainerCase["backends"] = [];
  for (const backend of o.backends.filter((b) => b !== "wasm")) {
    const b = budget(o.quick, backend, kase);
    o.log(`trainer: ${kase} on ${backend} (${b.runs} runs after ${b.warmup} warm-up)`);
    const r = await tfjsCase(backend, kase, b, b.runs);
    out.push({ backend, result: r.timed, ...(r.adapter ? { adapter: r.adapter } : {}) });
  }
  return out;
}

/** The peer's step at `threads`, given our step's spec: its times, or why there are none. */
async function peerStep(
  kase: Case,
  ours: StepCase,
  threads: number,
  runs: number,
  warmup: number,
  peer: AvailablePeer,
): Promise<{ ms: number[]; params?: Params; error?: string }> {
  const spec = {
    ...ours.spec,
    batch: ours.batch,
    lr: ours.lr,
    beta1: ours.beta1,
    beta2: ours.beta2,
  };
  try {
    const out = await runPeer(peer, threads, [
      "train",
      JSON.stringify({ [kase]: spec }),
      String(runs),
      String(warmup),
    ]);
    const r = PeerTrain.parse(out.result)[kase];
    return { ms: r.ms, params: r.params };
  } catch (e) {
    return { ms: [], error: `error: ${(e as Error).message}` };
  }
}

/** A case on wasm against the peer at every thread count, in rounds taken in turn. */
async function wasmAgainstPeer(
  kase: Case,
  o: TrainerOptions,
  rounds: number,
): Promise<Omit<TrainerCase, "backends">> {
  const b = budget(o.quick, "wasm", kase);
  const perRound = Math.ceil(b.runs / rounds);
  const ours: number[][] = [];
  const theirs = new Map(o.threads.map((t) => [t, [] as number[][]]));
  const peerNotes = new Map<number, string>();
  let first: StepCase | undefined;
  let firstError: Timed | undefined;
  let peerParams: Params | null = null;
  const runOurs = async (round: number) => {
    o.log(`trainer: ${kase} on wasm, round ${round + 1}/${rounds} (${perRound} runs)`);
    const r = await tfjsCase("wasm", kase, b, perRound);
    if (r.result) first ??= r.result;
    else firstError ??= r.timed;
    ours.push(r.result?.ms ?? []);
  };
  const runTheirs = async (round: number) => {
    for (const t of o.threads) {
      if (!o.peer.available) {
        peerNotes.set(t, "not measured: no PyTorch peer");
      } else if (!first) {
        peerNotes.set(t, "not measured: our step failed, so there is no spec to give the peer");
        theirs.get(t)!.push([]);
      } else {
        o.log(`trainer: ${kase} on ${o.peer.name}, ${t} thread(s), round ${round + 1}/${rounds}`);
        const r = await peerStep(kase, first, t, perRound, b.warmup, o.peer);
        theirs.get(t)!.push(r.ms);
        if (r.params) peerParams = r.params;
        if (r.error) peerNotes.set(t, r.error);
      }
    }
  };
  for (let round = 0; round < rounds; round++) {
    // Ours goes first in round 0: the peer takes its spec.
    const order = round % 2 === 0 ? [runOurs, runTheirs] : [runTheirs, runOurs];
    for (const run of order) await run(round);
  }
  const all = ours.flat();
  const oursTimed = all.length ? { step: summarize(all) } : firstError ?? notMeasured("no step");
  const at = o.threads.map((t): TrainerAt => {
    const peerMs = theirs.get(t)!;
    const flat = peerMs.flat();
    const peerTimed = flat.length
      ? { step: summarize(flat) }
      : notMeasured(peerNotes.get(t) ?? "no step");
    return t > TRAINER_THREADS
      ? {
        threads: t,
        ours: notMeasured(`not measured: the trainer runs on ${TRAINER_THREADS} thread`),
        peer: peerTimed,
        paired: null,
      }
      : { threads: t, ours: oursTimed, peer: peerTimed, paired: pairedRatio(ours, peerMs) };
  });
  return {
    case: kase,
    label: CASE_LABEL[kase],
    batch: first?.batch ?? 64,
    params: first?.params ?? null,
    peer_params: peerParams,
    macs: first?.macs ?? null,
    at,
  };
}

/** Every case on every backend, and the wasm trainer against the peer at each thread count. */
export async function benchTrainer(o: TrainerOptions): Promise<Trainer> {
  const rounds = o.quick ? 1 : ROUNDS;
  const cases: TrainerCase[] = [];
  for (const kase of o.cases) {
    const backends = await otherBackends(kase, o);
    const wasm = o.backends.includes("wasm") ? await wasmAgainstPeer(kase, o, rounds) : {
      case: kase,
      label: CASE_LABEL[kase],
      batch: 64,
      params: null,
      peer_params: null,
      macs: null,
      at: [],
    };
    cases.push({ ...wasm, backends });
  }
  return { rounds, cases };
}

/** What peer_torch.py train returns per case. */
const PeerTrain = z.record(
  z.string(),
  z.object({
    params: z.object({ G: z.number(), D: z.number(), G_buffers: z.number() }),
    ms: z.array(z.number()),
  }),
);
