/**
 * Entry point for `deno serve` and Deno Deploy: `export default { fetch }`.
 * The model is loaded once, at start-up; a bad artifact stops start-up.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { modelDirFromEnv } from "./config.ts";
import { loadSampler } from "./sampler.ts";

const sampler = await loadSampler(modelDirFromEnv());
console.log(
  `gan-edge: model ${
    sampler.hash.slice(0, 12)
  } (${sampler.metadata.training.dataset}, ` +
    `${sampler.metadata.quantization}) on ${sampler.backend.backend}, SIMD ${
      sampler.backend.simd ? "on" : "off"
    }`,
);

export default {
  fetch: createApp(sampler).fetch,
} satisfies Deno.ServeDefaultExport;
