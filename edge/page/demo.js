// The demo page: a gallery, latent sliders, a class picker and an
// interpolation strip, all drawn by the edge's HTTP API (nothing runs a model
// in the browser). GET /v1/model gives the model's versioned routes (whose
// seeded images the browser may keep for good) and the API's limits.
// On disk this path is shared/latent_codec.js; in the browser, from /demo.js,
// it resolves to /shared/latent_codec.js, which the page routes serve.
import { encodeLatent } from "../../shared/latent_codec.js";

const SLIDERS = 6;
const GALLERY = { image: 16, points: 64 };
const $ = (id) => document.getElementById(id);
const state = { format: "png", kind: "image", z: null, api: null };

/** The query string for `params` plus the shared class/truncation choices. */
function query(params) {
  const all = { ...params };
  if ($("class").value !== "") all.class = $("class").value;
  if ($("truncation").value !== "") all.truncation = $("truncation").value;
  return new URLSearchParams(all).toString();
}

/** Shows a problem's detail (or clears the status line). */
function report(text) {
  $("status").textContent = text ?? "";
}

async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(body.detail ?? res.statusText);
  return body;
}

let inflight = null;
let timer = 0;
const DEBOUNCE_MS = 100;

/** Fetches the editor's picture for the current z, aborting any stale request. */
async function fetchEditor() {
  clearTimeout(timer);
  const code = encodeLatent(state.z);
  $("editor").dataset.want = code;
  inflight?.abort();
  const controller = new AbortController();
  inflight = controller;
  try {
    const res = await fetch(`${state.api.sample}?${query({ z: code, format: state.format })}`, {
      signal: controller.signal,
    });
    if (!res.ok) throw new Error((await res.json()).detail ?? res.statusText);
    const url = URL.createObjectURL(await res.blob());
    const img = $("editor");
    img.onload = () => {
      URL.revokeObjectURL(url);
      img.dataset.shown = code;
    };
    img.src = url;
  } catch (e) {
    if (e.name !== "AbortError") report(e.message);
  }
}

/** Debounced while the slider moves; immediate on release. */
function renderEditor(now = false) {
  clearTimeout(timer);
  $("editor").dataset.want = encodeLatent(state.z);
  if (now) fetchEditor();
  else timer = setTimeout(fetchEditor, DEBOUNCE_MS);
}

async function refresh() {
  report();
  const seed = $("seed").value;
  try {
    const n = Math.min(GALLERY[state.kind], state.api.maxN);
    $("gallery").src = `${state.api.sample}?${query({ seed, n, format: state.format })}`;
    const steps = Math.min(8, state.api.maxSteps);
    $("strip").src = `${state.api.interpolate}?${
      query({ from: seed, to: $("to").value, steps, format: state.format })
    }`;
    const first = await getJson(`${state.api.sample}?${query({ seed, format: "json" })}`);
    state.z = Float32Array.from(first.z[0]);
    document.querySelectorAll("#sliders input").forEach((input, i) => {
      input.value = String(state.z[i]);
      input.nextElementSibling.textContent = state.z[i].toFixed(2);
    });
    renderEditor(true);
  } catch (e) {
    report(e.message);
  }
}

function buildSliders(dim) {
  for (let i = 0; i < Math.min(dim, SLIDERS); i++) {
    const label = document.createElement("label");
    label.textContent = `z[${i}]`;
    const input = document.createElement("input");
    Object.assign(input, { type: "range", min: -3, max: 3, step: 0.05 });
    input.id = `z${i}`;
    const value = document.createElement("span");
    input.addEventListener("input", () => {
      state.z[i] = Number(input.value);
      value.textContent = state.z[i].toFixed(2);
      renderEditor();
    });
    input.addEventListener("change", () => renderEditor(true));
    label.append(input, value);
    $("sliders").append(label);
  }
}

async function main() {
  try {
    const model = await getJson("/v1/model");
    state.kind = model.output.kind;
    state.api = model.api;
    state.format = state.kind === "image" ? "png" : "svg";
    $("model").textContent = `${model.training.dataset}: ${model.output.kind}s` +
      ` from a ${model.latent.dim}-dimensional ${model.latent.distribution} latent` +
      (model.classNames ? `, ${model.classNames.length} classes` : "") +
      ` (model ${model.hash.slice(0, 12)})`;
    if (model.classNames) {
      model.classNames.forEach((name, i) => {
        $("class").append(new Option(`${i}: ${name}`, String(i)));
      });
      $("class-box").hidden = false;
    }
    buildSliders(model.latent.dim);
  } catch (e) {
    report(e.message);
    return;
  }
  for (const id of ["seed", "to", "class", "truncation"]) {
    $(id).addEventListener("change", refresh);
  }
  $("random").addEventListener("click", () => {
    $("seed").value = String(crypto.getRandomValues(new Uint32Array(1))[0]);
    refresh();
  });
  for (const id of ["gallery", "editor", "strip"]) {
    $(id).addEventListener("error", () => report(`${id}: could not load`));
  }
  await refresh();
}

main();
