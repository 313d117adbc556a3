/**
 * The bench's table and results.json: issue 7's targets, the rows (each a
 * median or a ratio of medians measured in the same run), the Markdown
 * table, and a check of results.json's shape. Pure functions, tested by
 * tests/bench/bench_test.ts.
 *
 * @module
 */

/** results.json's schema name; bump it when the shape changes. */
export const SCHEMA = "gan-edge-bench/1";

/** Issue 7's targets, by key (reported, never enforced). */
export const TARGETS = {
  dcgan_step: "≤ 1.5 (best CPU backend ÷ PyTorch CPU)",
  mlp_step: "≤ 1.0 (÷ PyTorch CPU)",
  gen_torch: "≤ 1.0 (DCGAN, batch 1, ÷ PyTorch CPU)",
  gen_ort: "≤ 1.0 (DCGAN, batch 1, ÷ onnxruntime-web 1 thread)",
  cold_start: "≤ 200 ms",
  memory_flat: "flat over 10,000 requests",
} as const;

/** One line of the table. */
export interface Row {
  section: string;
  measure: string;
  /** Our median (or value), in `unit`. */
  ours: number | null;
  unit: string;
  /** The peer this row compares with, if any. */
  peer?: string;
  peerValue?: number | null;
  /** ours ÷ peer (both medians from this run); > 1 means we are slower. */
  ratio?: number | null;
  target?: string;
  note?: string;
}

/** ours ÷ peer, or null when either is missing or the peer is 0. */
export function ratio(ours: number | null | undefined, peer: number | null | undefined) {
  if (
    ours == null || peer == null || !Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0
  ) {
    return null;
  }
  return ours / peer;
}

function fmt(x: number | null | undefined, unit = ""): string {
  if (x == null || !Number.isFinite(x)) return "—";
  if (x !== 0 && Math.abs(x) < 1e-3) return `${x.toExponential(2)}${unit ? " " + unit : ""}`;
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3;
  return `${x.toFixed(digits)}${unit ? " " + unit : ""}`;
}

/** The rows as a Markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const head = ["section", "measure", "ours", "peer", "peer value", "ratio", "target"];
  const lines = [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
  ];
  for (const r of rows) {
    const cells = [
      r.section,
      r.measure + (r.note ? ` (${r.note})` : ""),
      fmt(r.ours, r.unit),
      r.peer ?? "",
      r.peer ? fmt(r.peerValue, r.unit) : "",
      r.ratio == null ? "" : `${fmt(r.ratio)}×`,
      r.target ?? "",
    ];
    lines.push(`| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`);
  }
  return lines.join("\n");
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * The problems with a results.json object (empty when it has the shape the
 * bench writes): schema, machine with load averages at start and end,
 * versions, sections, and table rows.
 */
export function checkResults(r: unknown): string[] {
  const errors: string[] = [];
  if (!isObject(r)) return ["results: expected an object"];
  if (r.schema !== SCHEMA) errors.push(`schema: expected ${SCHEMA}, got ${String(r.schema)}`);
  if (typeof r.date !== "string") errors.push("date: expected a string");
  if (typeof r.command !== "string") errors.push("command: expected a string");
  const m = r.machine;
  if (!isObject(m)) errors.push("machine: expected an object");
  else {
    if (typeof m.cpu !== "string") errors.push("machine.cpu: expected a string");
    if (typeof m.cores !== "number") errors.push("machine.cores: expected a number");
    for (const k of ["loadavg_start", "loadavg_end"]) {
      const l = m[k];
      if (!Array.isArray(l) || l.length !== 3 || !l.every((x) => typeof x === "number")) {
        errors.push(`machine.${k}: expected 3 numbers`);
      }
    }
  }
  const v = r.versions;
  if (!isObject(v)) errors.push("versions: expected an object");
  else {
    for (const k of ["deno", "tfjs", "onnxruntime_web", "torch"]) {
      if (typeof v[k] !== "string" && v[k] !== null) {
        errors.push(`versions.${k}: expected a string or null`);
      }
    }
  }
  for (const k of ["trainer", "generator", "http", "memory"]) {
    if (!isObject(r[k])) errors.push(`${k}: expected an object`);
  }
  if (!Array.isArray(r.table)) errors.push("table: expected an array");
  else {
    r.table.forEach((row: unknown, i: number) => {
      if (!isObject(row)) return errors.push(`table[${i}]: expected an object`);
      if (typeof row.section !== "string" || typeof row.measure !== "string") {
        errors.push(`table[${i}]: expected section and measure strings`);
      }
      if (row.ours !== null && typeof row.ours !== "number") {
        errors.push(`table[${i}].ours: expected a number or null`);
      }
      if (typeof row.unit !== "string") errors.push(`table[${i}].unit: expected a string`);
      if ("ratio" in row && row.ratio !== null && typeof row.ratio !== "number") {
        errors.push(`table[${i}].ratio: expected a number or null`);
      }
    });
  }
  return errors;
}
