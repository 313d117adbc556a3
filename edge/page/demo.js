/**
 * The demo page. The gallery and the interpolation strip come from the API
 * (a request each when their settings change); the latent editor runs the
 * generator in the browser (./generator.js), so that dragging a slider
 * sends no request at all. The whole state lives in the URL (./state.js).
 *
 * Requests go through fetch with one AbortController per picture, so a
 * newer setting cancels an older request, and a failed one shows the API's
 * problem detail with a Retry button.
 *
 * Browser code (DOM), checked in Chromium by tests/e2e/page_test.ts: Deno's type
 * check has no DOM library, so this file carries no `@ts-check`.
 *
 * @module
 */
import { encodeLatent } from "../../shared/latent_codec.js";
import { DEFAULT_STATE, randomLatent, readState, writeState } from "./state.js";
import { drawImage, drawPoints, extentOf } from "./draw.js";

/** Samples in the gallery. */
const GALLERY = { image: 16, points: 64 };
/** Samples of a points model drawn behind the editor's point. */
const CLOUD = 512;
/** The downloaded editor image is this many times the sample's size. */
const DOWNLOAD_SCALE = 10;

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
const $ = (id) => /** @type {T} */ (document.getElementById(id));
/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ ($(id));

/**
 * What GET /v1/model says, as the page uses it.
 * @typedef {object} Model
 * @property {string} hash
 * @property {"image" | "points"} kind
 * @property {number[]} shape one sample's shape
 * @property {number} dim
 * @property {"normal" | "uniform"} distribution
 * @property {string[]} classNames empty for an unconditional model
 * @property {string} dataset
 * @property {{ sample: string, interpolate: string }} routes the versioned routes
 * @property {number} maxN most samples a request may ask for
 * @property {number} maxSteps most interpolation frames
 */

/** @type {Model} */
let model;
/** @type {import("./state.js").PageState} */
let state = { ...DEFAULT_STATE };
/** The seed's own latent (after truncation), from the API; null until it comes. */
/** @type {Float32Array | null} */
let seedZ = null;
/** @type {import("./generator.js").Generator | null} */
let generator = null;
/** Why the generator could not start, once it could not. */
let generatorError = "";
/** A points model's cloud of samples behind the editor's point, and its frame. */
/** @type {{ values: Float32Array, extent: number }} */
let cloud = { values: new Float32Array(0), extent: 2 };

// --- errors and loading ---------------------------------------------------

/** The action the alert's Retry button repeats. */
let retry = () => {};

/**
 * Shows `message` in the page's alert, with Retry running `again`; no
 * message hides it.
 * @param {string} [message]
 * @param {() => void} [again]
 */
function alertUser(message, again) {
  $("alert").hidden = !message;
  $("alert-text").textContent = message ?? "";
  $("alert-retry").hidden = !again;
  retry = again ?? (() => {});
}

/** An HTTP failure, with the API's problem detail when there is one. */
class RequestError extends Error {}

/**
 * Fetches `url`; throws a RequestError with the problem's detail (and when
 * to retry after a 429) unless the response is OK.
 * @param {string} url
 * @param {AbortSignal} [signal]
 */
async function request(url, signal) {
  const res = await fetch(url, { signal });
  if (res.ok) return res;
  let detail = res.statusText;
  try {
    detail = (await res.json()).detail ?? detail;
  } catch { /* not a problem+json body: keep the status text */ }
  const after = res.headers.get("Retry-After");
  throw new RequestError(
    `${res.status}: ${detail}${after ? ` (try again in ${after} s)` : ""}`,
  );
}

/** One AbortController per kind of request: a newer request cancels the older. */
/** @type {Map<string, AbortController>} */
const pending = new Map();

/** @param {string} key */
function fresh(key) {
  pending.get(key)?.abort();
  const controller = new AbortController();
  pending.set(key, controller);
  return controller.signal;
}

/**
 * Loads the picture at `url` into figure `id` (an img, its figure, its
 * error caption and its download link): busy while it loads, the problem
 * shown when it fails.
 * @param {"gallery" | "strip"} id
 * @param {string} url
 * @param {string} filename
 */
async function loadPicture(id, url, filename) {
  const signal = fresh(id);
  const figure = $(`${id}-figure`);
  const img = /** @type {HTMLImageElement} */ ($(id));
  const link = /** @type {HTMLAnchorElement} */ ($(`${id}-download`));
  figure.setAttribute("aria-busy", "true");
  try {
    const blob = await (await request(url, signal)).blob();
    const old = img.src;
    img.src = URL.createObjectURL(blob);
    await img.decode();
    if (old.startsWith("blob:")) URL.revokeObjectURL(old);
    Object.assign(link, { href: img.src, download: filename, hidden: false });
    $(`${id}-error`).hidden = true;
    figure.classList.remove("failed");
    figure.dataset.src = url;
    figure.setAttribute("aria-busy", "false");
  } catch (e) {
    if (signal.aborted) return;
    figure.setAttribute("aria-busy", "false");
    figure.classList.add("failed"); // an older picture may still show: not this one
    const message = `${id === "gallery" ? "Gallery" : "Interpolation"}: ${errorText(e)}`;
    showError(`${id}-error`, message);
    alertUser(message, refreshServer);
  }
}

/** @param {unknown} e */
function errorText(e) {
  return e instanceof RequestError ? e.message : `could not reach the server (${String(e)})`;
}

/**
 * @param {string} id
 * @param {string} message
 */
function showError(id, message) {
  $(id).textContent = message;
  $(id).hidden = false;
}

// --- the API --------------------------------------------------------------

/**
 * The query string for `params` plus the class and truncation settings.
 * @param {Record<string, string | number>} params
 */
function query(params) {
  /** @type {Record<string, string>} */
  const all = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
  if (state.cls !== null) all.class = String(state.cls);
  if (state.truncation !== null) all.truncation = String(state.truncation);
  return new URLSearchParams(all).toString();
}

const format = () => (model.kind === "image" ? "png" : "svg");

/** Asks the API for the gallery, the strip and (unless edited) the seed's latent. */
function refreshServer() {
  alertUser();
  const ext = format();
  const tag = `${model.dataset}-seed${state.seed}${state.cls === null ? "" : `-class${state.cls}`}`;
  loadPicture(
    "gallery",
    `${model.routes.sample}?${
      query({ seed: state.seed, n: Math.min(GALLERY[model.kind], model.maxN), format: ext })
    }`,
    `${tag}.${ext}`,
  );
  refreshStrip();
  loadSeedLatent();
}

function refreshStrip() {
  $("from").textContent = String(state.seed);
  const ext = format();
  loadPicture(
    "strip",
    `${model.routes.interpolate}?${
      query({ from: state.seed, to: state.to, steps: state.steps, format: ext })
    }`,
    `${model.dataset}-seed${state.seed}-to-seed${state.to}-${state.steps}-steps.${ext}`,
  );
}

/** The seed's latent (after truncation) from the API, for the sliders. */
async function loadSeedLatent() {
  const signal = fresh("latent");
  seedZ = null;
  if (state.z === null) $("editor-figure").setAttribute("aria-busy", "true");
  try {
    const url = `${model.routes.sample}?${query({ seed: state.seed, format: "json" })}`;
    const body = await (await request(url, signal)).json();
    seedZ = Float32Array.from(body.z[0]);
    if (!generatorError) $("editor-error").hidden = true;
    render();
    if (state.z === null) updateEffects();
  } catch (e) {
    if (signal.aborted) return;
    $("editor-figure").setAttribute("aria-busy", "false");
    const message = `Latent of seed ${state.seed}: ${errorText(e)}`;
    showError("editor-error", message);
    alertUser(message, refreshServer);
  }
}

// --- the editor -----------------------------------------------------------

/** The editor's latent: the edited one, else the seed's. */
const editorZ = () => state.z ?? seedZ;

let frame = 0;

/** Draws the editor's picture at the next frame (once, however many changes come). */
function render() {
  const z = editorZ();
  syncSliders();
  $("editor").dataset.want = z ? `${encodeLatent(z)}/${state.cls ?? 0}` : "";
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    drawEditor();
  });
}

function drawEditor() {
  const z = editorZ();
  const canvas = /** @type {HTMLCanvasElement} */ ($("editor"));
  if (!generator || !z) return;
  const started = performance.now();
  const labels = model.classNames.length > 0 ? [state.cls ?? 0] : undefined;
  const out = generator.run(z, 1, labels);
  if (model.kind === "image") drawImage(canvas, out, model.shape);
  else drawPoints(canvas, out, cloud.values, model.shape[0], cloud.extent);
  const ms = performance.now() - started;
  canvas.dataset.shown = `${encodeLatent(z)}/${state.cls ?? 0}`;
  $("editor-figure").setAttribute("aria-busy", "false");
  $("editor-status").textContent = `Drawn in your browser in ${ms.toFixed(1)} ms ` +
    `(tfjs ${generator.backend.backend}${generator.backend.simd ? ", SIMD" : ""}).`;
}

/**
 * Measures how much each latent entry moves the picture here (in the
 * browser: one batch of dim + 1 samples), shows it behind each slider and,
 * when asked, puts the sliders that matter first. Run when the latent or
 * the class changes as a whole, not during a drag.
 */
async function updateEffects() {
  const z = editorZ();
  if (!generator || !z) return;
  const { latentEffects } = await import("./generator.js");
  const labels = model.classNames.length > 0 ? state.cls ?? 0 : undefined;
  const effects = latentEffects(generator.run, z, labels);
  const max = Math.max(...effects, 1e-12);
  const rows = [...document.querySelectorAll("#sliders .slider")].map((el, i) => ({
    el: /** @type {HTMLElement} */ (el),
    i: Number(/** @type {HTMLElement} */ (el).dataset.index ?? i),
  }));
  let active = 0;
  for (const { el, i } of rows) {
    const share = effects[i] / max;
    el.style.setProperty("--effect", share.toFixed(3));
    // Under 1 % of the strongest entry's effect: no visible change.
    el.classList.toggle("idle", share < 0.01);
    if (share >= 0.01) active++;
  }
  $("effects-note").textContent = `${active} of ${model.dim} entries visibly change this picture` +
    (model.classNames.length > 0 ? " of this class." : ".");
  if (input("sort").checked) {
    rows.sort((a, b) => effects[b.i] - effects[a.i] || a.i - b.i);
  } else {
    rows.sort((a, b) => a.i - b.i);
  }
  $("sliders").append(...rows.map((r) => r.el));
}

/** Sets each slider to the editor's latent. */
function syncSliders() {
  const z = editorZ();
  if (!z) return;
  document.querySelectorAll("#sliders input").forEach((el) => {
    const slider = /** @type {HTMLInputElement} */ (el);
    const i = Number(slider.dataset.index);
    if (document.activeElement !== slider) slider.value = String(z[i]);
    /** @type {HTMLOutputElement} */ (slider.nextElementSibling).value = z[i].toFixed(2);
  });
  const edited = state.z !== null;
  /** @type {HTMLButtonElement} */ ($("reset")).disabled = !edited;
}

/** One range input per latent dimension. */
function buildSliders() {
  const bound = model.distribution === "uniform" ? 1 : 3;
  const box = $("sliders");
  for (let i = 0; i < model.dim; i++) {
    const label = document.createElement("label");
    label.className = "slider";
    label.dataset.index = String(i);
    const name = document.createElement("span");
    name.textContent = `z${i}`;
    const slider = Object.assign(document.createElement("input"), {
      type: "range",
      id: `z${i}`,
      min: String(-bound),
      max: String(bound),
      step: "0.01",
      disabled: true,
    });
    slider.dataset.index = String(i);
    slider.setAttribute("aria-label", `latent entry ${i}`);
    slider.addEventListener("input", () => {
      const current = editorZ();
      if (!current) return;
      const z = Float32Array.from(current);
      z[i] = Number(slider.value);
      state.z = z;
      render();
      saveUrl();
    });
    label.append(name, slider, document.createElement("output"));
    box.append(label);
  }
}

/** Starts the in-browser generator; the editor says how it went. */
async function startGenerator() {
  const figure = $("editor-figure");
  figure.setAttribute("aria-busy", "true");
  try {
    const { loadGenerator } = await import("./generator.js");
    generator = await loadGenerator(
      `/models/${model.hash}/model.json`,
      model.dim,
      model.classNames.length,
    );
    if (model.kind === "points") {
      const values = generator.run(
        randomLatent(CLOUD * model.dim, model.distribution),
        CLOUD,
      );
      cloud = { values, extent: extentOf(values) };
    }
    document.querySelectorAll("#sliders input, .editor .actions button").forEach((el) => {
      /** @type {HTMLInputElement} */ (el).disabled = false;
    });
    render();
    updateEffects();
  } catch (e) {
    figure.setAttribute("aria-busy", "false");
    $("editor-status").textContent = "";
    generatorError = `The in-browser generator could not start: ${String(e)}`;
    showError("editor-error", generatorError);
  }
}

/** Downloads the editor's picture as a PNG, scaled up without smoothing. */
function download() {
  const source = /** @type {HTMLCanvasElement} */ ($("editor"));
  const scale = model.kind === "image" ? DOWNLOAD_SCALE : 1;
  const canvas = Object.assign(document.createElement("canvas"), {
    width: source.width * scale,
    height: source.height * scale,
  });
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  canvas.toBlob((blob) => {
    if (!blob) return;
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(blob),
      download: `${model.dataset}-seed${state.seed}${state.z ? "-edited" : ""}.png`,
    });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }, "image/png");
}

// --- the URL --------------------------------------------------------------

/** @type {ReturnType<typeof setTimeout> | undefined} */
let urlTimer;

/** Puts the state in the URL (a quarter-second after the last change). */
function saveUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const search = writeState(state);
    history.replaceState(null, "", search ? `?${search}` : location.pathname);
  }, 250);
}

/** Shows the state in the controls. */
function showState() {
  input("seed").value = String(state.seed);
  /** @type {HTMLSelectElement} */ ($("class")).value = state.cls === null ? "" : String(state.cls);
  input("truncation").value = state.truncation === null ? "" : String(state.truncation);
  input("to").value = String(state.to);
  input("steps").value = String(state.steps);
}

/**
 * Reads control `id` as a number when the browser finds it valid; else
 * says what is wrong and returns undefined.
 * @param {string} id
 * @param {string} what
 */
function valueOf(id, what) {
  const el = input(id);
  if (el.value !== "" && el.checkValidity()) return Number(el.value);
  alertUser(
    `${what}: expected ${el.min === "" ? "" : `${el.min} to ${el.max}`}${
      el.step && el.step !== "1" ? ` in steps of ${el.step}` : " (an integer)"
    }.`,
  );
  return undefined;
}

// --- wiring ---------------------------------------------------------------

function wire() {
  input("seed").addEventListener("change", () => {
    const seed = valueOf("seed", "Seed");
    if (seed === undefined) return;
    Object.assign(state, { seed, z: null });
    changed(refreshServer);
  });
  $("random").addEventListener("click", () => {
    Object.assign(state, { seed: crypto.getRandomValues(new Uint32Array(1))[0], z: null });
    showState();
    changed(refreshServer);
  });
  $("class").addEventListener("change", () => {
    const value = /** @type {HTMLSelectElement} */ ($("class")).value;
    state.cls = value === "" ? null : Number(value);
    changed(() => {
      refreshServer();
      render();
      updateEffects();
    });
  });
  input("truncation").addEventListener("change", () => {
    const text = input("truncation").value;
    if (text === "") state.truncation = null;
    else {
      const value = valueOf("truncation", "Truncation");
      if (value === undefined || value <= 0) return;
      state.truncation = value;
    }
    changed(refreshServer);
  });
  for (const [id, what] of [["to", "To seed"], ["steps", "Steps"]]) {
    input(id).addEventListener("change", () => {
      const value = valueOf(id, what);
      if (value === undefined) return;
      if (id === "to") state.to = value;
      else state.steps = value;
      changed(refreshStrip);
    });
  }
  $("reset").addEventListener("click", () => {
    state.z = null;
    changed(() => {
      render();
      updateEffects();
    });
  });
  $("randomize").addEventListener("click", () => {
    state.z = randomLatent(model.dim, model.distribution);
    changed(() => {
      render();
      updateEffects();
    });
  });
  input("sort").addEventListener("change", updateEffects);
  $("download").addEventListener("click", download);
  $("share").addEventListener("click", share);
  $("alert-retry").addEventListener("click", () => retry());
}

/**
 * After a setting changes: the URL follows, then `then` runs.
 * @param {() => void} then
 */
function changed(then) {
  saveUrl();
  then();
}

/** Copies the permalink, or shows it when the clipboard is out of reach. */
async function share() {
  const search = writeState(state);
  const url = `${location.origin}${location.pathname}${search ? `?${search}` : ""}`;
  try {
    await navigator.clipboard.writeText(url);
    $("share-status").textContent = "Link copied.";
  } catch {
    $("share-status").textContent = url;
  }
}

// --- theme ----------------------------------------------------------------

const THEMES = ["auto", "light", "dark"];

/** @param {string} theme */
function applyTheme(theme) {
  if (theme === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  $("theme").textContent = `Theme: ${theme}`;
  if (generator && model.kind === "points") render(); // the plot takes the theme's colours
}

function setUpTheme() {
  let theme = localStorage.getItem("theme") ?? "auto";
  if (!THEMES.includes(theme)) theme = "auto";
  applyTheme(theme);
  $("theme").addEventListener("click", () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    localStorage.setItem("theme", theme);
    applyTheme(theme);
  });
}

// --- start ----------------------------------------------------------------

/**
 * The served models (GET /v1/models) and the one to show: the link's
 * `model`, else the default. A hash the server does not serve is reported.
 */
async function chooseModel() {
  const listing = await (await request("/v1/models")).json();
  const asked = new URLSearchParams(location.search).get("model");
  const known = listing.models.some((/** @type {{ hash: string }} */ m) => m.hash === asked);
  // (A malformed hash is readState's to report.)
  const problem = asked !== null && /^[0-9a-f]{64}$/.test(asked) && !known
    ? "model: this server does not serve that model; here is its default"
    : "";
  return { listing, hash: known ? asked : listing.default, problem };
}

/** One model's metadata and versioned routes (GET /v1/models/{hash}), as the page uses them. */
async function loadModel(hash) {
  const info = await (await request(`/v1/models/${hash}`)).json();
  const output = info.output;
  return /** @type {Model} */ ({
    hash: info.hash,
    kind: output.kind,
    shape: output.kind === "image" ? [output.height, output.width, output.channels] : [output.dim],
    dim: info.latent.dim,
    distribution: info.latent.distribution,
    classNames: info.classNames ?? [],
    dataset: info.training.dataset,
    routes: { sample: info.api.sample, interpolate: info.api.interpolate },
    maxN: info.api.maxN,
    maxSteps: info.api.maxSteps,
  });
}

/**
 * A picker of the served models when there are several: choosing one opens
 * the page for it (its classes, latent and sliders differ).
 * @param {{ default: string, models: { hash: string, dataset: string, kind: string }[] }} listing
 */
function buildModelPicker(listing) {
  if (listing.models.length < 2) return;
  const select = /** @type {HTMLSelectElement} */ ($("model-select"));
  for (const m of listing.models) {
    select.append(
      new Option(
        `${m.dataset} (${m.kind === "image" ? "images" : "points"}, ${m.hash.slice(0, 8)})`,
        m.hash,
      ),
    );
  }
  select.value = model.hash;
  select.addEventListener("change", () => {
    location.assign(
      select.value === listing.default ? location.pathname : `?model=${select.value}`,
    );
  });
  $("model-box").hidden = false;
}

async function main() {
  setUpTheme();
  let chosen;
  try {
    chosen = await chooseModel();
    model = await loadModel(chosen.hash);
  } catch (e) {
    $("model").textContent = "";
    alertUser(`The model's description: ${errorText(e)}`, () => location.reload());
    return;
  }
  $("model").textContent = `${model.dataset}: ${model.kind === "image" ? "images" : "points"}` +
    ` from a ${model.dim}-dimensional ${model.distribution} latent` +
    (model.classNames.length > 0 ? `, ${model.classNames.length} classes` : "") +
    ` (model ${model.hash.slice(0, 12)})`;
  if (model.classNames.length > 0) {
    model.classNames.forEach((name, i) => $("class").append(new Option(name, String(i))));
    $("class-box").hidden = false;
  }
  for (const id of ["editor", "gallery-figure", "strip-figure"]) $(id).classList.add(model.kind);
  buildModelPicker(chosen.listing);
  buildSliders();
  input("steps").max = String(model.maxSteps);
  const { state: linked, problems } = readState(location.search, {
    dim: model.dim,
    classes: model.classNames.length,
    maxSteps: model.maxSteps,
  });
  state = { ...linked, model: chosen.hash === chosen.listing.default ? null : chosen.hash };
  if (chosen.problem) problems.unshift(chosen.problem);
  showState();
  wire();
  refreshServer();
  if (problems.length > 0) alertUser(`Ignored from the link: ${problems.join("; ")}.`);
  await startGenerator();
}

main();
