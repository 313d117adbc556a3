/**
 * Validation middleware: checks a route's query or JSON body against a
 * shared zod schema, the one of the model the request is for, before the
 * handler runs, so a handler only ever sees valid input. Every failure
 * becomes a 4xx problem naming the parameter.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import { validator } from "hono/validator";
import type { z } from "zod";
import type { ApiFacts } from "./facts.ts";
import { modelOf } from "./models.ts";
import { badParam, notJson } from "./problem.ts";

/** The schemas of a served model. */
type Schemas = ApiFacts["schemas"];

/**
 * Query validator for the schema `pick` takes from the schemas of the model
 * the request is for ({@link modelOf}); duplicates and unknown names are errors.
 */
export function validQuery<S extends z.ZodObject>(pick: (schemas: Schemas) => S) {
  return validator("query", (query, c): z.output<S> => {
    const schema = pick(modelOf(c).facts.schemas);
    for (const [name, value] of Object.entries(query)) {
      if (Array.isArray(value) && value.length > 1) {
        throw badParam(name, "given more than once");
      }
    }
    const result = schema.safeParse(query);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    if (issue.code === "unrecognized_keys") {
      const names = issue.keys.map((k) => k.slice(0, 40)).join(", ");
      throw badParam(
        issue.keys[0].slice(0, 40),
        `unknown parameter${issue.keys.length > 1 ? "s" : ""} ${names}; allowed: ${
          Object.keys(schema.shape).join(", ")
        }`,
      );
    }
    throw badParam(issue.path.map(String).join("."), issue.message);
  });
}

/**
 * Refuses a body that is not `application/json` (415) or does not parse
 * (400 naming `body`). Hono's own JSON validator would read such a body as
 * `{}`, which would blame the wrong thing.
 */
export const jsonBody = createMiddleware(async (c, next) => {
  const type = c.req.header("content-type");
  const media = type?.split(";")[0].trim().toLowerCase();
  if (media !== "application/json") throw notJson(type);
  try {
    await c.req.json();
  } catch {
    throw badParam("body", "not valid JSON");
  }
  await next();
});

/**
 * JSON body validator for the schema `pick` takes from the request's model
 * (put {@link jsonBody} before it). The problem names the top-level field;
 * its detail gives the full path, as in `z: z.3: expected an array of 8 numbers`.
 */
export function validJson<S extends z.ZodType>(pick: (schemas: Schemas) => S) {
  return validator("json", (body, c): z.output<S> => {
    const schema = pick(modelOf(c).facts.schemas);
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    if (issue.code === "unrecognized_keys") {
      throw badParam(
        issue.keys[0].slice(0, 40),
        `unknown field; allowed: ${
          Object.keys((schema as unknown as z.ZodObject).shape ?? {}).join(", ")
        }`,
      );
    }
    const path = issue.path.map(String);
    const where = path.length > 1 ? `${path.join(".")}: ` : "";
    throw badParam(path[0] ?? "body", `${where}${issue.message}`);
  });
}
