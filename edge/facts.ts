/**
 * The API's facts for a served model, computed once at start-up: its hash,
 * latent length, classes, formats and limits, the routes (plain and
 * versioned), and the zod schemas built from them. Validation, the responses,
 * the OpenAPI document and the demo page (through `GET /v1/model`) all read
 * them from here, so they cannot disagree.
 *
 * @module
 */
import {
  type ApiModelFacts,
  interpolateQuerySchema,
  interpolateResponseSchema,
  largestSampleBody,
  MAX_STEPS,
  type ModelResponse,
  type ModelSummary,
  postQuerySchema,
  sampleBodySchema,
  sampleQuerySchema,
  sampleResponseSchema,
} from "@gan-edge/shared/api";
import type { EdgeConfig } from "./config.ts";
import type { Sampler } from "./sampler.ts";

/** The routes, as Hono paths; `{hash}` routes are the versioned ones. */
export const ROUTES = {
  sample: "/v1/sample",
  interpolate: "/v1/interpolate",
  model: "/v1/model",
  /** Every served model. */
  models: "/v1/models",
  /** One model's metadata, and the prefix of its routes; its seeded responses are immutable. */
  versioned: "/v1/models/:hash",
  health: "/healthz",
  ready: "/readyz",
  metrics: "/metrics",
  openapi: "/openapi.json",
} as const;

/** Everything the API says or checks about a served model. */
export interface ApiFacts extends ApiModelFacts {
  /** The model's SHA-256 (model.json and shards): names it in versioned URLs. */
  hash: string;
  /** The training data set's name, the API's title. */
  title: string;
  /** Shape of one sample. */
  sampleShape: readonly number[];
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  /** `/v1/models/{hash}`: the prefix of this model's versioned routes. */
  versionedBase: string;
  /** `GET /v1/model`'s body (and `GET /v1/models/{hash}`'s). */
  model: ModelResponse;
  /** This model's entry in `GET /v1/models`. */
  summary: ModelSummary;
  /** The request and response schemas, built once for this model. */
  schemas: {
    sampleQuery: ReturnType<typeof sampleQuerySchema>;
    interpolateQuery: ReturnType<typeof interpolateQuerySchema>;
    postQuery: ReturnType<typeof postQuerySchema>;
    sampleBody: ReturnType<typeof sampleBodySchema>;
    sampleResponse: ReturnType<typeof sampleResponseSchema>;
    interpolateResponse: ReturnType<typeof interpolateResponseSchema>;
  };
}

/** The facts of `sampler` served under `config`. */
export function apiFacts(sampler: Sampler, config: EdgeConfig): ApiFacts {
  const { metadata, hash, sampleShape } = sampler;
  const facts: ApiModelFacts = {
    dim: metadata.latent.dim,
    ...(sampler.classNames ? { classNames: sampler.classNames } : {}),
    formats: metadata.output.kind === "image" ? ["json", "png"] : ["json", "svg"],
    maxN: config.maxN,
    ...(metadata.output.kind === "image"
      ? { imagePixels: metadata.output.height * metadata.output.width }
      : {}),
  };
  const versionedBase = ROUTES.versioned.replace(":hash", hash);
  return {
    ...facts,
    hash,
    title: metadata.training.dataset,
    sampleShape,
    maxBodyBytes: config.maxBodyBytes ?? largestSampleBody(facts),
    versionedBase,
    model: {
      ...metadata,
      hash,
      api: {
        formats: [...facts.formats],
        maxN: facts.maxN,
        maxSteps: MAX_STEPS,
        sample: `${versionedBase}/sample`,
        interpolate: `${versionedBase}/interpolate`,
        openapi: `${versionedBase}/openapi.json`,
      },
    },
    summary: {
      hash,
      dataset: metadata.training.dataset,
      kind: metadata.output.kind,
      sampleShape: [...sampleShape],
      latentDim: metadata.latent.dim,
      ...(metadata.classNames ? { classNames: metadata.classNames } : {}),
      quantization: metadata.quantization,
      links: {
        self: versionedBase,
        sample: `${versionedBase}/sample`,
        interpolate: `${versionedBase}/interpolate`,
        openapi: `${versionedBase}/openapi.json`,
      },
    },
    schemas: {
      sampleQuery: sampleQuerySchema(facts),
      interpolateQuery: interpolateQuerySchema(facts),
      postQuery: postQuerySchema(facts),
      sampleBody: sampleBodySchema(facts),
      sampleResponse: sampleResponseSchema(facts, sampleShape),
      interpolateResponse: interpolateResponseSchema(facts, sampleShape),
    },
  };
}
