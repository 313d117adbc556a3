/**
 * Entry point for `deno serve` and Deno Deploy: `export default { fetch }`.
 * The model is loaded once, at start-up; a bad artifact or a bad limit in
 * the environment stops start-up with a message saying why.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { configFromEnv, modelDirFromEnv } from "./config.ts";
import { describeSampler, loadSampler } from "./sampler.ts";

const config = configFromEnv();
const modelDir = modelDirFromEnv();
const sampler = await loadSampler(modelDir);
console.log(`gan-edge: serving ${modelDir} ${describeSampler(sampler)}`);

export default {
  fetch: createApp(sampler, config, {
    log: config.accessLog ? (line) => console.log(line) : undefined,
  }).fetch,
} satisfies Deno.ServeDefaultExport;
