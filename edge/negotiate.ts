/**
 * Content negotiation: `format=` wins; otherwise the `Accept` header picks
 * among the formats the model can be rendered in. Each format takes the
 * quality of the most specific media range matching it (RFC 9110 §12.5.1);
 * the highest wins, JSON on ties and when nothing matches.
 *
 * @module
 */
import type { Format } from "@gan-edge/shared/api";

/** Media type of each format. */
export const MEDIA_TYPES: Record<Format, string> = {
  json: "application/json",
  png: "image/png",
  svg: "image/svg+xml",
};

/**
 * The response format for an explicit `format` (already validated) or an
 * `Accept` header. Falls back to JSON when Accept names nothing we serve
 * (RFC 9110 allows ignoring Accept rather than answering 406).
 */
export function negotiate(
  format: Format | undefined,
  accept: string | undefined,
  available: readonly Format[],
): Format {
  if (format) return format;
  const ranges = parseAccept(accept || "*/*");
  let best: Format = "json";
  let bestQ = quality(MEDIA_TYPES.json, ranges);
  for (const f of available) {
    const q = quality(MEDIA_TYPES[f], ranges);
    if (q > bestQ) [best, bestQ] = [f, q];
  }
  return best;
}

interface Range {
  type: string;
  q: number;
}

function parseAccept(accept: string): Range[] {
  return accept.split(",").map((part) => {
    const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const value = q ? Number(q.slice(2)) : 1;
    return { type, q: Number.isFinite(value) ? value : 0 };
  });
}

/** q of the most specific range matching `type`; 0 when none does. */
function quality(type: string, ranges: Range[]): number {
  const specificity = (r: string) =>
    r === type ? 3 : r === `${type.split("/")[0]}/*` ? 2 : r === "*/*" ? 1 : 0;
  let best = { s: 0, q: 0 };
  for (const r of ranges) {
    const s = specificity(r.type);
    if (s > best.s) best = { s, q: r.q };
  }
  return best.q;
}
