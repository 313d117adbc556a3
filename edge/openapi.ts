/**
 * The OpenAPI 3.1 document of the API for a served model, generated from
 * the zod schemas that the routes validate with and the response schemas
 * (zod 4's `z.toJSONSchema`, output side: what a query value parses to).
 * Written here: only the summaries and the HTTP facts, statuses and headers,
 * whose values come from the same constants the routes send. A test checks
 * that it names every mounted route and lints it with Redocly's rules.
 *
 * @module
 */
import { z } from "zod";
import {
  MEDIA_TYPES,
  ModelResponseSchema,
  ModelsResponseSchema,
  ProblemSchema,
} from "@gan-edge/shared/api";
import { MAX_SEED } from "@gan-edge/shared/prng";
import { IMMUTABLE, NO_STORE, REVALIDATE, VARY } from "./cache.ts";
import { type ApiFacts, ROUTES } from "./facts.ts";
import { HealthSchema } from "./routes/meta.ts";
import { pageRouteDocs } from "./routes/page.ts";
import { ReadySchema } from "./routes/ops.ts";

type Json = Record<string, unknown>;

const OPTIONS = { io: "output", unrepresentable: "any" } as const;

/** `schema` as OpenAPI 3.1 embeds a JSON Schema (2020-12, without `$schema`). */
function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, OPTIONS);
  return rest;
}

/** One query parameter per key of `schema`, its description lifted out of its schema. */
function queryParameters(schema: z.ZodObject): Json[] {
  const json = jsonSchema(schema) as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties).map(([name, { description, ...schema }]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    description,
    schema,
  }));
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

const problem = (description: string, headers?: Json): Json => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/problem+json": { schema: ref("Problem") } },
});

const header = (description: string, schema: Json): Json => ({ description, schema });

/** The versioned prefix as OpenAPI writes a path: `/v1/models/{hash}`. */
const VERSIONED = ROUTES.versioned.replace(/:(\w+)/g, "{$1}");

/** `getEdgePageFile` for `/edge/page/{file}`; `getPage` for `/`. */
function pageOperationId(path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return "get" + (words.length === 0 ? ["page"] : words)
    .map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

/** What a document covers besides its model. */
export interface DocumentScope {
  /** Whether the model is the default, served by the plain routes too. */
  plain: boolean;
  /** Every served model's hash. */
  hashes: readonly string[];
}

/**
 * The OpenAPI document for the model described by `facts`: its versioned
 * routes, the plain ones when it is the default (`scope.plain`), and the
 * routes no model changes (listing, health, page).
 */
export function openapiDocument(
  facts: ApiFacts,
  scope: DocumentScope = { plain: true, hashes: [facts.hash] },
): Json {
  const { schemas } = facts;
  const registry = z.registry<{ id: string }>();
  registry.add(ProblemSchema, { id: "Problem" });
  registry.add(schemas.sampleBody, { id: "SampleBody" });
  registry.add(schemas.sampleResponse, { id: "SampleResponse" });
  registry.add(schemas.interpolateResponse, { id: "InterpolateResponse" });
  registry.add(ModelResponseSchema, { id: "Model" });
  registry.add(ModelsResponseSchema, { id: "Models" });
  registry.add(HealthSchema, { id: "Health" });
  registry.add(ReadySchema, { id: "Ready" });
  const components = z.toJSONSchema(registry, {
    ...OPTIONS,
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas;
  // Each component is named by its key; `$schema` and `$id` would only repeat that.
  for (const schema of Object.values(components)) {
    delete schema.$schema;
    delete schema.$id;
  }

  /** The path parameter naming this document's model, whose parameters it gives. */
  const hash = {
    name: "hash",
    in: "path",
    required: true,
    description: "This document's model. Each served model's routes take its own parameters, " +
      "documented at /v1/models/{hash}/openapi.json (GET /v1/models lists them); " +
      "any other hash is a 404.",
    schema: { type: "string", enum: [facts.hash] },
  };
  /** The path parameter naming any served model. */
  const anyHash = {
    ...hash,
    description: "A served model's hash (GET /v1/models lists them); any other is a 404.",
    schema: { type: "string", enum: [...scope.hashes] },
  };
  const rateLimited = problem("Rate limit reached; see Retry-After.", {
    "Retry-After": header("Seconds until the window resets.", { type: "integer" }),
    "RateLimit-Limit": header("Requests allowed per window.", { type: "integer" }),
    "RateLimit-Remaining": header("Requests left in this window: 0.", { type: "integer" }),
    "RateLimit-Reset": header("Seconds until the window resets.", { type: "integer" }),
    "RateLimit-Policy": header("The limit and window, as `limit;w=seconds`.", {
      type: "string",
    }),
  });
  /** The 200 of a samples route: a JSON body of `id`, or PNG, or SVG. */
  const samples = (description: string, id: string, headers: Json): Json => ({
    description,
    headers,
    content: Object.fromEntries(facts.formats.map((f) => [
      MEDIA_TYPES[f],
      f === "json" ? { schema: ref(id) } : f === "svg" ? { schema: { type: "string" } } : {},
    ])),
  });
  /** How a samples body varies and travels: format from Accept, compression (app.ts). */
  const transport: Json = {
    Vary: header(
      "The format may come from Accept; a JSON or SVG body may be compressed (Accept-Encoding).",
      { type: "string", enum: [VARY] },
    ),
    "Content-Encoding": header(
      "gzip or deflate when Accept-Encoding asks for it, on JSON and SVG bodies; never on PNG.",
      { type: "string", enum: ["gzip", "deflate"] },
    ),
  };
  /** The caching headers of a GET samples route (cache.ts). */
  const caching = (versioned: boolean, random: boolean): Json => ({
    "Cache-Control": header(
      versioned
        ? "Immutable: the URL names the model."
        : "Revalidated on every use, since a redeploy changes the answer (ETag).",
      { type: "string", enum: [versioned ? IMMUTABLE : REVALIDATE, ...random ? [NO_STORE] : []] },
    ),
    ETag: header(
      `From (model hash, normalised parameters)${random ? "; absent for random seeds" : ""}.`,
      { type: "string" },
    ),
    "Content-Location": header(
      "The versioned URL of this response, its parameters in a fixed order (immutable there).",
      { type: "string" },
    ),
    ...transport,
  });
  const notModified = {
    description: "Not modified: If-None-Match named the ETag (the model did not run).",
    headers: { ETag: header("The response's ETag.", { type: "string" }) },
  };
  const badRequest = problem("Bad parameter; `param` names it.");
  const wrongModel = problem("`hash` names a model this server does not serve.");

  const sampleGet = (versioned: boolean): Json => ({
    operationId: versioned ? "getModelSample" : "getSample",
    summary: versioned
      ? "Samples from one model: seeded responses are immutable."
      : "Samples from a seed, or from one user latent z.",
    parameters: [
      ...(versioned ? [hash] : []),
      ...queryParameters(schemas.sampleQuery),
    ],
    responses: {
      "200": samples(
        "n samples: an image or grid (PNG), a scatter plot (SVG) or JSON.",
        "SampleResponse",
        {
          "X-Seed": header("The seed used (drawn when none was given).", {
            type: "integer",
            minimum: 0,
            maximum: MAX_SEED,
          }),
          ...caching(versioned, true),
        },
      ),
      "304": notModified,
      "400": badRequest,
      ...(versioned ? { "404": wrongModel } : {}),
      "429": rateLimited,
    },
  });
  const samplePost = (versioned: boolean): Json => ({
    operationId: versioned ? "postModelSample" : "postSample",
    summary: "A batch of user latents, run as one forward pass (never cached).",
    parameters: [...(versioned ? [hash] : []), ...queryParameters(schemas.postQuery)],
    requestBody: { required: true, content: { "application/json": { schema: ref("SampleBody") } } },
    responses: {
      "200": samples("One sample per latent.", "SampleResponse", {
        "Cache-Control": header("Never stored.", { type: "string", enum: [NO_STORE] }),
        ...transport,
      }),
      "400": badRequest,
      ...(versioned ? { "404": wrongModel } : {}),
      "413": problem("Body larger than the limit."),
      "415": problem("Body not application/json."),
      "429": rateLimited,
    },
  });
  const interpolateGet = (versioned: boolean): Json => ({
    operationId: versioned ? "getModelInterpolation" : "getInterpolation",
    summary: "Slerp between two seeds' latents: a PNG strip, an SVG path or JSON.",
    parameters: [...(versioned ? [hash] : []), ...queryParameters(schemas.interpolateQuery)],
    responses: {
      "200": samples("`steps` samples along the path.", "InterpolateResponse", {
        ...caching(versioned, false),
      }),
      "304": notModified,
      "400": badRequest,
      ...(versioned ? { "404": wrongModel } : {}),
      "429": rateLimited,
    },
  });
  /** A GET route with one kind of body and no parameters; `limited` by the rate limit. */
  const plain = (
    operationId: string,
    summary: string,
    type: string,
    schema?: Json,
    limited = true,
  ): Json => ({
    get: {
      operationId,
      summary,
      responses: {
        "200": { description: summary, content: { [type]: schema ? { schema } : {} } },
        ...(limited ? { "429": rateLimited } : {}),
      },
    },
  });

  /** A GET route of any served model, named by `hash`, with a JSON body of `schema`. */
  const byHash = (operationId: string, summary: string, schema: Json): Json => ({
    get: {
      operationId,
      summary,
      parameters: [anyHash],
      responses: {
        "200": { description: summary, content: { "application/json": { schema } } },
        "404": wrongModel,
        "429": rateLimited,
      },
    },
  });

  return {
    openapi: "3.1.0",
    info: {
      title: `gan-edge: ${facts.title}`,
      version: "1.0.0",
      description: `G(z) of a GAN from seeds or user latents; model ${facts.hash}.`,
    },
    servers: [{ url: "/" }],
    security: [],
    paths: {
      ...(scope.plain
        ? {
          [ROUTES.sample]: { get: sampleGet(false), post: samplePost(false) },
          [ROUTES.interpolate]: { get: interpolateGet(false) },
          [ROUTES.model]: plain(
            "getModel",
            "The default model's metadata, hash, formats, limits and versioned routes.",
            "application/json",
            ref("Model"),
          ),
        }
        : {}),
      [`${VERSIONED}/sample`]: { get: sampleGet(true), post: samplePost(true) },
      [`${VERSIONED}/interpolate`]: { get: interpolateGet(true) },
      [ROUTES.models]: plain(
        "getModels",
        "Every served model (the default first): hash, data set, shapes, classes, " +
          "quantization and links.",
        "application/json",
        ref("Models"),
      ),
      [VERSIONED]: byHash(
        "getModelByHash",
        "One model's metadata, hash, formats, limits and versioned routes.",
        ref("Model"),
      ),
      [`${VERSIONED}/openapi.json`]: byHash(
        "getModelOpenapi",
        "One model's API description: its versioned routes with its own parameters.",
        { type: "object" },
      ),
      [ROUTES.health]: plain(
        "getHealth",
        "Backend (wasm), SIMD, threads and model hash; never rate-limited.",
        "application/json",
        ref("Health"),
        false,
      ),
      [ROUTES.ready]: {
        get: {
          operationId: "getReady",
          summary: "Readiness: 200 while taking traffic, 503 while draining; never rate-limited.",
          responses: {
            "200": {
              description: "Ready.",
              content: { "application/json": { schema: ref("Ready") } },
            },
            "503": {
              description: "Draining before a stop.",
              content: { "application/json": { schema: ref("Ready") } },
            },
          },
        },
      },
      [ROUTES.metrics]: plain(
        "getMetrics",
        "Prometheus metrics (text format 0.0.4): requests, latency, forward passes, tensors, memory; never rate-limited.",
        "text/plain",
        undefined,
        false,
      ),
      [ROUTES.openapi]: plain(
        "getOpenapi",
        "The default model's API description (every route).",
        "application/json",
        { type: "object" },
      ),
      ...Object.fromEntries(
        pageRouteDocs(scope.hashes, ["model.json", ...facts.model.shards.map((s) => s.path)]).map((
          doc,
        ) => [doc.path, {
          get: {
            operationId: pageOperationId(doc.path),
            summary: doc.summary,
            ...(Object.keys(doc.params).length > 0
              ? {
                parameters: Object.entries(doc.params).map(([name, values]) => ({
                  name,
                  in: "path",
                  required: true,
                  schema: { type: "string", enum: values },
                })),
              }
              : {}),
            responses: {
              "200": {
                description: doc.summary,
                content: Object.fromEntries(doc.types.map((t) => [t.split(";")[0], {}])),
              },
              ...(Object.keys(doc.params).length > 0 ? { "404": problem("No such file.") } : {}),
              "429": rateLimited,
            },
          },
        }]),
      ),
    },
    components: { schemas: components },
  };
}
