/**
 * Entry point for `deno serve` and Deno Deploy: `export default { fetch }`.
 * The models (MODEL_DIR: one folder, or several separated by commas, the
 * first the default) are loaded once, at start-up; a bad artifact or a bad
 * limit in the environment stops start-up with a message saying why.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { configFromEnv, modelDirsFromEnv } from "./config.ts";
import { describeSampler, loadSamplers } from "./sampler.ts";

const config = configFromEnv();
const modelDirs = modelDirsFromEnv();
const samplers = await loadSamplers(modelDirs);
samplers.forEach((sampler, i) =>
  console.log(`gan-edge: serving ${modelDirs[i]} ${describeSampler(sampler)}`)
);

export default {
  fetch: createApp(samplers, config, {
    log: config.accessLog ? (line) => console.log(line) : undefined,
  }).fetch,
} satisfies Deno.ServeDefaultExport;
