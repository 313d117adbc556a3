// The Node built-ins (fs, os, path, perf_hooks) that tfjs-backend-wasm's ES build
// imports and uses only under Node, as an empty module: the page's import map
// points them here, as the package's "browser" field points them at nothing.
export default {};
