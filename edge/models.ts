/**
 * The models one server serves: each loaded sampler with its API facts. The
 * first is the default, which the plain routes (`/v1/sample`, …) serve; every
 * one is reachable under its versioned routes, `/v1/models/{hash}/…`. A
 * route reads the model its request is for from the context ({@link modelOf}),
 * set by {@link forModel} on plain routes and {@link byHash} on versioned ones,
 * so one route module serves every model.
 *
 * @module
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ModelsResponse } from "@gan-edge/shared/api";
import type { EdgeConfig } from "./config.ts";
import { type ApiFacts, apiFacts } from "./facts.ts";
import { unknownModel } from "./problem.ts";
import type { Sampler } from "./sampler.ts";

/** A served model: its generator and what the API says about it. */
export interface ServedModel {
  sampler: Sampler;
  facts: ApiFacts;
}

/** The Hono environment of routes that serve a model. */
export type ModelEnv = { Variables: { model: ServedModel } };

/**
 * The models of `samplers` served under `config`, the first the default.
 * Throws when there is none, or when two are the same model (one hash).
 */
export function servedModels(samplers: readonly Sampler[], config: EdgeConfig): ServedModel[] {
  if (samplers.length === 0) throw new Error("no model to serve");
  const seen = new Set<string>();
  for (const { hash } of samplers) {
    if (seen.has(hash)) throw new Error(`model ${hash} is given twice`);
    seen.add(hash);
  }
  return samplers.map((sampler) => ({ sampler, facts: apiFacts(sampler, config) }));
}

/** The model the request of `c` is for. */
export function modelOf(c: Context<ModelEnv>): ServedModel {
  return c.get("model");
}

/** Middleware giving every request the model `model`: a plain route's. */
export function forModel(model: ServedModel) {
  return createMiddleware<ModelEnv>(async (c, next) => {
    c.set("model", model);
    await next();
  });
}

/**
 * Middleware giving a request the model its `hash` path parameter names;
 * any other hash is a 404 naming the served ones.
 */
export function byHash(models: readonly ServedModel[]) {
  const map = new Map(models.map((model) => [model.facts.hash, model]));
  return createMiddleware<ModelEnv>(async (c, next) => {
    const hash = c.req.param("hash") ?? "";
    const model = map.get(hash);
    if (!model) throw unknownModel(hash, [...map.keys()]);
    c.set("model", model);
    await next();
  });
}

/** `GET /v1/models`'s body: every served model, the default first. */
export function modelsList(models: readonly ServedModel[]): ModelsResponse {
  return {
    default: models[0].facts.hash,
    models: models.map((model) => model.facts.summary),
  };
}
