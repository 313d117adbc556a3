/**
 * The PyTorch peer (peer_torch.py through Debian's /usr/bin/python3), run
 * as a child process; each call prints one JSON object.
 *
 * Debian's python3-torch links the reference BLAS (libblas3) unless an
 * optimised one is installed, which makes its dense layers and transposed
 * convolutions ~6-10× slower than with OpenBLAS. The bench runs the peer as
 * installed and, when an OpenBLAS folder is found (BENCH_OPENBLAS_DIR, or
 * Debian's libopenblas0-pthread installed), once more with that library on
 * LD_LIBRARY_PATH for the peer alone, 1 BLAS thread.
 *
 * @module
 */

/** One way of running the peer. */
export interface TorchPeer {
  name: string;
  env: Record<string, string>;
}

export const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./peer_torch.py", import.meta.url).pathname;
const DEBIAN_OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread";

/** The peers that can run here, the installed one first. */
export function torchPeers(): TorchPeer[] {
  const peers: TorchPeer[] = [{ name: "torch", env: {} }];
  const candidates = [Deno.env.get("BENCH_OPENBLAS_DIR"), DEBIAN_OPENBLAS];
  for (const dir of candidates) {
    if (!dir) continue;
    try {
      Deno.statSync(`${dir}/libblas.so.3`);
    } catch {
      continue;
    }
    peers.push({
      name: "torch+openblas",
      env: { LD_LIBRARY_PATH: dir, OPENBLAS_NUM_THREADS: "1" },
    });
    break;
  }
  return peers;
}

/** What the peer prints: its versions and the command's result. */
export interface PeerOutput {
  info: { torch: string; threads: number; python: string };
  // deno-lint-ignore no-explicit-any
  result: any;
}

/** Runs `peer_torch.py ARGS…` for `peer`; throws with its stderr on failure. */
export async function runPeer(peer: TorchPeer, args: string[]): Promise<PeerOutput> {
  const out = await new Deno.Command(PYTHON, {
    args: [SCRIPT, ...args],
    env: peer.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`peer_torch.py ${args[0]} (${peer.name}) failed: ${stderr}`);
  }
  return JSON.parse(stdout.split("\n").at(-1)!);
}
