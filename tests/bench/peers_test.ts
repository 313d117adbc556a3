/**
 * The PyTorch peer: which BLAS it loaded and how it is named, its thread
 * count, and what happens when Python, torch or numpy is missing (the bench
 * names the Debian packages and its rows read "not measured").
 */
import assert from "node:assert/strict";
import {
  blasKind,
  describePeer,
  packagesFor,
  peerEnv,
  peerName,
  probePeer,
  PYTHON,
  runPeer,
} from "@gan-edge/bench/peers";
import { Results } from "@gan-edge/bench/schema";

const hasPython = (() => {
  try {
    return Deno.statSync(PYTHON).isFile;
  } catch {
    return false;
  }
})();
const hasTorch = hasPython &&
  new Deno.Command(PYTHON, { args: ["-c", "import torch, numpy"], stderr: "null" }).outputSync()
    .success;

/** A Python that finds neither torch nor numpy: Debian's, without site-packages. */
async function barePython(dir: string): Promise<string> {
  const path = `${dir}/python3`;
  await Deno.writeTextFile(path, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("the BLAS whose sgemm_ torch calls is told apart by its file, and names the peer", () => {
  assert.equal(blasKind("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"), "openblas");
  assert.equal(blasKind("/usr/lib/x86_64-linux-gnu/libopenblasp-r0.3.21.so"), "openblas");
  assert.equal(blasKind("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"), "reference");
  assert.equal(blasKind("/opt/intel/lib/libmkl_rt.so.2"), "mkl");
  assert.equal(blasKind("/usr/lib/libblis.so.4"), "blis");
  assert.equal(blasKind("/opt/x/libblas.so.3"), "unknown");
  assert.equal(blasKind(null), "unknown");
  assert.equal(peerName("openblas"), "PyTorch+OpenBLAS");
  assert.equal(peerName("reference"), "PyTorch+reference BLAS");
});

Deno.test("missing modules map to Debian packages, with a fast BLAS", () => {
  assert.deepEqual(packagesFor(["numpy", "torch"]), [
    "python3-numpy",
    "python3-torch",
    "libopenblas0-pthread",
  ]);
  assert.deepEqual(packagesFor(["torch"]), ["python3-torch", "libopenblas0-pthread"]);
});

Deno.test("the peer's environment: every thread pool set, OpenBLAS left to pick its kernel", () => {
  const env = peerEnv(
    { PATH: "/bin", OPENBLAS_CORETYPE: "Haswell", OPENBLAS_L2_SIZE: "512", OMP_NUM_THREADS: "8" },
    { LD_LIBRARY_PATH: "/opt/blas" },
    2,
  );
  assert.deepEqual(env, {
    PATH: "/bin",
    LD_LIBRARY_PATH: "/opt/blas",
    OMP_NUM_THREADS: "2",
    OPENBLAS_NUM_THREADS: "2",
    MKL_NUM_THREADS: "2",
  });
});

Deno.test("no Python at the path: not available, and the packages to install", async () => {
  const peer = await probePeer("/nonexistent/python3");
  assert.equal(peer.available, false);
  assert.ok(!peer.available);
  assert.match(peer.reason, /\/nonexistent\/python3 not found/);
  assert.deepEqual(peer.install, [
    "python3",
    "python3-torch",
    "python3-numpy",
    "libopenblas0-pthread",
  ]);
  assert.match(describePeer(peer), /not measured.*apt-get install python3 python3-torch/);
});

Deno.test({
  name: "a Python without torch or numpy: not available, both packages named",
  ignore: !hasPython,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const peer = await probePeer(await barePython(dir));
      assert.ok(!peer.available);
      assert.match(peer.reason, /has no numpy and torch/);
      assert.deepEqual(peer.install, ["python3-numpy", "python3-torch", "libopenblas0-pthread"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "deno task bench with a Python without torch: exits 0, names the packages, rows not measured",
  ignore: !hasPython,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const out = `${dir}/results.json`;
      const r = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../../bench/main.ts", import.meta.url).pathname,
          ...["--quick", "--only", "trainer", "--cases", "mlp", "--backends", "wasm"],
          ...["--threads", "1", "--python", await barePython(dir), "--out", out],
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 0, text);
      assert.doesNotMatch(text, /Traceback/);
      assert.match(text, /apt-get install python3-numpy python3-torch libopenblas0-pthread/);
      const results = Results.parse(JSON.parse(await Deno.readTextFile(out)));
      assert.equal(results.peer.available, false);
      const step = results.table.find((row) => row.measure.endsWith("D+G step b64, wasm"))!;
      assert.ok(step.ours! > 0, "ours is measured without the peer");
      assert.equal(step.peerValue, null);
      const limit = results.table.find((row) => row.section === "limit")!;
      assert.ok(limit.ours! > 0, "the wasm matmul is measured without the peer");
      assert.equal(limit.peerValue, null);
      assert.match(text, /\| PyTorch \| not measured \|/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the peer reports its BLAS and runs the thread count asked for",
  ignore: !hasTorch,
  fn: async () => {
    const peer = await probePeer(PYTHON);
    assert.ok(peer.available, describePeer(peer));
    assert.ok(peer.info.blas.loaded.length > 0, "a BLAS file is mapped");
    assert.match(peer.name, /^PyTorch\+/);
    const two = await runPeer(peer, 2, ["info"]);
    assert.equal(two.info.threads, 2);
    if (peer.blas_kind === "openblas") assert.equal(two.info.blas.blas_threads, 2);
  },
});

const REFERENCE_BLAS = "/usr/lib/x86_64-linux-gnu/blas";
const hasReference = hasTorch && (() => {
  try {
    return Deno.statSync(`${REFERENCE_BLAS}/libblas.so.3`).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "a reference BLAS on --blas-dir is named so, although liblapack still maps OpenBLAS",
  ignore: !hasReference,
  fn: async () => {
    const peer = await probePeer(PYTHON, REFERENCE_BLAS);
    assert.ok(peer.available, describePeer(peer));
    assert.equal(peer.blas_kind, "reference");
    assert.equal(peer.name, "PyTorch+reference BLAS");
    assert.match(peer.info.blas.sgemm!, /\/blas\/libblas\.so/);
    assert.equal(peer.info.blas.openblas_config, null);
    assert.match(peer.advice!, /apt-get install libopenblas0-pthread/);
  },
});
