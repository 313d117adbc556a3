/**
 * `@gan-edge/shared`: the typed contract between trainer and edge — the
 * artifact schema, the seeded latent PRNG, quantization, the artifact codec
 * and the HTTP API's types. Shapes, rendering and the latent codec have their
 * own exports; the networks' builders live in the trainer and the wasm
 * kernels in `@gan-edge/kernels`.
 *
 * @module
 */
export * from "./schema.ts";
export * from "./prng.ts";
export * from "./quantize.ts";
export * from "./artifact.ts";
export * from "./api.ts";
