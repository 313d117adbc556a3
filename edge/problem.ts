/**
 * Errors as RFC 9457 problem details (`application/problem+json`), built in
 * one place so that every route reports bad input the same way.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A problem body; `param` names the offending parameter when there is one. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  param?: string;
}

/** Thrown by validation; the app turns it into a problem response. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly title: string,
    override readonly message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

/** A 400 for parameter `param`. */
export function badParam(param: string, detail: string): ProblemError {
  return new ProblemError(400, "Bad request", `${param}: ${detail}`, param);
}

/** The problem+json response for `error`. */
export function problemResponse(c: Context, error: ProblemError): Response {
  const body: Problem = {
    type: "about:blank",
    title: error.title,
    status: error.status,
    detail: error.message,
    ...(error.param ? { param: error.param } : {}),
  };
  return c.body(JSON.stringify(body), error.status, {
    "Content-Type": "application/problem+json",
  });
}
