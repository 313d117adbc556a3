/**
 * The OpenAPI 3.1 description of every route, built for the served model
 * (its latent length, classes, formats) and limits. A test checks that it
 * names every route the app mounts and every parameter the schemas accept.
 *
 * @module
 */
import {
  type ApiModelFacts,
  DEFAULT_STEPS,
  LATENT_BOUND,
  MAX_STEPS,
  MAX_TRUNCATION,
} from "@gan-edge/shared/api";
import { MAX_SEED } from "@gan-edge/shared/prng";
import { MEDIA_TYPES } from "./negotiate.ts";

type Json = Record<string, unknown>;

const param = (
  name: string,
  description: string,
  schema: Json,
  required = false,
): Json => ({ name, in: "query", required, description, schema });

const problem = (description: string): Json => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

/** The OpenAPI document for a model described by `facts`. */
export function openapiDocument(facts: ApiModelFacts, title: string): Json {
  const seed = { type: "integer", minimum: 0, maximum: MAX_SEED };
  const format = param(
    "format",
    "Response format; when absent, chosen from the Accept header (JSON by default).",
    { type: "string", enum: facts.formats },
  );
  const cls = param(
    "class",
    facts.classNames
      ? `Class index or exact name: ${facts.classNames.join(", ")}.`
      : "Refused: this model is not conditional.",
    { type: "string" },
  );
  const truncation = param(
    "truncation",
    "Truncation trick by clipping: every latent coordinate with |z| > T becomes ±T.",
    { type: "number", exclusiveMinimum: 0, maximum: MAX_TRUNCATION },
  );
  const media = Object.fromEntries(
    facts.formats.map((f) => [MEDIA_TYPES[f], {}]),
  );
  const samples = (what: string): Json => ({
    description: what,
    headers: {
      "X-Seed": { description: "The seed used (drawn when none was given).", schema: seed },
      ETag: { description: "From (model hash, normalised parameters); absent for random seeds." },
    },
    content: media,
  });
  const errors = {
    "304": { description: "Not modified (If-None-Match matched the ETag)." },
    "400": problem("Bad parameter; `param` names it."),
    "429": problem("Rate limit reached; see Retry-After."),
  };
  return {
    openapi: "3.1.0",
    info: {
      title: `gan-edge: ${title}`,
      version: "1.0.0",
      description: "G(z) of a GAN from seeds or user latents.",
    },
    paths: {
      "/v1/sample": {
        get: {
          summary: "Samples from a seed, or from one user latent z.",
          parameters: [
            param(
              "seed",
              "Seed of the shared PRNG; random (and returned in X-Seed, not cached) when absent.",
              seed,
            ),
            param("n", `Number of samples (default 1).`, {
              type: "integer",
              minimum: 1,
              maximum: facts.maxN,
            }),
            param(
              "z",
              `One latent of ${facts.dim} values (|v| ≤ ${LATENT_BOUND}): a comma list, or base64url of little-endian float32. Excludes seed and n.`,
              { type: "string" },
            ),
            format,
            cls,
            truncation,
          ],
          responses: {
            "200": samples("n samples: an image or grid (PNG), a scatter plot (SVG) or JSON."),
            ...errors,
          },
        },
        post: {
          summary: "A batch of user latents, run as one forward pass.",
          parameters: [format, truncation],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/SampleBody" } },
            },
          },
          responses: {
            "200": samples("One sample per latent."),
            "400": errors["400"],
            "413": problem("Body larger than the limit."),
            "415": problem("Body not application/json."),
            "429": errors["429"],
          },
        },
      },
      "/v1/interpolate": {
        get: {
          summary: "Slerp between two seeds' latents: a PNG strip, an SVG path or JSON.",
          parameters: [
            param("from", "Seed of the first latent.", seed, true),
            param("to", "Seed of the last latent.", seed, true),
            param("steps", `Frames, both ends included (default ${DEFAULT_STEPS}).`, {
              type: "integer",
              minimum: 2,
              maximum: MAX_STEPS,
            }),
            format,
            cls,
            truncation,
          ],
          responses: { "200": samples("steps samples along the path."), ...errors },
        },
      },
      "/v1/model": {
        get: {
          summary: "The model's metadata (shared schema) and hash.",
          responses: {
            "200": { description: "GanMetadata plus hash.", content: { "application/json": {} } },
          },
        },
      },
      "/healthz": {
        get: {
          summary: "Backend (wasm), SIMD, threads and model hash.",
          responses: { "200": { description: "Healthy.", content: { "application/json": {} } } },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document.",
          responses: {
            "200": { description: "OpenAPI 3.1.", content: { "application/json": {} } },
          },
        },
      },
      "/": {
        get: {
          summary: "The demo page.",
          responses: { "200": { description: "HTML.", content: { "text/html": {} } } },
        },
      },
      "/demo.js": {
        get: {
          summary: "The demo page's script.",
          responses: { "200": { description: "JavaScript.", content: { "text/javascript": {} } } },
        },
      },
      "/shared/latent_codec.js": {
        get: {
          summary:
            "The encoder of the `z` parameter (base64url of float32), which the demo page imports.",
          responses: { "200": { description: "JavaScript.", content: { "text/javascript": {} } } },
        },
      },
      "/demo.css": {
        get: {
          summary: "The demo page's style sheet.",
          responses: { "200": { description: "CSS.", content: { "text/css": {} } } },
        },
      },
    },
    components: {
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            param: { type: "string", description: "The offending parameter or body field." },
          },
        },
        SampleBody: {
          type: "object",
          additionalProperties: false,
          required: ["z"],
          properties: {
            z: {
              type: "array",
              minItems: 1,
              maxItems: facts.maxN,
              items: {
                type: "array",
                minItems: facts.dim,
                maxItems: facts.dim,
                items: { type: "number", minimum: -LATENT_BOUND, maximum: LATENT_BOUND },
              },
            },
            class: {
              type: "array",
              description: "One class index per latent (conditional models only).",
              items: {
                type: "integer",
                minimum: 0,
                maximum: Math.max(0, (facts.classNames?.length ?? 0) - 1),
              },
            },
          },
        },
      },
    },
  };
}
