/**
 * What a request costs in CPU: `deno run --allow-read --allow-env
 * edge/tools/cost.ts [--model DIR] [--requests N]`. Runs requests through the
 * app in-process, one at a time, and divides the process's user+system CPU
 * time by their number, for each kind of request the model serves. These are
 * the figures the README quotes against Deno Deploy's CPU-time limits.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { createApp } from "../app.ts";
import { DEFAULT_CONFIG, DEFAULT_MODEL_DIR } from "../config.ts";
import { describeSampler, loadSampler } from "../sampler.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { model: { type: "string" }, requests: { type: "string" } },
});
const dir = values.model ?? DEFAULT_MODEL_DIR;
const requests = Number(values.requests ?? 200);
const sampler = await loadSampler(dir);
const app = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 0 });
const picture = sampler.metadata.output.kind === "image" ? "png" : "svg";

/** CPU milliseconds and wall milliseconds per request for `path(i)`. */
async function measure(path: (i: number) => string) {
  for (let i = 0; i < 20; i++) await (await app.request(path(i))).arrayBuffer();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    await (await app.request(path(1000 + i))).arrayBuffer();
  }
  const used = process.cpuUsage(cpu);
  return {
    cpuMs: (used.user + used.system) / 1000 / requests,
    wallMs: (performance.now() - t0) / requests,
  };
}

console.log(`${dir} ${describeSampler(sampler)}; ${requests} requests each`);
for (
  const [name, path] of [
    ["n=1 json", (i: number) => `/v1/sample?seed=${i}&format=json`],
    [`n=1 ${picture}`, (i: number) => `/v1/sample?seed=${i}&format=${picture}`],
    [`n=16 ${picture}`, (i: number) => `/v1/sample?seed=${i}&n=16&format=${picture}`],
    [`n=64 ${picture}`, (i: number) => `/v1/sample?seed=${i}&n=64&format=${picture}`],
    [
      `interpolate 8 ${picture}`,
      (i: number) => `/v1/interpolate?from=${i}&to=${i + 1}&format=${picture}`,
    ],
  ] as const
) {
  const { cpuMs, wallMs } = await measure(path);
  console.log(`${name.padEnd(20)} ${cpuMs.toFixed(2)} ms CPU, ${wallMs.toFixed(2)} ms wall`);
}
