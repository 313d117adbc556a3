/**
 * `GET /openapi.json`: the API's description for the served model.
 *
 * @module
 */
import { Hono } from "hono";
import { type ApiFacts, ROUTES } from "../facts.ts";
import { openapiDocument } from "../openapi.ts";
import { REVALIDATE } from "../cache.ts";

/** The OpenAPI route for the model of `facts`. */
export function openapiRoutes(facts: ApiFacts) {
  const document = openapiDocument(facts);
  return new Hono().get(
    ROUTES.openapi,
    (c) => c.json(document, 200, { "Cache-Control": REVALIDATE }),
  );
}
