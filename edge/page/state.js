// @ts-check
/**
 * The demo page's state and its permalink. Everything a visitor sets (seed,
 * class, truncation, an edited latent, the interpolation's end and steps)
 * lives in the query string, under the API's own parameter names, so that a
 * link reproduces the page. Pure functions: the page and the unit tests
 * (tests/e2e/page_state_test.ts) import them.
 *
 * @module
 */
import { decodeLatent, encodeLatent } from "../../shared/latent_codec.js";

/**
 * @typedef {object} PageState
 * @property {string | null} model the served model's hash, or null for the default
 * @property {number} seed the seed of the gallery, the editor's starting latent and the interpolation's start
 * @property {number | null} cls a class index (conditional models), or null for every class in turn
 * @property {number | null} truncation the truncation threshold, or null for none
 * @property {Float32Array | null} z the editor's latent when edited, or null for the seed's own
 * @property {number} to the interpolation's last seed
 * @property {number} steps the interpolation's frames
 */

/**
 * @typedef {object} ModelFacts
 * @property {number} dim latent entries
 * @property {number} classes class count (0 for an unconditional model)
 * @property {number} maxSteps most interpolation frames the API serves
 */

/** Largest seed (the shared PRNG's seeds are uint32). */
export const MAX_SEED = 0xffffffff;
/** Largest truncation threshold the API accepts. */
export const MAX_TRUNCATION = 100;

/** @type {PageState} */
export const DEFAULT_STATE = Object.freeze({
  model: null,
  seed: 42,
  cls: null,
  truncation: null,
  z: null,
  to: 43,
  steps: 8,
});

/**
 * An integer in [min, max] from `text`, or a message.
 * @param {string} text
 * @param {number} min
 * @param {number} max
 * @returns {number | string}
 */
function integer(text, min, max) {
  const value = Number(text);
  return /^\d{1,10}$/.test(text) && value >= min && value <= max
    ? value
    : `expected an integer in [${min}, ${max}], got "${clip(text)}"`;
}

/** @param {string} text */
function clip(text) {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}

/**
 * The state in `query` (a URL's search string) for the model `facts`. A
 * parameter that is not valid keeps its default and is named in `problems`,
 * so the page can say what of a link it ignored; unknown parameters are
 * ignored too. `model` is only checked for its form here: whether the
 * server serves it, the page checks against GET /v1/models.
 *
 * @param {string} query
 * @param {ModelFacts} facts
 * @returns {{ state: PageState, problems: string[] }}
 */
export function readState(query, facts) {
  const params = new URLSearchParams(query);
  /** @type {PageState} */
  const state = { ...DEFAULT_STATE };
  /** @type {string[]} */
  const problems = [];
  /**
   * @param {string} name
   * @param {(text: string) => number | Float32Array | { hash: string } | string} parse
   * @param {(value: any) => void} set
   */
  const take = (name, parse, set) => {
    const text = params.get(name);
    if (text === null) return;
    const value = parse(text);
    if (typeof value === "string") problems.push(`${name}: ${value}`);
    else set(value);
  };
  take(
    "model",
    // An object, since a string from a parser is its complaint.
    (t) =>
      /^[0-9a-f]{64}$/.test(t)
        ? { hash: t }
        : `expected a model's hash (64 hex digits), got "${clip(t)}"`,
    (v) => state.model = v.hash,
  );
  take("seed", (t) => integer(t, 0, MAX_SEED), (v) => state.seed = v);
  take(
    "class",
    (t) => facts.classes > 0 ? integer(t, 0, facts.classes - 1) : "this model has no classes",
    (v) => state.cls = v,
  );
  take("truncation", (t) => {
    const v = Number(t);
    return /^\d{1,3}(\.\d{1,6})?$/.test(t) && v > 0 && v <= MAX_TRUNCATION
      ? v
      : `expected a decimal number in (0, ${MAX_TRUNCATION}], got "${clip(t)}"`;
  }, (v) => state.truncation = v);
  take("z", (t) => decodeLatent(t, facts.dim), (v) => state.z = v);
  take("to", (t) => integer(t, 0, MAX_SEED), (v) => state.to = v);
  take("steps", (t) => integer(t, 2, facts.maxSteps), (v) => state.steps = v);
  return { state, problems };
}

/**
 * The query string (without "?") that {@link readState} reads back as
 * `state`; defaults are left out, so an untouched page has a bare URL.
 *
 * @param {PageState} state
 * @returns {string}
 */
export function writeState(state) {
  /** @type {[string, string][]} */
  const entries = [];
  if (state.model !== null) entries.push(["model", state.model]);
  if (state.seed !== DEFAULT_STATE.seed) entries.push(["seed", String(state.seed)]);
  if (state.cls !== null) entries.push(["class", String(state.cls)]);
  if (state.truncation !== null) entries.push(["truncation", String(state.truncation)]);
  if (state.z !== null) entries.push(["z", encodeLatent(state.z)]);
  if (state.to !== DEFAULT_STATE.to) entries.push(["to", String(state.to)]);
  if (state.steps !== DEFAULT_STATE.steps) entries.push(["steps", String(state.steps)]);
  return new URLSearchParams(entries).toString();
}

/**
 * A latent of `dim` draws from the model's distribution ("normal": Box–Muller
 * on `random`; "uniform": on (−1, 1)), for the editor's "random latent". Not
 * the API's seeded PRNG: such a latent has no seed, only its permalink.
 *
 * @param {number} dim
 * @param {"normal" | "uniform"} distribution
 * @param {() => number} [random] uniform on [0, 1)
 * @returns {Float32Array}
 */
export function randomLatent(dim, distribution, random = Math.random) {
  const z = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    z[i] = distribution === "uniform"
      ? 2 * random() - 1
      : Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  return z;
}
