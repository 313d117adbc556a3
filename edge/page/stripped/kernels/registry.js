// Generated from kernels/registry.ts by edge/tools/page_modules.ts (types stripped); do not edit.
/**
 * How our kernels enter tfjs's kernel registry for the "wasm" backend: over a
 * stock kernel (which is remembered, to fall back on or to put back), where
 * wasm has none, or under a name of ours.
 *
 * @module
 */ import * as tf from "@tensorflow/tfjs-core";
/** Registers `config` for wasm where no kernel of that name is (kernels wasm lacks). */ export function installMissing(config) {
  if (!tf.getKernel(config.kernelName, "wasm")) tf.registerKernel(config);
}
/** Registers `kernelFunc` as kernel `name` on wasm, once (kernels under names of ours). */ export function registerWasmKernel(name, kernelFunc) {
  installMissing({
    kernelName: name,
    backendName: "wasm",
    kernelFunc: kernelFunc
  });
}
/** Registers `config` for wasm in place of whatever is registered now. */ export function install(config) {
  const current = tf.getKernel(config.kernelName, "wasm");
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current) tf.unregisterKernel(config.kernelName, "wasm");
  tf.registerKernel(config);
  // tfjs runs a kernel's setup when the backend starts; a kernel registered
  // after that (the stock one put back) is set up here. Only a backend that
  // has started: tf.findBackend would start one (a whole wasm instance) at
  // every call made before tf.setBackend("wasm") settles.
  const backend = tf.engine().registry["wasm"];
  if (backend && config.setupFunc) config.setupFunc(backend);
}
/** Installs `ours` over the stock kernel (remembered first), or puts the stock one back. */ export function swap(stock, ours, fast = true) {
  stock.remember();
  if (fast) install(ours);
  else if (stock.config) install(stock.config);
}
