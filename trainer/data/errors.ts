/**
 * The one error type of the data layer, so the CLI can print its message
 * (which names the file and the problem) without a stack trace.
 *
 * @module
 */

/** Bad or missing training data; the message names the file and the problem. */
export class DataError extends Error {
  override name = "DataError";
}
