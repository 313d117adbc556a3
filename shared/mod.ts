/**
 * `@gan-edge/shared`: the typed contract between trainer and edge — the
 * artifact schema, the seeded latent PRNG, quantization and the artifact
 * codec. Architecture builders (which pull in tfjs-layers) are exported
 * separately as `@gan-edge/shared/architectures`.
 *
 * @module
 */
export * from "./schema.ts";
export * from "./prng.ts";
export * from "./quantize.ts";
export * from "./artifact.ts";
export * from "./api.ts";
