/**
 * Errors as RFC 9457 problem details (`application/problem+json`), built in
 * one place so that every route and middleware reports failures the same way.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Problem } from "@gan-edge/shared/api";

/** Thrown by validation and middleware; the app turns it into a response. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly title: string,
    override readonly message: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A 400 for parameter `param`; the detail starts with its name. */
export function badParam(param: string, detail: string): ProblemError {
  return new ProblemError(400, "Bad request", `${param}: ${detail}`, param);
}

/** A 413: the body is larger than `maxBytes`. */
export function bodyTooLarge(maxBytes: number): ProblemError {
  return new ProblemError(
    413,
    "Content too large",
    `body: larger than the limit of ${maxBytes} bytes`,
    "body",
  );
}

/**
 * A 408: the body did not arrive within `ms`. The connection is closed, as
 * RFC 9110 §15.5.9 asks, since the rest of the body may still be on its way.
 */
export function bodyTimedOut(ms: number): ProblemError {
  return new ProblemError(
    408,
    "Request timeout",
    `body: not received within ${ms} ms`,
    "body",
    { Connection: "close" },
  );
}

/** A 400: the body could not be read (broken chunked framing, aborted upload). */
export function unreadableBody(): ProblemError {
  return new ProblemError(
    400,
    "Bad request",
    "body: could not be read (malformed framing, or the upload was aborted)",
    "body",
  );
}

/** A 415: the body is not JSON. */
export function notJson(contentType: string | undefined): ProblemError {
  return new ProblemError(
    415,
    "Unsupported media type",
    `content-type: expected application/json, got ${
      contentType ? `"${contentType.slice(0, 60)}"` : "none"
    }`,
    "content-type",
  );
}

/**
 * A 429 with `Retry-After` (and the rate limit's own `headers`): the client
 * spent its requests for the window.
 */
export function tooManyRequests(
  retryAfterSeconds: number,
  headers: Record<string, string> = {},
): ProblemError {
  return new ProblemError(
    429,
    "Too many requests",
    `rate limit reached; retry in ${retryAfterSeconds} s`,
    undefined,
    { ...headers, "Retry-After": String(retryAfterSeconds) },
  );
}

/** A 504: the request ran past the configured timeout. */
export function timedOut(ms: number): HTTPException {
  return new HTTPException(504, { message: `request took longer than ${ms} ms` });
}

/**
 * A 404 for a versioned URL naming a model other than the served ones
 * (`served`): its samples cannot be made here (any more).
 */
export function unknownModel(hash: string, served: readonly string[]): ProblemError {
  const models = served.length === 1 ? `model ${served[0]}` : `models ${served.join(", ")}`;
  return new ProblemError(
    404,
    "Not found",
    `hash: this server serves ${models}, not ${hash.slice(0, 64)}; see GET /v1/models`,
    "hash",
  );
}

/** A 404 for a path no route serves. */
export function notFound(method: string, path: string): ProblemError {
  return new ProblemError(
    404,
    "Not found",
    `no route for ${method} ${path.slice(0, 200)}`,
  );
}

/** A 405 with `Allow`: `path` is served, but not under `method`. */
export function methodNotAllowed(method: string, path: string, allowed: string[]): ProblemError {
  const allow = allowed.join(", ");
  return new ProblemError(
    405,
    "Method not allowed",
    `${method.slice(0, 20)} is not allowed on ${path.slice(0, 200)}; allowed: ${allow}`,
    undefined,
    { Allow: allow },
  );
}

/**
 * The problem for any error: a ProblemError as it is, a Hono HTTPException
 * (timeout, malformed JSON) with its status, anything else as a 500 whose
 * detail reveals nothing.
 */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return status === 400
      ? badParam("body", "not valid JSON")
      : new ProblemError(status, error.res?.statusText || "Error", error.message);
  }
  return new ProblemError(
    500,
    "Internal error",
    "the server failed; see its log",
  );
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
    ...error.headers,
    "Content-Type": "application/problem+json",
    "Cache-Control": "no-store",
  });
}
