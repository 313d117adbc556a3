/**
 * `GET /openapi.json`: the API's description for the served model.
 *
 * @module
 */
import { Hono } from "hono";
import type { ApiModelFacts } from "@gan-edge/shared/api";
import { openapiDocument } from "../openapi.ts";

/** The OpenAPI route for a model described by `facts`. */
export function openapiRoutes(facts: ApiModelFacts, title: string) {
  const document = openapiDocument(facts, title);
  return new Hono().get(
    "/openapi.json",
    (c) => c.json(document, 200, { "Cache-Control": "public, max-age=300" }),
  );
}
