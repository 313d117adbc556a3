/**
 * Downloads, tested only against a local mirror on 127.0.0.1 (the upstream
 * hosts are out of reach from our machines): verification, caching, the
 * checksum refusal, failures and the progress bar.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { downloadVerified } from "../../trainer/data/download.ts";
import {
  DataError,
  type DownloadProgress,
  IDX_DATASETS,
  type IdxDatasetSpec,
  loadIdxDataset,
} from "../../trainer/data/mod.ts";
import { ProgressBar } from "../../trainer/data/progress.ts";
import { gzip, noisyPixel, syntheticSplit, tempDir } from "../helpers/data_files.ts";

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

/** The files a mirror serves: gzipped synthetic train and test splits under mnist/. */
async function mirrorFiles(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const [prefix, count] of [["train", 300], ["t10k", 200]] as const) {
    const split = syntheticSplit(count, noisyPixel);
    files.set(`/mnist/${prefix}-images-idx3-ubyte.gz`, await gzip(split.images));
    files.set(`/mnist/${prefix}-labels-idx1-ubyte.gz`, await gzip(split.labels));
  }
  return files;
}

/**
 * A mirror on 127.0.0.1 sending each file in 10 chunks, 5 ms apart so they
 * arrive as several reads; records the requested paths.
 */
function serve(files: Map<string, Uint8Array>) {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    requests.push(path);
    const body = files.get(path);
    if (!body) return new Response("Not Found", { status: 404 });
    const step = Math.ceil(body.length / 10);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (at >= body.length) return controller.close();
        if (at > 0) await new Promise((resolve) => setTimeout(resolve, 5));
        controller.enqueue(body.slice(at, at + step));
        at += step;
      },
    });
    return new Response(stream, { headers: { "content-length": String(body.length) } });
  });
  return { server, requests, url: `http://127.0.0.1:${server.addr.port}` };
}

/** MNIST's spec with the fixtures' checksums in place of the published ones. */
function fixtureSpec(files: Map<string, Uint8Array>): IdxDatasetSpec {
  const sums = Object.fromEntries(
    [...files].map(([path, bytes]) => [path.split("/").pop()!, md5(bytes)]),
  );
  return { ...IDX_DATASETS.mnist, md5: sums };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

Deno.test("download from a mirror: verified, cached, progress reported, then reused offline", async () => {
  const files = await mirrorFiles();
  const { server, requests, url } = serve(files);
  const cacheDir = await tempDir("cache");
  const events: DownloadProgress[] = [];
  try {
    const spec = fixtureSpec(files);
    const set = await loadIdxDataset(spec, "train", {
      cacheDir,
      mirror: `${url}/`,
      onProgress: (p) => events.push(p),
    });
    assert.equal(set.count, 300);
    assert.deepEqual(requests, [
      "/mnist/train-images-idx3-ubyte.gz",
      "/mnist/train-labels-idx1-ubyte.gz",
    ]);
    assert.deepEqual(await listDir(join(cacheDir, "mnist")), [
      "train-images-idx3-ubyte.gz",
      "train-labels-idx1-ubyte.gz",
    ]);
    // Progress: several growing steps against the Content-Length, then done.
    const images = events.filter((e) => e.file === "train-images-idx3-ubyte.gz");
    const total = files.get("/mnist/train-images-idx3-ubyte.gz")!.length;
    assert.ok(images.length >= 3, `${images.length} progress events`);
    assert.ok(images.every((e, i) => i === 0 || e.received >= images[i - 1].received));
    assert.ok(images.slice(0, -1).every((e) => !e.done && e.total === total));
    assert.deepEqual(images.at(-1), {
      url: `${url}/mnist/train-images-idx3-ubyte.gz`,
      file: "train-images-idx3-ubyte.gz",
      received: total,
      total,
      done: true,
    });
    // The cache now serves the split with downloads off; the test split still downloads.
    const again = await loadIdxDataset(spec, "train", { cacheDir, download: false });
    assert.deepEqual(again.x, set.x);
    const test = await loadIdxDataset(spec, "test", { cacheDir, mirror: url, onProgress() {} });
    assert.equal(test.count, 200);
    assert.equal(requests.length, 4);
  } finally {
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a checksum mismatch is refused and nothing is left behind", async () => {
  const files = await mirrorFiles();
  const { server, url } = serve(files);
  const cacheDir = await tempDir("cache");
  try {
    // The real MNIST checksums cannot match the synthetic files.
    const served = md5(files.get("/mnist/train-images-idx3-ubyte.gz")!);
    await assert.rejects(
      loadIdxDataset("mnist", "train", { cacheDir, mirror: url, onProgress() {} }),
      (e: Error) => {
        assert.ok(e instanceof DataError);
        assert.match(
          e.message,
          new RegExp(
            `${url}/mnist/train-images-idx3-ubyte\\.gz: checksum mismatch: ` +
              `expected md5 f68b3c2dcbeaaa9fbdd348bbdeb94873, got ${served}; ` +
              `the download was refused and nothing was saved`,
          ),
        );
        return true;
      },
    );
    assert.deepEqual(await listDir(join(cacheDir, "mnist")), []);
  } finally {
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a mirror that lacks the files or cannot be reached: the missing-data error with its cause", async () => {
  const { server, url } = serve(new Map());
  const cacheDir = await tempDir("cache");
  try {
    const load = (mirror: string) =>
      loadIdxDataset("mnist", "train", { cacheDir, mirror, onProgress() {} });
    await assert.rejects(load(url), (e: Error) => {
      assert.ok(e instanceof DataError);
      assert.match(
        e.message,
        /download: GET http:\/\/127\.0\.0\.1:\d+\/mnist\/train-images-idx3-ubyte\.gz: HTTP 404/,
      );
      assert.match(e.message, /Fix it in one of three ways:/);
      return true;
    });
    await server.shutdown();
    // The same port, now closed: a connection error.
    await assert.rejects(load(url), (e: Error) => {
      assert.match(
        e.message,
        /download: GET http:\/\/127\.0\.0\.1:\d+\/mnist\/train-images-idx3-ubyte\.gz: .+/,
      );
      assert.match(e.message, /3\. allow the download/);
      return true;
    });
    await assert.rejects(
      load("ftp://127.0.0.1/"),
      /ftp:\/\/127\.0\.0\.1\/mnist\/train-images-idx3-ubyte\.gz: expected an http:\/\/ or https:\/\/ address/,
    );
    assert.deepEqual(await listDir(join(cacheDir, "mnist")), []);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a connection cut short leaves no partial file", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    // Promises 1000 bytes, sends 100.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(100));
        controller.close();
      },
    });
    return new Response(stream, { headers: { "content-length": "1000" } });
  });
  const dir = await tempDir("cache");
  try {
    await assert.rejects(
      downloadVerified(
        `http://127.0.0.1:${server.addr.port}/f.gz`,
        join(dir, "f.gz"),
        "0".repeat(32),
      ),
      (e: Error) => {
        assert.ok(e instanceof DataError);
        assert.match(e.message, /f\.gz: (connection lost after|got) \d+ bytes/);
        return true;
      },
    );
    assert.deepEqual(await listDir(dir), []);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("progress bar: plain lines per 10 % off a terminal, one redrawn line on it", () => {
  const plain: string[] = [];
  const bar = new ProgressBar("mnist/x.gz", 1000, {
    write: (t) => plain.push(t),
    isTerminal: false,
  }, 10);
  for (let done = 0; done <= 1000; done += 50) bar.update(done);
  bar.finish(1000);
  assert.equal(plain.length, 11); // 0 %, 10 %, …, 100 %, never twice
  assert.equal(plain[0], "mnist/x.gz [..........]   0% 0.0/1.0 kB\n");
  assert.equal(plain[5], "mnist/x.gz [#####.....]  50% 0.5/1.0 kB\n");
  assert.equal(plain[10], "mnist/x.gz [##########] 100% 1.0/1.0 kB\n");

  const tty: string[] = [];
  const live = new ProgressBar("f", 2e6, { write: (t) => tty.push(t), isTerminal: true }, 4);
  live.update(1e6);
  live.update(1.5e6); // within 100 ms: not redrawn
  live.finish(2e6);
  assert.deepEqual(tty, [
    "\rf [##..]  50% 1.0/2.0 MB\x1b[K",
    "\rf [####] 100% 2.0/2.0 MB\x1b[K",
    "\n",
  ]);
  // Without a Content-Length, the bytes so far.
  assert.equal(new ProgressBar("f", null).line(12_300_000), "f 12.3 MB");
});

Deno.test("the default progress output is plain lines when stdout is a pipe; GAN_EDGE_* variables are read", async () => {
  const files = await mirrorFiles();
  const { server, url } = serve(files);
  const cacheDir = await tempDir("cache");
  try {
    const child = fileURLToPath(new URL("../helpers/download_child.ts", import.meta.url));
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        child,
        JSON.stringify({ spec: fixtureSpec(files), split: "test" }),
      ],
      env: { GAN_EDGE_DATA_MIRROR: url, GAN_EDGE_CACHE_DIR: cacheDir, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout);
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const lines = out.trim().split("\n");
    assert.ok(!out.includes("\r"), "no carriage returns off a terminal");
    assert.ok(lines.includes("loaded 200"));
    // One line per 10 % reached, ending at 100 %; the labels file is one read.
    const images = lines.filter((l) => l.startsWith("mnist/t10k-images-idx3-ubyte.gz ["));
    assert.ok(images.length >= 2 && images.length <= 11, out);
    assert.match(images.at(-1)!, /\[#{30}\] 100% 156\.9\/156\.9 kB$/);
    assert.ok(lines.some((l) => /^mnist\/t10k-labels-idx1-ubyte\.gz \[#+\] 100% /.test(l)), out);
    assert.deepEqual(await listDir(join(cacheDir, "mnist")), [
      "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
    ]);
  } finally {
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});
