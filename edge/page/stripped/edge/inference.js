// Generated from edge/inference.ts by edge/tools/page_modules.ts (types stripped); do not edit.
/**
 * A generator's forward pass for serving: the artifact's LayersModel
 * (model.json's topology and its weights) compiled once, at load time, into
 * the few tfjs-core ops inference needs.
 *
 * Why: at batch 1 a DCGAN generator is a job of well under a millisecond,
 * and `model.predict` adds a fixed cost per call (input checks, the batching
 * loop, several ops per layer, batch norm as its own pass). Compiling:
 *
 * - folds each inference-mode BatchNormalization into the Dense, Conv2D or
 *   Conv2DTranspose before it (when it is that layer's only consumer):
 *   γ(Wx + b − μ)/√(σ² + ε) + β = (W·s)x + (b − μ)·s + β, s = γ/√(σ² + ε),
 *   scaling the kernel along its output channels;
 * - moves a ReLU or LeakyReLU layer (and a layer's own activation) into the
 *   layer before it, and runs Dense and Conv2D as tfjs's fused ops (matmul or
 *   conv, bias and activation in one kernel);
 * - runs everything else as the layer's own tfjs op.
 *
 * It reads the Keras-style JSON itself rather than through tfjs-layers, so
 * that tfjs-layers stays off the edge's start-up path (its module code and
 * `loadLayersModel` cost ~20 ms of a cold start, issue #7). The shapes
 * tfjs-layers would infer come from a small shape pass over the layer
 * configs, and every weight must have the shape its layer implies, as
 * `loadLayersModel` requires.
 *
 * Only the layer types our architectures produce are known (see
 * {@link compileModel}); any other layer is refused at load time, never
 * approximated. The result equals `model.predict` up to float rounding
 * (tests/edge/inference_test.ts).
 *
 * @module
 */ import * as tf from "@tensorflow/tfjs-core";
/**
 * An activation split into the part tfjs's fused matMul and conv2d apply in
 * their kernel (on wasm: linear, relu, sigmoid, leakyrelu) and the rest.
 */ function split(a) {
  return a.name === "tanh" ? {
    fused: "linear",
    after: a
  } : {
    fused: a.name,
    alpha: a.alpha,
    after: {
      name: "linear"
    }
  };
}
/**
 * Compiles a LayersModel's artifacts (`modelTopology`, `weightSpecs`,
 * `weightData`, as for `tf.io.fromMemory`; single output, each layer used
 * once). Known layers: Dense, Conv2D, Conv2DTranspose (channels last, no
 * dilation), BatchNormalization (last axis), ReLU (no max value), LeakyReLU,
 * Activation, Embedding, Flatten, Reshape, Multiply, Add, Concatenate,
 * Rescaling (scalar scale and offset); with
 * activations linear, relu, tanh, sigmoid. Throws a RangeError naming the
 * first layer it cannot run, a weight whose shape is not its layer's, or a
 * weight no layer uses. Weights are dequantized by tfjs (`tf.io.decodeWeights`,
 * as `loadLayersModel` does); the compiled network owns them.
 */ export function compileModel(artifacts) {
  const { layers, inputNames, output } = readTopology(artifacts.modelTopology);
  const decoded = tf.io.decodeWeights(artifacts.weightData ?? [], artifacts.weightSpecs ?? []);
  const used = new Set();
  const take = (layer, weight, shape)=>{
    const name = `${layer}/${weight}`;
    const w = decoded[name];
    if (!w) throw new RangeError(`layer ${layer}: expected a weight named ${name}`);
    if (!tf.util.arraysEqual(w.shape, shape)) {
      throw new RangeError(`weight ${name}: expected shape [${shape}], got [${w.shape}]`);
    }
    used.add(name);
    return w;
  };
  const shapes = new Map();
  const nodes = [];
  try {
    for (const layer of layers){
      if (shapes.has(layer.name)) throw new RangeError(`two layers are named ${layer.name}`);
      if (layer.className === "InputLayer") {
        if (!inputNames.includes(layer.name)) {
          throw new RangeError(`layer ${layer.name} (InputLayer) is not an input of the model`);
        }
        shapes.set(layer.name, inputShape(layer));
        continue;
      }
      const missing = layer.inputs.find((i)=>!shapes.has(i));
      if (missing) {
        throw new RangeError(`layer ${layer.name} reads ${missing}, not computed before it`);
      }
      const { op, shape } = parseLayer(layer, layer.inputs.map((i)=>shapes.get(i)), take);
      nodes.push({
        name: layer.name,
        inputs: layer.inputs,
        op
      });
      shapes.set(layer.name, shape);
    }
    const notInput = inputNames.find((name)=>!layers.some((l)=>l.name === name && l.className === "InputLayer"));
    if (notInput) throw new RangeError(`modelTopology: input ${notInput} is not an InputLayer`);
    if (!shapes.has(output)) {
      throw new RangeError(`modelTopology: no layer computes the output ${output}`);
    }
    const unused = Object.keys(decoded).find((name)=>!used.has(name));
    if (unused) throw new RangeError(`weight ${unused} belongs to no layer of the model`);
  } catch (e) {
    tf.dispose(Object.values(decoded));
    throw e;
  }
  const result = fuse(nodes, output);
  const steps = nodes.map((node)=>({
      node,
      apply: emit(node.op)
    }));
  return {
    inputs: inputNames.map((name)=>({
        name,
        shape: shapes.get(name)
      })),
    outputShape: shapes.get(output),
    run (inputs) {
      return tf.tidy(()=>{
        const values = new Map(inputNames.map((name, i)=>[
            name,
            inputs[i]
          ]));
        for (const { node, apply } of steps){
          values.set(node.name, apply(node.inputs.map((name)=>values.get(name))));
        }
        return values.get(result);
      });
    },
    dispose () {
      tf.dispose(nodes.flatMap((n)=>weightsOf(n.op)));
    }
  };
}
/**
 * The functional model in `modelTopology` (tfjs-layers' JSON, either bare or
 * under `model_config`): its layers in order, input names, output name.
 */ function readTopology(topology) {
  const bad = (why)=>new RangeError(`modelTopology: ${why}`);
  const top = topology;
  const model = top?.model_config ?? top;
  if (model?.class_name !== "Model" && model?.class_name !== "Functional") {
    throw bad(`expected a functional model, got ${String(model?.class_name)}`);
  }
  const config = model.config;
  if (!Array.isArray(config?.layers)) throw bad("expected a list of layers");
  const inputs = config.input_layers;
  const outputs = config.output_layers;
  if (!Array.isArray(inputs) || !Array.isArray(outputs)) {
    throw bad("expected input_layers and output_layers");
  }
  if (outputs.length !== 1) throw bad(`expected a network with one output, got ${outputs.length}`);
  const layers = config.layers.map((l)=>{
    const cfg = l?.config;
    const name = l?.name ?? cfg?.name;
    if (typeof name !== "string" || typeof l.class_name !== "string" || !cfg) {
      throw bad(`expected each layer to have a name, a class_name and a config`);
    }
    const nodes = l.inbound_nodes;
    if (!Array.isArray(nodes)) throw bad(`layer ${name}: expected inbound_nodes`);
    if (l.class_name === "InputLayer") {
      return {
        name,
        className: l.class_name,
        config: cfg,
        inputs: []
      };
    }
    if (nodes.length !== 1) {
      throw new RangeError(`layer ${name} (${l.class_name}) is used ${nodes.length} times`);
    }
    const reads = Array.isArray(nodes[0]) ? nodes[0] : [];
    return {
      name,
      className: l.class_name,
      config: cfg,
      inputs: reads.map((t)=>tensorName(t, name))
    };
  });
  return {
    layers,
    inputNames: inputs.map((t)=>tensorName(t, "input_layers")),
    output: tensorName(outputs[0], "output_layers")
  };
}
/**
 * The layer named by a Keras tensor reference [layer, node index, tensor
 * index, …]; only a layer's first call and only output exist here.
 */ function tensorName(ref, where) {
  if (!Array.isArray(ref) || typeof ref[0] !== "string") {
    throw new RangeError(`modelTopology: ${where}: expected [layer, 0, 0], got ${JSON.stringify(ref)}`);
  }
  if (ref[1] !== 0 || ref[2] !== 0) {
    throw new RangeError(`${where} reads ${ref[0]} at node ${ref[1]}, tensor ${ref[2]}: expected 0, 0`);
  }
  return ref[0];
}
/** An InputLayer's `batch_input_shape`. */ function inputShape(layer) {
  const shape = layer.config.batch_input_shape;
  if (!Array.isArray(shape) || !shape.every((d)=>d === null || isSize(d))) {
    throw new RangeError(`layer ${layer.name} (InputLayer): expected a batch_input_shape`);
  }
  return shape;
}
function isSize(d) {
  return Number.isInteger(d) && d > 0;
}
function activation(name, layer) {
  if (name === "linear" || name === "relu" || name === "tanh" || name === "sigmoid") {
    return {
      name
    };
  }
  throw new RangeError(`layer ${layer}: activation ${String(name)} is not supported`);
}
/**
 * The layer's op, reading its weights through `take`, and its output shape
 * for input shapes `ins` (as tfjs-layers' computeOutputShape would infer it).
 */ function parseLayer(layer, ins, take) {
  const { name, className: cls, config } = layer;
  const refuse = (why)=>new RangeError(`layer ${name} (${cls}): ${why}`);
  /** A positive integer from the config. */ const size = (key)=>{
    const v = config[key];
    if (!isSize(v)) throw refuse(`expected ${key} to be a positive integer, got ${v}`);
    return v;
  };
  /** A number from the config. */ const num = (key)=>{
    const v = config[key];
    if (typeof v !== "number" || !Number.isFinite(v)) throw refuse(`expected a number ${key}`);
    return v;
  };
  /** A known (not null) dimension of the input. */ const dim = (shape, axis)=>{
    const d = shape[axis];
    if (d === null) throw refuse(`expected a known size on axis ${axis} of its input`);
    return d;
  };
  const merges = cls === "Multiply" || cls === "Add" || cls === "Concatenate";
  if (merges ? ins.length < 2 : ins.length !== 1) {
    throw refuse(`expected ${merges ? "two or more inputs" : "one input"}, got ${ins.length}`);
  }
  const x = ins[0];
  switch(cls){
    case "Dense":
      {
        if (x.length !== 2) throw refuse("expected a 2-D input");
        const units = size("units");
        const act = activation(config.activation, name);
        const kernel = take(name, "kernel", [
          dim(x, 1),
          units
        ]);
        const bias = config.use_bias === false ? undefined : take(name, "bias", [
          units
        ]);
        return {
          op: {
            kind: "dense",
            kernel,
            bias,
            activation: act
          },
          shape: [
            x[0],
            units
          ]
        };
      }
    case "Conv2D":
    case "Conv2DTranspose":
      {
        if (x.length !== 4) throw refuse("expected a 4-D input");
        if (config.data_format !== "channels_last") throw refuse("expected channels last");
        const padding = config.padding;
        if (padding !== "same" && padding !== "valid") {
          throw refuse(`padding ${padding} is not supported`);
        }
        if ([
          config.dilation_rate ?? 1
        ].flat().some((d)=>d !== 1)) {
          throw refuse("dilation is not supported");
        }
        const [kh, kw] = pair(config.kernel_size, "kernel_size", refuse);
        const strides = pair(config.strides, "strides", refuse);
        const filters = size("filters");
        const act = activation(config.activation, name);
        const inC = dim(x, 3);
        const transpose = cls === "Conv2DTranspose";
        // tfjs-layers' convOutputLength and deconvLength (no dilation, no output padding).
        const length = (n, k, s)=>transpose ? padding === "same" ? n * s : n * s + Math.max(k - s, 0) : Math.ceil((padding === "same" ? n : n - k + 1) / s);
        const h = length(dim(x, 1), kh, strides[0]);
        const w = length(dim(x, 2), kw, strides[1]);
        if (h < 1 || w < 1) throw refuse(`its output would be ${h}×${w}`);
        const kernel = take(name, "kernel", transpose ? [
          kh,
          kw,
          filters,
          inC
        ] : [
          kh,
          kw,
          inC,
          filters
        ]);
        const bias = config.use_bias === false ? undefined : take(name, "bias", [
          filters
        ]);
        return {
          op: {
            kind: transpose ? "conv2dTranspose" : "conv2d",
            kernel,
            bias,
            activation: act,
            strides,
            padding,
            outShape: [
              h,
              w,
              filters
            ]
          },
          shape: [
            x[0],
            h,
            w,
            filters
          ]
        };
      }
    case "BatchNormalization":
      {
        const axis = config.axis;
        if (axis !== -1 && axis !== x.length - 1) throw refuse(`expected axis -1, got ${axis}`);
        const c = [
          dim(x, x.length - 1)
        ];
        return {
          op: {
            kind: "batchNorm",
            mean: take(name, "moving_mean", c),
            variance: take(name, "moving_variance", c),
            gamma: config.scale === false ? undefined : take(name, "gamma", c),
            beta: config.center === false ? undefined : take(name, "beta", c),
            epsilon: num("epsilon")
          },
          shape: x
        };
      }
    case "ReLU":
      if (config.max_value != null) throw refuse("max value is not supported");
      return {
        op: {
          kind: "activation",
          activation: {
            name: "relu"
          }
        },
        shape: x
      };
    case "LeakyReLU":
      return {
        op: {
          kind: "activation",
          activation: {
            name: "leakyrelu",
            alpha: num("alpha")
          }
        },
        shape: x
      };
    case "Activation":
      return {
        op: {
          kind: "activation",
          activation: activation(config.activation, name)
        },
        shape: x
      };
    case "Rescaling":
      return {
        op: {
          kind: "rescale",
          scale: num("scale"),
          offset: num("offset")
        },
        shape: x
      };
    case "Embedding":
      {
        if (config.mask_zero) throw refuse("mask zero is not supported");
        const table = take(name, "embeddings", [
          size("input_dim"),
          size("output_dim")
        ]);
        return {
          op: {
            kind: "embedding",
            table
          },
          shape: [
            ...x,
            size("output_dim")
          ]
        };
      }
    case "Flatten":
      {
        const n = x.slice(1).reduce((a, _, i)=>a * dim(x, i + 1), 1);
        return {
          op: {
            kind: "reshape",
            shape: [
              n
            ]
          },
          shape: [
            x[0],
            n
          ]
        };
      }
    case "Reshape":
      {
        const target = config.target_shape;
        if (!Array.isArray(target)) throw refuse("expected a target_shape");
        const shape = resolveReshape(x.slice(1).map((_, i)=>dim(x, i + 1)), target);
        if (!shape) throw refuse(`cannot reshape [${x.slice(1)}] to [${target}]`);
        return {
          op: {
            kind: "reshape",
            shape
          },
          shape: [
            x[0],
            ...shape
          ]
        };
      }
    case "Multiply":
    case "Add":
      {
        const shape = ins.reduce((a, b)=>{
          const s = broadcast(a, b);
          if (!s) throw refuse(`cannot broadcast [${a}] and [${b}]`);
          return s;
        });
        return {
          op: {
            kind: cls === "Multiply" ? "multiply" : "add"
          },
          shape
        };
      }
    case "Concatenate":
      {
        const axis = config.axis ?? -1;
        if (!Number.isInteger(axis)) throw refuse(`expected an integer axis, got ${axis}`);
        const a = axis < 0 ? x.length + axis : axis;
        const ok = a >= 1 && a < x.length && ins.every((s)=>s.length === x.length && s.every((d, i)=>i === a || d === x[i]));
        if (!ok) throw refuse(`cannot concatenate [${ins.join("], [")}] on axis ${axis}`);
        const shape = x.map((d, i)=>i === a ? ins.reduce((n, s)=>n + dim(s, a), 0) : d);
        return {
          op: {
            kind: "concatenate",
            axis: a
          },
          shape
        };
      }
    default:
      throw refuse("this layer type is not supported by the edge's inference");
  }
}
/** A [height, width] pair from a config value (a number means both). */ function pair(v, key, refuse) {
  const p = typeof v === "number" ? [
    v,
    v
  ] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every(isSize)) {
    throw refuse(`expected ${key} to be two positive integers, got ${JSON.stringify(v)}`);
  }
  return p;
}
/** `target` (one entry may be -1 or null: whatever size is left) for `from`, or null if sizes differ. */ function resolveReshape(from, target) {
  const size = from.reduce((a, b)=>a * b, 1);
  const open = target.filter((d)=>d === null || d === -1).length;
  const known = target.filter(isSize);
  if (open + known.length !== target.length || open > 1) return null;
  const rest = size / known.reduce((a, b)=>a * b, 1);
  if (!Number.isInteger(rest) || open === 0 && rest !== 1) return null;
  return target.map((d)=>isSize(d) ? d : rest);
}
/** The shape of an elementwise op on `a` and `b` (same rank; 1 broadcasts), or null. */ function broadcast(a, b) {
  if (a.length !== b.length) return null;
  const out = [];
  for(let i = 0; i < a.length; i++){
    if (a[i] === b[i] || b[i] === 1) out.push(a[i]);
    else if (a[i] === 1) out.push(b[i]);
    else return null;
  }
  return out;
}
/**
 * Folds each batch norm and activation into the Dense or convolution that
 * feeds it alone, removing it from `nodes` (in place); returns the name of
 * the node that now holds the network's output.
 */ function fuse(nodes, output) {
  const alias = new Map();
  const resolve = (name)=>alias.get(name) ?? name;
  const consumers = new Map();
  for (const n of nodes){
    for (const i of n.inputs)consumers.set(i, (consumers.get(i) ?? 0) + 1);
  }
  const byName = new Map(nodes.map((n)=>[
      n.name,
      n
    ]));
  const kept = [];
  for (const node of nodes){
    node.inputs = node.inputs.map(resolve);
    const prev = node.inputs.length === 1 ? byName.get(node.inputs[0]) : undefined;
    const into = prev && isAffine(prev.op) && consumers.get(prev.name) === 1 && prev.name !== output && prev.op.activation.name === "linear" ? prev : undefined;
    const op = node.op;
    if (into && op.kind === "batchNorm") {
      foldBatchNorm(into.op, op);
    } else if (into && op.kind === "rescale") {
      foldRescale(into.op, op);
    } else if (into && op.kind === "activation") {
      into.op.activation = op.activation;
    } else {
      kept.push(node);
      continue;
    }
    // `into` now stands for `node`: its consumers count as `into`'s.
    alias.set(node.name, into.name);
    consumers.set(into.name, consumers.get(node.name) ?? 0);
    if (node.name === output) output = into.name;
  }
  nodes.splice(0, nodes.length, ...kept);
  return output;
}
function isAffine(op) {
  return op.kind === "dense" || op.kind === "conv2d" || op.kind === "conv2dTranspose";
}
/** kernel·s and (bias − μ)·s + β along the output channels (disposes what it replaces). */ function foldBatchNorm(layer, bn) {
  const [kernel, bias] = tf.tidy(()=>{
    let s = tf.rsqrt(tf.add(bn.variance, bn.epsilon));
    if (bn.gamma) s = tf.mul(s, bn.gamma);
    // Output channels: the kernel's last axis, but the third of
    // conv2dTranspose's [h, w, outC, inC].
    const scale = layer.kind === "conv2dTranspose" ? tf.reshape(s, [
      -1,
      1
    ]) : s;
    let b = tf.mul(layer.bias ? tf.sub(layer.bias, bn.mean) : tf.neg(bn.mean), s);
    if (bn.beta) b = tf.add(b, bn.beta);
    return [
      tf.mul(layer.kernel, scale),
      b
    ];
  });
  tf.dispose([
    layer.kernel,
    layer.bias ?? [],
    ...weightsOf(bn)
  ]);
  layer.kernel = kernel;
  layer.bias = bias;
}
/** kernel·scale and bias·scale + offset: a linear layer followed by a rescaling, as one. */ function foldRescale(layer, r) {
  const units = layer.kernel.shape[layer.kind === "conv2dTranspose" ? 2 : layer.kernel.rank - 1];
  const [kernel, bias] = tf.tidy(()=>[
      tf.mul(layer.kernel, r.scale),
      tf.add(tf.mul(layer.bias ?? tf.zeros([
        units
      ]), r.scale), r.offset)
    ]);
  tf.dispose([
    layer.kernel,
    layer.bias ?? []
  ]);
  layer.kernel = kernel;
  layer.bias = bias;
}
function weightsOf(op) {
  switch(op.kind){
    case "dense":
    case "conv2d":
    case "conv2dTranspose":
      return [
        op.kernel,
        ...op.bias ? [
          op.bias
        ] : []
      ];
    case "batchNorm":
      return [
        op.mean,
        op.variance,
        ...[
          op.gamma,
          op.beta
        ].filter((t)=>t !== undefined)
      ];
    case "embedding":
      return [
        op.table
      ];
    default:
      return [];
  }
}
function applyActivation(x, a) {
  switch(a.name){
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "leakyrelu":
      return tf.leakyRelu(x, a.alpha);
  }
}
/** The op as a function of its input tensors. */ function emit(op) {
  switch(op.kind){
    case "dense":
      {
        const { fused, alpha, after } = split(op.activation);
        return ([x])=>applyActivation(tf.fused.matMul({
            a: x,
            b: op.kernel,
            bias: op.bias,
            activation: fused,
            leakyreluAlpha: alpha
          }), after);
      }
    case "conv2d":
      {
        const { fused, alpha, after } = split(op.activation);
        return ([x])=>applyActivation(tf.fused.conv2d({
            x: x,
            filter: op.kernel,
            strides: op.strides,
            pad: op.padding,
            bias: op.bias,
            activation: fused,
            leakyreluAlpha: alpha
          }), after);
      }
    case "conv2dTranspose":
      {
        // tfjs has no fused transposed convolution: bias and activation follow.
        const [h, w, c] = op.outShape;
        return ([x])=>{
          let y = tf.conv2dTranspose(x, op.kernel, [
            x.shape[0],
            h,
            w,
            c
          ], op.strides, op.padding);
          if (op.bias) y = tf.add(y, op.bias);
          return applyActivation(y, op.activation);
        };
      }
    case "batchNorm":
      return ([x])=>tf.batchNorm(x, op.mean, op.variance, op.beta, op.gamma, op.epsilon);
    case "activation":
      return ([x])=>applyActivation(x, op.activation);
    case "embedding":
      // Ids [n, length] → [n, length, dim], as the Embedding layer.
      return ([ids])=>tf.gather(op.table, ids.dtype === "int32" ? ids : tf.cast(ids, "int32"));
    case "reshape":
      return ([x])=>tf.reshape(x, [
          x.shape[0],
          ...op.shape
        ]);
    case "multiply":
      return (xs)=>xs.reduce((a, b)=>tf.mul(a, b));
    case "add":
      return (xs)=>xs.reduce((a, b)=>tf.add(a, b));
    case "rescale":
      return ([x])=>tf.add(tf.mul(x, op.scale), op.offset);
    case "concatenate":
      return (xs)=>tf.concat(xs, op.axis);
  }
}
