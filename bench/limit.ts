/**
 * The physical limit, measured in every run: GFLOP/s of a 512×512 float32
 * matmul in tfjs wasm (matmul.ts) and in the PyTorch peer (torch.mm on its
 * BLAS), at each thread count, the two sides taking turns round by round.
 * Their ratio, peer ÷ wasm, is what GEMM-bound work in wasm cannot beat on
 * this machine (128-bit SIMD, no FMA, against the BLAS's native kernels):
 * each trainer ratio is read against it.
 *
 * @module
 */
import { runDenoChild } from "./child.ts";
import { gflops } from "./matmul.ts";
import { runPeer } from "./peers.ts";
import { type Matmul, type MatmulAt, MatmulSide, type Peer, type Summary } from "./schema.ts";
import { median, summarize } from "./stats.ts";
import { z } from "zod";

export const MATMUL_SIZE = 512;

const PeerMatmul = z.object({
  size: z.number(),
  ms: z.array(z.number()),
  seconds: z.number(),
  max_rel_error: z.number(),
});

/** Largest error of a float32 512×512 product relative to its largest entry, float64 the truth. */
export const MATMUL_TOLERANCE = 1e-4;

async function wasmSide(threads: number, runs: number): Promise<MatmulSide | string> {
  const r = await runDenoChild([
    new URL("./matmul.ts", import.meta.url).pathname,
    "--threads",
    String(threads),
    "--size",
    String(MATMUL_SIZE),
    "--runs",
    String(runs),
  ], 300);
  return r.error ?? MatmulSide.parse(r.last);
}

async function peerSide(peer: Peer, threads: number, runs: number): Promise<MatmulSide | string> {
  if (!peer.available) return "not measured: no PyTorch peer";
  try {
    const out = await runPeer(peer, threads, [
      "matmul",
      "--size",
      String(MATMUL_SIZE),
      "--runs",
      String(runs),
    ]);
    const r = PeerMatmul.parse(out.result);
    if (!(r.max_rel_error <= MATMUL_TOLERANCE)) {
      return `${peer.name} computed a wrong product (relative error ${r.max_rel_error}) with ` +
        `${out.info.blas.openblas_config ?? out.info.blas.sgemm}`;
    }
    const call: Summary = summarize(r.ms);
    return {
      threads: out.info.threads,
      blas_threads: out.info.blas.blas_threads,
      gflops: gflops(r.size, 1, call.p50),
      call,
      seconds: r.seconds,
    };
  } catch (e) {
    return (e as Error).message;
  }
}

/** The side of the round with the median rate (the first of the two middle ones). */
export function medianSide(sides: readonly MatmulSide[]): MatmulSide | null {
  if (!sides.length) return null;
  const sorted = [...sides].sort((a, b) => a.gflops - b.gflops);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Both sides at every thread count, `rounds` rounds taken in turn. */
export async function benchMatmul(
  threads: readonly number[],
  peer: Peer,
  options: { rounds: number; runs: number; log: (s: string) => void },
): Promise<Matmul> {
  const at: MatmulAt[] = [];
  for (const t of threads) {
    const wasm: MatmulSide[] = [];
    const theirs: MatmulSide[] = [];
    const ratios: number[] = [];
    const notes = new Set<string>();
    for (let round = 0; round < options.rounds; round++) {
      options.log(
        `matmul ${MATMUL_SIZE}×${MATMUL_SIZE}: ${t} thread(s), round ${
          round + 1
        }/${options.rounds}`,
      );
      const pair = round % 2 === 0
        ? [await wasmSide(t, options.runs), await peerSide(peer, t, options.runs)]
        : [await peerSide(peer, t, options.runs), await wasmSide(t, options.runs)].reverse();
      const [w, p] = pair;
      if (typeof w === "string") notes.add(`wasm: ${w}`);
      else wasm.push(w);
      if (typeof p === "string") notes.add(p);
      else theirs.push(p);
      if (typeof w !== "string" && typeof p !== "string") ratios.push(p.gflops / w.gflops);
    }
    at.push({
      threads: t,
      wasm: medianSide(wasm),
      peer: medianSide(theirs),
      limit: ratios.length ? { ratio: median(ratios), rounds: ratios } : null,
      ...(notes.size ? { note: [...notes].join("; ") } : {}),
    });
  }
  return { size: MATMUL_SIZE, rounds: options.rounds, at };
}
