/**
 * Validation middleware: checks a route's query against a shared zod schema
 * before the handler runs, so a handler only ever sees valid input. Every
 * failure becomes a 400 problem naming the parameter.
 *
 * @module
 */
import { validator } from "hono/validator";
import type { z } from "zod";
import { badParam } from "./problem.ts";

/** Query validator for `schema`; duplicates and unknown names are errors. */
export function validQuery<S extends z.ZodObject>(schema: S) {
  const allowed = Object.keys(schema.shape);
  return validator("query", (query): z.output<S> => {
    for (const [name, value] of Object.entries(query)) {
      if (Array.isArray(value) && value.length > 1) {
        throw badParam(name, "given more than once");
      }
    }
    const result = schema.safeParse(query);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    if (issue.code === "unrecognized_keys") {
      const names = issue.keys.join(", ");
      throw badParam(
        issue.keys[0],
        `unknown parameter${
          issue.keys.length > 1 ? "s" : ""
        } ${names}; allowed: ${allowed.join(", ")}`,
      );
    }
    throw badParam(issue.path.map(String).join("."), issue.message);
  });
}
