/**
 * A run folder that never lies: the log survives a trainer killed while
 * resuming, a changed checkpoint file is refused, one trainer at a time
 * writes a folder, and a full disk or a read-only folder gets a clear message
 * with nothing half-written.
 */
import assert from "node:assert/strict";
import { CheckpointError, loadCheckpoint } from "../../trainer/checkpoint.ts";
import { keptLogLength, LOCK_FILE, lockRunFolder, RunLog } from "../../trainer/run_folder.ts";
import { IS_ROOT, ROOT, sh, SMALL, startRun, TRAIN, train } from "../helpers/train_cli.ts";

const encode = (s: string) => new TextEncoder().encode(s);
const NO_STACK = /\n\s+at /;

Deno.test("keptLogLength keeps the complete lines up to the checkpoint's step", () => {
  const lines = [
    '{"step":1,"loss_D":1}\n',
    '{"step":2,"loss_D":1}\n',
    '{"summary":"epoch","epoch":1,"step":2}\n',
    '{"step":3,"loss_D":1}\n',
  ];
  const log = encode(lines.join(""));
  const upTo = (n: number) => encode(lines.slice(0, n).join("")).length;
  assert.equal(keptLogLength(log, 2), upTo(3), "the epoch summary at step 2 stays");
  assert.equal(keptLogLength(log, 3), log.length);
  assert.equal(keptLogLength(log, 0), 0);
  // A line cut by a crash, and whatever follows a line that is not a log line, go.
  assert.equal(keptLogLength(encode(lines.join("") + '{"step":4,"lo'), 10), log.length);
  assert.equal(keptLogLength(encode(lines[0] + "garbage\n" + lines[1]), 10), upTo(1));
  assert.equal(keptLogLength(encode(""), 5), 0);
});

Deno.test("RunLog.open cuts the log in place to the resumed step and appends after it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kept = '{"step":1,"loss_D":1}\n{"step":2,"loss_D":1}\n';
    await Deno.writeTextFile(`${dir}/log.jsonl`, kept + '{"step":3,"loss_D":1}\n{"st');
    {
      using log = await RunLog.open(dir, 2);
      assert.deepEqual(log.steps.map((l) => l.step), [1, 2]);
      assert.equal(await Deno.readTextFile(`${dir}/log.jsonl`), kept);
      await log.write({ step: 3, loss_D: 2 });
    }
    assert.equal(await Deno.readTextFile(`${dir}/log.jsonl`), kept + '{"step":3,"loss_D":2}\n');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a trainer killed while --resume cuts log.jsonl keeps every line up to its checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal((await train([...SMALL, "--steps", "20", "--out", dir])).code, 0);
    const whole = await Deno.readFile(`${dir}/log.jsonl`);
    assert.ok(whole.length > 4096);
    // Lines a run killed after its checkpoint of step 20 left, the last cut short.
    await Deno.writeTextFile(
      `${dir}/log.jsonl`,
      '{"step":21,"loss_D":1}\n{"step":22,"loss_D":1}\n{"step":23,"lo',
      { append: true },
    );
    // A 4 KiB file-size limit kills the resumed trainer (SIGXFSZ) at its first write past
    // 4 KiB: a trainer that rewrote the log would die half-way through rewriting it.
    const out = await new Deno.Command("bash", {
      args: [
        "-c",
        'ulimit -f 4 && exec "$0" "$@"',
        Deno.execPath(),
        "run",
        // Deno's own cache writes would meet the limit first: no code cache, and node_modules
        // used as it is (the first train above installed it) without its setup cache rewritten.
        "--no-code-cache",
        "--node-modules-dir=manual",
        ...TRAIN.slice(1),
        "--out",
        dir,
        "--resume",
        "--steps",
        "30",
      ],
      cwd: ROOT,
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.signal, "SIGXFSZ", stdout);
    assert.match(stdout, /resuming .* at step 20/);
    assert.deepEqual(await Deno.readFile(`${dir}/log.jsonl`), whole);
    // Resumed without the limit, it continues after step 20.
    const resumed = await train(["--out", dir, "--resume", "--steps", "30"]);
    assert.equal(resumed.code, 0, resumed.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every file of a checkpoint is checksummed: a changed one is refused, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal((await train([...SMALL, "--steps", "10", "--out", dir])).code, 0);
    const latest = `${dir}/checkpoints/latest`;
    // coreutils can check it too.
    const sums = await new Deno.Command("sha256sum", { args: ["-c", "SHA256SUMS"], cwd: latest })
      .output();
    assert.equal(sums.code, 0, new TextDecoder().decode(sums.stderr));
    const changed = async (file: string, edit: (bytes: Uint8Array) => Uint8Array, why: RegExp) => {
      const original = await Deno.readFile(`${latest}/${file}`);
      await Deno.writeFile(`${latest}/${file}`, edit(original.slice()));
      await assert.rejects(
        loadCheckpoint(dir),
        (e: Error) => e instanceof CheckpointError && why.test(e.message),
        file,
      );
      await Deno.writeFile(`${latest}/${file}`, original);
    };
    const state = (edit: (s: Record<string, unknown>) => void) => (bytes: Uint8Array) => {
      const s = JSON.parse(new TextDecoder().decode(bytes));
      edit(s);
      return encode(JSON.stringify(s));
    };
    const mismatch = (file: string) =>
      new RegExp(`latest/${file}: SHA-256 mismatch \\(SHA256SUMS lists [0-9a-f]{64}, the file`);
    await changed("state.json", state((s) => s.step = 5), mismatch("state\\.json"));
    await changed(
      "state.json",
      state((s) => (s.tensors as { offset: number }[])[1].offset += 1),
      mismatch("state\\.json"),
    );
    await changed(
      "state.json",
      state((s) => (s.config as { lr: number }).lr *= 10),
      mismatch("state\\.json"),
    );
    await changed(
      "state.json",
      state((s) => (s.prng as number[])[0] ^= 1),
      mismatch("state\\.json"),
    );
    const flip = (bytes: Uint8Array) => (bytes[100] ^= 0xff, bytes);
    await changed("tensors.bin", flip, mismatch("tensors\\.bin"));
    await changed(
      "generator/group1-shard1of1.bin",
      flip,
      mismatch("generator/group1-shard1of1\\.bin"),
    );
    await changed(
      "SHA256SUMS",
      (b) => encode(new TextDecoder().decode(b).replace(/^.* {2}state\.json\n/m, "")),
      /SHA256SUMS: does not list state\.json/,
    );
    await changed("SHA256SUMS", () => encode("not a checksum\n"), /SHA256SUMS: line 1 is not/);
    // Without its checksums a version 2 checkpoint cannot be verified.
    await Deno.rename(`${latest}/SHA256SUMS`, `${dir}/sums`);
    await assert.rejects(loadCheckpoint(dir), /latest\/SHA256SUMS: missing/);
    await Deno.rename(`${dir}/sums`, `${latest}/SHA256SUMS`);
    // A file the checkpoint did not write (a desktop's .DS_Store) is not part of it.
    await Deno.writeTextFile(`${latest}/.DS_Store`, "x");
    assert.equal((await loadCheckpoint(dir))?.state.step, 10);

    // The trainer refuses to resume a changed state.json and leaves the run as it was.
    const log = await Deno.readFile(`${dir}/log.jsonl`);
    const stateJson = await Deno.readFile(`${latest}/state.json`);
    await Deno.writeFile(`${latest}/state.json`, state((s) => s.step = 5)(stateJson.slice()));
    const r = await train(["--out", dir, "--resume", "--steps", "20"]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /^error: .*latest\/state\.json: SHA-256 mismatch.*so it is not resumed/m,
    );
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.deepEqual(await Deno.readFile(`${dir}/log.jsonl`), log);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lockRunFolder: one holder at a time, named in the refusal; a dead holder's file is stale", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/runs/a`;
  try {
    {
      using _lock = await lockRunFolder(dir);
      const holder = JSON.parse(await Deno.readTextFile(`${dir}/${LOCK_FILE}`));
      assert.equal(holder.pid, Deno.pid);
      await assert.rejects(
        lockRunFolder(dir),
        new RegExp(`--out: ${dir} is in use by another trainer \\(pid ${Deno.pid}, started `),
      );
    }
    // Released: the folders it created, empty, are gone with the lock file.
    await assert.rejects(Deno.stat(`${parent}/runs`), Deno.errors.NotFound);
    // A lock file left by a trainer that died (nobody holds the OS lock) is taken over.
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, '{"pid":999999999,"started":"then"}\n');
    {
      using _lock = await lockRunFolder(dir);
      assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/${LOCK_FILE}`)).pid, Deno.pid);
      await Deno.writeTextFile(`${dir}/log.jsonl`, "");
    }
    // A folder the run wrote into stays.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["log.jsonl"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("a second trainer on the same --out exits with a clear message; a killed one's lock is stale", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await startRun(dir, 15);
    const second = await train([...SMALL, "--steps", "20", "--out", dir]);
    const resume = await train(["--out", dir, "--resume", "--steps", "20"]);
    for (const r of [second, resume]) {
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, new RegExp(`in use by another trainer \\(pid ${first.pid} on \\S+, `));
      assert.doesNotMatch(r.stderr, NO_STACK);
    }
    first.kill("SIGKILL");
    await first.output();
    // Its lock file stays behind, naming the dead trainer, and does not stop the next one.
    const holder = JSON.parse(await Deno.readTextFile(`${dir}/${LOCK_FILE}`));
    assert.equal(holder.pid, first.pid);
    const at = (await loadCheckpoint(dir))!.state.step;
    const resumed = await train(["--out", dir, "--resume", "--steps", String(at + 10)]);
    assert.equal(resumed.code, 0, resumed.stderr);
    await assert.rejects(Deno.stat(`${dir}/${LOCK_FILE}`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a full disk while writing samples/: a clear message, no half-written sample",
  // Mounting a small tmpfs needs root, as on our CI machines.
  ignore: !IS_ROOT,
  async fn() {
    const dir = await Deno.makeTempDir();
    assert.equal((await train([...SMALL, "--steps", "10", "--out", dir])).code, 0);
    // samples/ on a one-page tmpfs, filled up.
    await sh("mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", `${dir}/samples`);
    try {
      await Deno.writeFile(`${dir}/samples/filler`, new Uint8Array(4096));
      const r = await train(["--out", dir, "--resume", "--steps", "20"]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /^error: \S+\/samples\/epoch-0002\.svg: could not write \(No space left on device.*\); the checkpoint of step 10 is intact; once that is fixed, continue with: deno task train --out \S+ --resume$/m,
      );
      assert.doesNotMatch(r.stderr, NO_STACK);
      assert.deepEqual([...Deno.readDirSync(`${dir}/samples`)].map((e) => e.name), ["filler"]);
      assert.equal((await loadCheckpoint(dir))?.state.step, 10);
    } finally {
      await sh("umount", `${dir}/samples`);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a full disk before the first checkpoint says there is none (not that it is intact)",
  ignore: !IS_ROOT,
  async fn() {
    const disk = await Deno.makeTempDir();
    // Room for the log and a sample, not for the ~0.5 MB checkpoint.
    await sh("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk);
    try {
      const r = await train([...SMALL, "--steps", "10", "--out", `${disk}/run`]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /could not write the checkpoint of step 10 \(No space left on device.*\); \S+ has no checkpoint yet; once that is fixed, start the run again$/m,
      );
      assert.doesNotMatch(r.stderr, /intact/);
      assert.doesNotMatch(r.stderr, NO_STACK);
      assert.deepEqual([...Deno.readDirSync(`${disk}/run/checkpoints`)], []);
    } finally {
      await sh("umount", disk);
      await Deno.remove(disk, { recursive: true });
    }
  },
});

Deno.test("a read-only --out: a clear message, for a new run and for --resume", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal((await train([...SMALL, "--steps", "10", "--out", `${dir}/run`])).code, 0);
  // Root ignores file modes: as root the run goes onto a read-only tmpfs instead.
  const readOnly = IS_ROOT ? `${dir}/ro` : dir;
  if (IS_ROOT) {
    await Deno.mkdir(readOnly);
    await sh("mount", "-t", "tmpfs", "tmpfs", readOnly);
    await sh("cp", "-a", `${dir}/run`, readOnly);
    await sh("mount", "-o", "remount,ro", readOnly);
  } else {
    await Deno.chmod(`${dir}/run`, 0o555);
    await Deno.chmod(dir, 0o555);
  }
  try {
    for (
      const args of [
        ["--out", `${readOnly}/run`, "--resume", "--steps", "20"],
        [...SMALL, "--steps", "10", "--out", `${readOnly}/new`],
      ]
    ) {
      const r = await train(args);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /^error: --out: cannot write to \S+ \((Read-only file system|Permission denied).*\); choose a folder this user can write$/m,
      );
      assert.doesNotMatch(r.stderr, NO_STACK);
    }
  } finally {
    if (IS_ROOT) await sh("umount", readOnly);
    else {
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(`${dir}/run`, 0o755);
    }
    await Deno.remove(dir, { recursive: true });
  }
});
