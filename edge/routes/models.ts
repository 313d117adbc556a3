/**
 * `GET /v1/models` (every served model, the default first: hash, data set,
 * kind, shapes, classes, quantization, links) and `GET /v1/models/{hash}`
 * (one model's metadata, as `GET /v1/model` gives the default's). Both are
 * revalidated, since a redeploy changes them.
 *
 * @module
 */
import { Hono } from "hono";
import { REVALIDATE } from "../cache.ts";
import { ROUTES } from "../facts.ts";
import { type ModelEnv, modelOf, modelsList, type ServedModel } from "../models.ts";

/** The model listing for `models`; the versioned route's model is set by models.ts's byHash. */
export function modelsRoutes(models: readonly ServedModel[]) {
  const list = modelsList(models);
  const revalidate = { "Cache-Control": REVALIDATE };
  return new Hono<ModelEnv>()
    .get(ROUTES.models, (c) => c.json(list, 200, revalidate))
    .get(ROUTES.versioned, (c) => c.json(modelOf(c).facts.model, 200, revalidate));
}
