/**
 * The PyTorch peer: peer_torch.py, run by a Python that has torch and numpy
 * (Debian's /usr/bin/python3 with python3-torch and python3-numpy), as a
 * child process per call, with a set thread count.
 *
 * The peer is honest only with a fast BLAS: Debian's python3-torch calls
 * whatever libblas.so.3 is, and the reference BLAS (libblas3) makes its dense
 * layers and transposed convolutions several times slower than OpenBLAS
 * (libopenblas0-pthread, which makes itself the libblas.so.3 alternative).
 * So the probe reads which BLAS the peer loaded, and the peer's name in the
 * table says it ("PyTorch+OpenBLAS", "PyTorch+reference BLAS").
 *
 * A missing Python, torch or numpy is not an error: the probe says which
 * Debian packages to install, and the rows of the peer read "not measured".
 *
 * @module
 */
import {
  type AvailablePeer,
  type BlasKind,
  type Peer,
  PeerInfo,
  PeerMissing,
  PeerOutput,
} from "./schema.ts";

/** Debian's Python, which python3-torch installs into. */
export const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./peer_torch.py", import.meta.url).pathname;

/** The Debian package that provides each thing the peer needs. */
export const DEBIAN_PACKAGES = {
  python: "python3",
  torch: "python3-torch",
  numpy: "python3-numpy",
  openblas: "libopenblas0-pthread",
} as const;

/**
 * The kind of BLAS in a file (a real path): Debian puts OpenBLAS in
 * …/openblas-pthread/ (or -openmp, -serial) and the reference BLAS
 * (libblas3) in …/blas/.
 */
export function blasKind(file: string | null): BlasKind {
  if (!file) return "unknown";
  const name = file.split("/").at(-1)!;
  if (/openblas/i.test(file)) return "openblas";
  if (name.startsWith("libmkl")) return "mkl";
  if (name.startsWith("libblis")) return "blis";
  if (/\/blas\/libblas\.so/.test(file)) return "reference";
  return "unknown";
}

const KIND_LABEL: Record<BlasKind, string> = {
  openblas: "OpenBLAS",
  mkl: "MKL",
  blis: "BLIS",
  reference: "reference BLAS",
  unknown: "unknown BLAS",
};

/** The peer's name in the table: PyTorch and the BLAS it loaded. */
export function peerName(kind: BlasKind): string {
  return `PyTorch+${KIND_LABEL[kind]}`;
}

/** The Debian packages for the modules peer_torch.py found missing, plus a fast BLAS. */
export function packagesFor(missing: readonly string[]): string[] {
  const known = missing.map((m) =>
    m in DEBIAN_PACKAGES ? DEBIAN_PACKAGES[m as keyof typeof DEBIAN_PACKAGES] : `python3-${m}`
  );
  return [...new Set([...known, DEBIAN_PACKAGES.openblas])];
}

/**
 * Variables the peer runs without. Some machines set OPENBLAS_CORETYPE (and
 * OPENBLAS_L2_SIZE) to pin OpenBLAS to an older kernel, because older
 * OpenBLAS builds compute wrong results or crash on newer processors; that
 * kernel is slower than the one OpenBLAS picks for the CPU. The peer lets
 * OpenBLAS pick, reports the kernel (openblas_get_config), and its matmul
 * is checked against float64 (peer_torch.py bench_matmul).
 */
export const UNSET_FOR_PEER = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] as const;

/**
 * The peer's whole environment: this process's, without UNSET_FOR_PEER,
 * plus `extra`, with every thread pool (torch's OpenMP, the BLAS's) set to
 * `threads`.
 */
export function peerEnv(
  parent: Record<string, string>,
  extra: Record<string, string>,
  threads: number,
): Record<string, string> {
  const env = { ...parent, ...extra };
  for (const name of UNSET_FOR_PEER) delete env[name];
  const n = String(threads);
  return { ...env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

/** A failed peer call, with the peer's last lines of stderr. */
export class PeerError extends Error {
  override name = "PeerError";
}

interface Call {
  python: string;
  env: Record<string, string>;
  threads: number;
  args: string[];
}

/** Runs `python peer_torch.py --threads N ARGS…`; returns its exit code, stdout's last line and stderr's tail. */
async function call(c: Call) {
  const out = await new Deno.Command(c.python, {
    args: [SCRIPT, "--threads", String(c.threads), ...c.args],
    env: peerEnv(Deno.env.toObject(), c.env, c.threads),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const last = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
  return { code: out.code, last, stderr };
}

/**
 * Finds out whether `python` can run the peer, and with which BLAS.
 * `blasDir`: a folder holding a libblas.so.3 to load instead of the system's
 * (LD_LIBRARY_PATH, for this peer alone).
 */
export async function probePeer(python: string, blasDir?: string): Promise<Peer> {
  const env: Record<string, string> = blasDir ? { LD_LIBRARY_PATH: blasDir } : {};
  let r;
  try {
    r = await call({ python, env, threads: 1, args: ["info"] });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return {
      available: false,
      python,
      reason: `${python} not found`,
      install: [DEBIAN_PACKAGES.python, ...packagesFor(["torch", "numpy"])],
    };
  }
  if (r.code === 3) {
    const { missing } = PeerMissing.parse(JSON.parse(r.last));
    return {
      available: false,
      python,
      reason: `${python} has no ${missing.join(" and ")}`,
      install: packagesFor(missing),
    };
  }
  if (r.code !== 0) {
    return { available: false, python, reason: `peer_torch.py info: ${r.stderr}`, install: [] };
  }
  const info = PeerInfo.parse(PeerOutput.parse(JSON.parse(r.last)).info);
  const kind = blasKind(info.blas.sgemm);
  return {
    available: true,
    name: peerName(kind),
    python,
    blas_kind: kind,
    env,
    info,
    ...(kind === "openblas" || kind === "mkl" || kind === "blis" ? {} : {
      advice: `torch loaded the ${
        KIND_LABEL[kind]
      }; for a fast peer: apt-get install ${DEBIAN_PACKAGES.openblas}`,
    }),
  };
}

/** One line for the log and the table's notes: what to install, or how the peer runs. */
export function describePeer(peer: Peer): string {
  if (!peer.available) {
    const install = peer.install.length
      ? `; install: apt-get install ${peer.install.join(" ")}`
      : "";
    return `PyTorch peer not measured: ${peer.reason}${install}`;
  }
  const blas = peer.info.blas.openblas_config ?? peer.info.blas.sgemm ?? "no sgemm_ found";
  return `${peer.name}: torch ${peer.info.torch} (${peer.python}), ${blas}` +
    (peer.advice ? ` (${peer.advice})` : "");
}

/** Runs `peer_torch.py ARGS…` on `threads` threads; throws PeerError with its stderr on failure. */
export async function runPeer(peer: AvailablePeer, threads: number, args: string[]) {
  const r = await call({ python: peer.python, env: peer.env, threads, args });
  if (r.code !== 0) throw new PeerError(`peer_torch.py ${args[0]} failed: ${r.stderr}`);
  const out = PeerOutput.parse(JSON.parse(r.last));
  const blas = out.info.blas.blas_threads;
  if (out.info.threads !== threads || (blas !== null && blas !== threads)) {
    throw new PeerError(
      `peer_torch.py ${args[0]}: asked for ${threads} threads, torch ran ${out.info.threads}` +
        (blas !== null ? ` and its BLAS ${blas}` : ""),
    );
  }
  return out;
}
