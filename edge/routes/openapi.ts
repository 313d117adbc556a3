/**
 * The API's description: `GET /openapi.json` for the default model, and
 * `GET /v1/models/{hash}/openapi.json` for each served model.
 *
 * @module
 */
import { Hono } from "hono";
import { ROUTES } from "../facts.ts";
import { type ModelEnv, modelOf, type ServedModel } from "../models.ts";
import { openapiDocument } from "../openapi.ts";
import { REVALIDATE } from "../cache.ts";

/**
 * `/openapi.json`, the default model's document (every route), and
 * `/v1/models/{hash}/openapi.json`, each model's own (its versioned routes
 * and the routes no model changes); each built once.
 */
export function openapiRoutes(models: readonly ServedModel[]) {
  const hashes = models.map((m) => m.facts.hash);
  const documents = new Map(
    models.map((m, i) => [m.facts.hash, openapiDocument(m.facts, { plain: i === 0, hashes })]),
  );
  const revalidate = { "Cache-Control": REVALIDATE };
  return new Hono<ModelEnv>()
    .get(ROUTES.openapi, (c) => c.json(documents.get(hashes[0]), 200, revalidate))
    .get(
      `${ROUTES.versioned}/openapi.json`,
      (c) => c.json(documents.get(modelOf(c).facts.hash), 200, revalidate),
    );
}
