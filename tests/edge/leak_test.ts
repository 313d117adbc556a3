/**
 * 10,000 concurrent requests through app.request(): seeds, user latents,
 * POST batches, interpolations, PNGs and bad requests, 64 at a time. The live
 * tensor count is the same after every batch as before the first: nothing
 * leaks, and concurrent requests share no tensors.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { loadSampler } from "@gan-edge/edge/sampler";
import { encodeLatent } from "@gan-edge/shared/api";
import { latents } from "@gan-edge/shared/prng";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { conditionalFixture } from "./fixtures.ts";

const REQUESTS = 10_000;
const CONCURRENCY = 64;
const config = { ...DEFAULT_CONFIG, rateLimit: 0 };
const ring8 = createApp(await loadSampler(SHIPPED_RING8), config);
const dir = await conditionalFixture();
const image = createApp(await loadSampler(dir), config);
await Deno.remove(dir, { recursive: true });

/** Request i of the mix, and the status it must get. */
function request(i: number): [typeof ring8, string, RequestInit | undefined, number] {
  const json = { "content-type": "application/json" };
  switch (i % 8) {
    case 0:
      return [ring8, `/v1/sample?seed=${i}&n=${1 + i % 64}`, undefined, 200];
    case 1:
      return [ring8, `/v1/sample?z=${encodeLatent(latents(i, 1, 8, "normal"))}`, undefined, 200];
    case 2:
      return [ring8, "/v1/sample", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ z: Array(4).fill(Array.from(latents(i, 1, 8, "normal"))) }),
      }, 200];
    case 3:
      return [ring8, `/v1/interpolate?from=${i}&to=${i + 1}&steps=5&format=svg`, undefined, 200];
    case 4:
      return [image, `/v1/sample?seed=${i}&n=4&format=png&class=${i % 3}`, undefined, 200];
    case 5:
      return [ring8, `/v1/sample?z=1,2,3`, undefined, 400];
    case 6:
      return [ring8, "/v1/sample", { method: "POST", headers: json, body: '{"z": [[1]]}' }, 400];
    default:
      return [image, `/v1/sample?seed=${i}&class=7`, undefined, 400];
  }
}

Deno.test(`${REQUESTS} concurrent requests leave the tensor count flat`, async () => {
  const before = tf.memory().numTensors;
  const counts = new Set<number>();
  for (let start = 0; start < REQUESTS; start += CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, REQUESTS - start) }, async (_, k) => {
        const [app, path, init, status] = request(start + k);
        const res = await app.request(path, init);
        await res.arrayBuffer();
        assert.equal(res.status, status, path);
      }),
    );
    counts.add(tf.memory().numTensors);
  }
  assert.deepEqual([...counts], [before]);
});
