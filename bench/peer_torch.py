#!/usr/bin/python3
"""The PyTorch peer of `deno task bench`, run by bench/peers.ts.

Every command takes --threads N first (the threads torch and its BLAS may
use; the caller also sets OMP_NUM_THREADS and OPENBLAS_NUM_THREADS) and
prints one JSON object, {"info": ..., "result": ...}; times are milliseconds.
"info" says which BLAS library the process loaded and how many threads torch
and that BLAS run.

  info
      The versions, the BLAS and the threads only.
  matmul --size 512 --runs R --warmup W
      A size x size float32 matmul (torch.mm), timed R times.
  train SPECS_JSON RUNS WARMUP
      One D+G step (D on a real and a fake batch, then G; Adam; the
      non-saturating loss on logits) for each architecture spec (the same
      fields as trainer/architectures.ts ArchitectureSpec, plus "batch"), with
      the layers of trainer/architectures.ts in PyTorch. Reports the parameter
      counts (trainable, as torch counts them; BN running statistics apart).
  generate MODEL_DIR CASE_JSON ONNX_OUT RUNS WARMUP
      Loads a gan-edge artifact (model.json + shard, dequantized), builds
      the network layer by layer from its modelTopology, compares its output
      with ours on the latents in CASE_JSON (max |delta|), times batch 1 and
      batch 64 in eager mode, and exports the ONNX file (dynamic batch).
  chain ONNX_OUT RUNS WARMUP
      The 4-layer transposed-convolution chain of issue 7 (4x4x512 to
      64x64x3, kernel 4, stride 2), timed at batch 1 and exported to ONNX.

When numpy or torch is missing it prints {"missing": [module names]} and
exits with status 3, so that the bench can name the packages to install.
"""
import argparse
import ctypes
import importlib.util
import json
import os
import re
import sys
import time

MISSING = [m for m in ("numpy", "torch") if importlib.util.find_spec(m) is None]
if MISSING:
    print(json.dumps({"missing": MISSING}))
    sys.exit(3)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(0)


def times(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def same_padding(k, s):
    if (k - s) % 2:
        raise ValueError(f"transposed conv: 'same' with k={k}, s={s} is asymmetric")
    return (k - s) // 2


# ---------------------------------------------------------------- training


class MlpG(nn.Module):
    def __init__(self, spec):
        super().__init__()
        dims = [spec["latentDim"], *spec["generatorHidden"]]
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
        self.out = nn.Linear(dims[-1], spec["output"]["dim"])
        k = spec.get("numClasses")
        self.embed = nn.Embedding(k, spec["latentDim"]) if k else None

    def forward(self, z, labels=None):
        h = z * self.embed(labels) if self.embed is not None else z
        for layer in self.hidden:
            h = F.relu(layer(h))
        return self.out(h)


class DcganG(nn.Module):
    """trainer/architectures.ts dcganGenerator: project, BN, ReLU, then
    stride-2 transposed convolutions (BN + ReLU between, tanh at the end)."""

    def __init__(self, spec):
        super().__init__()
        o = spec["output"]
        size, channels, w = o["height"], o["channels"], spec["width"]
        self.start, ups = (7, 2) if size == 28 else (4, 3)
        filters = [w * 2 ** (ups - 1 - i) for i in range(ups)]
        self.c0 = filters[0] * 2
        self.project = nn.Linear(spec["latentDim"], self.start ** 2 * self.c0, bias=False)
        self.bn_project = nn.BatchNorm1d(self.start ** 2 * self.c0, eps=1e-3, momentum=0.1)
        layers = []
        c = self.c0
        for i in range(ups):
            last = i == ups - 1
            out = channels if last else filters[i]
            layers.append(nn.ConvTranspose2d(c, out, 4, 2, same_padding(4, 2), bias=last))
            if not last:
                layers += [nn.BatchNorm2d(out, eps=1e-3, momentum=0.1), nn.ReLU()]
            c = out
        layers.append(nn.Tanh())
        self.body = nn.Sequential(*layers)
        k = spec.get("numClasses")
        self.embed = nn.Embedding(k, spec["latentDim"]) if k else None

    def forward(self, z, labels=None):
        h = z * self.embed(labels) if self.embed is not None else z
        h = F.relu(self.bn_project(self.project(h)))
        h = h.view(-1, self.start, self.start, self.c0).permute(0, 3, 1, 2)
        return self.body(h)


class D(nn.Module):
    """trainer/architectures.ts buildDiscriminator (no minibatch std)."""

    def __init__(self, spec):
        super().__init__()
        if spec.get("minibatchStd") or spec.get("pack", 1) != 1:
            raise ValueError("peer: minibatch std and packing are not benchmarked")
        o = spec["output"]
        layers = []
        if spec["id"] == "dcgan":
            depth = 2 if o["height"] == 28 else 3
            c, side = o["channels"], o["height"]
            for i in range(depth):
                out = spec["width"] * 2 ** i
                layers += [nn.Conv2d(c, out, 4, 2, 1), nn.LeakyReLU(0.2)]
                if spec["dropout"] > 0:
                    layers.append(nn.Dropout(spec["dropout"]))
                c, side = out, (side + 1) // 2
            layers.append(nn.Flatten())
            features = c * side * side
        else:
            features = o["dim"]
            for units in spec["discriminatorHidden"]:
                layers += [nn.Linear(features, units), nn.LeakyReLU(0.2)]
                if spec["dropout"] > 0:
                    layers.append(nn.Dropout(spec["dropout"]))
                features = units
        self.body = nn.Sequential(*layers)
        self.logit = nn.Linear(features, 1)
        k = spec.get("numClasses")
        self.embed = nn.Embedding(k, features) if k else None

    def forward(self, x, labels=None):
        h = self.body(x)
        out = self.logit(h)
        if self.embed is not None:
            out = out + (h * self.embed(labels)).sum(1, keepdim=True)
        return out


def count(module):
    return sum(p.numel() for p in module.parameters())


def buffers(module):
    return sum(b.numel() for name, b in module.named_buffers() if "num_batches" not in name)


def bench_train(spec, runs, warmup):
    n = spec["batch"]
    G = (DcganG if spec["id"] == "dcgan" else MlpG)(spec)
    Dn = D(spec)
    G.train()
    Dn.train()
    lr, betas = spec["lr"], (spec["beta1"], spec["beta2"])
    opt_d = torch.optim.Adam(Dn.parameters(), lr=lr, betas=betas)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    o = spec["output"]
    shape = [o["channels"], o["height"], o["width"]] if o["kind"] == "image" else [o["dim"]]
    real = torch.rand(n, *shape) * 2 - 1
    k = spec.get("numClasses")
    classes = (lambda: torch.randint(0, k, (n,))) if k else (lambda: None)
    real_labels = classes()

    def step():
        # (1) D on a real and a fake batch.
        z, fake_labels = torch.randn(n, spec["latentDim"]), classes()
        with torch.no_grad():
            fake = G(z, fake_labels)
        opt_d.zero_grad(set_to_none=True)
        loss_d = F.softplus(-Dn(real, real_labels)).mean() + F.softplus(Dn(fake, fake_labels)).mean()
        loss_d.backward()
        opt_d.step()
        # (2) G, so that D calls its fakes real (no weight gradients for D).
        z, fake_labels = torch.randn(n, spec["latentDim"]), classes()
        opt_g.zero_grad(set_to_none=True)
        Dn.requires_grad_(False)
        loss_g = F.softplus(-Dn(G(z, fake_labels), fake_labels)).mean()
        loss_g.backward()
        Dn.requires_grad_(True)
        opt_g.step()
        return loss_d.item(), loss_g.item()

    ms = times(step, runs, warmup)
    return {
        "params": {"G": count(G), "D": count(Dn), "G_buffers": buffers(G)},
        "ms": ms,
    }


# ---------------------------------------------------------------- artifact


def read_artifact(folder):
    """{weight name: float32 array} of a gan-edge artifact, dequantized as
    shared/quantize.ts does (uint8: q * scale + min; float16: IEEE half)."""
    with open(f"{folder}/model.json") as f:
        model = json.load(f)
    weights = {}
    for group in model["weightsManifest"]:
        data = b"".join(open(f"{folder}/{p}", "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            size = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q is None:
                v = np.frombuffer(data, np.float32, size, offset)
                offset += 4 * size
            elif q["dtype"] == "float16":
                v = np.frombuffer(data, np.float16, size, offset).astype(np.float32)
                offset += 2 * size
            else:
                v = np.frombuffer(data, np.uint8, size, offset).astype(np.float32) * np.float32(
                    q["scale"]
                ) + np.float32(q["min"])
                offset += size
            weights[w["name"]] = torch.from_numpy(v.reshape(w["shape"]).copy())
    return model, weights


class FromTopology(nn.Module):
    """A tfjs LayersModel's topology, layer by layer, in PyTorch (the layer
    classes our generators use). 4-D tensors are NCHW inside; the output is
    NHWC like tfjs's."""

    def __init__(self, model, weights):
        super().__init__()
        config = model["modelTopology"]["config"]
        self.layers = config["layers"]
        self.inputs = [name for name, _, _ in config["input_layers"]]
        self.output = config["output_layers"][0][0]
        self.mods = nn.ModuleDict()
        for layer in self.layers:
            cls, c, name = layer["class_name"], layer["config"], layer["name"]
            w = lambda k: weights[f"{name}/{k}"]  # noqa: E731
            if cls == "Dense":
                m = nn.Linear(*w("kernel").shape, bias=c["use_bias"])
                m.weight.data = w("kernel").T.contiguous()
                if c["use_bias"]:
                    m.bias.data = w("bias")
            elif cls == "Embedding":
                m = nn.Embedding(*w("embeddings").shape)
                m.weight.data = w("embeddings")
            elif cls == "BatchNormalization":
                g = w("gamma")
                m = nn.BatchNorm1d(g.numel(), eps=c["epsilon"])
                m.weight.data, m.bias.data = g, w("beta")
                m.running_mean.data, m.running_var.data = w("moving_mean"), w("moving_variance")
            elif cls == "Conv2DTranspose":
                kernel = w("kernel")  # [kh, kw, out, in] -> torch [in, out, kh, kw]
                kh, kw, out, cin = kernel.shape
                (sh, sw) = c["strides"]
                if c["padding"] != "same" or sh != sw or kh != kw:
                    raise ValueError(f"{name}: only square 'same' transposed convolutions")
                m = nn.ConvTranspose2d(cin, out, kh, sh, same_padding(kh, sh), bias=c["use_bias"])
                m.weight.data = kernel.permute(3, 2, 0, 1).contiguous()
                if c["use_bias"]:
                    m.bias.data = w("bias")
            elif cls in ("InputLayer", "Flatten", "Multiply", "ReLU", "Reshape", "Activation", "Rescaling"):
                continue
            else:
                raise ValueError(f"{name}: layer class {cls} is not supported by the peer")
            self.mods[name] = m

    @staticmethod
    def activation(x, name):
        return {"linear": lambda t: t, "relu": F.relu, "tanh": torch.tanh}[name or "linear"](x)

    def forward(self, *inputs):
        values = dict(zip(self.inputs, inputs))
        for layer in self.layers:
            cls, c, name = layer["class_name"], layer["config"], layer["name"]
            if cls == "InputLayer":
                continue
            args = [values[n[0]] for n in layer["inbound_nodes"][0]]
            x = args[0]
            if cls == "Embedding":
                y = self.mods[name](x.long())
            elif cls == "Flatten":
                y = (x.permute(0, 2, 3, 1) if x.dim() == 4 else x).reshape(x.shape[0], -1)
            elif cls == "Multiply":
                y = args[0] * args[1]
            elif cls == "Dense":
                y = self.activation(self.mods[name](x), c["activation"])
            elif cls == "BatchNormalization":
                m = self.mods[name]
                y = F.batch_norm(x, m.running_mean, m.running_var, m.weight, m.bias, False, 0.0, m.eps)
            elif cls == "ReLU":
                y = F.relu(x)
            elif cls == "Activation":
                y = self.activation(x, c["activation"])
            elif cls == "Reshape":
                shape = c["target_shape"]
                y = x.reshape(x.shape[0], *shape)
                if len(shape) == 3:
                    y = y.permute(0, 3, 1, 2)
            elif cls == "Conv2DTranspose":
                y = self.activation(self.mods[name](x), c["activation"])
            elif cls == "Rescaling":
                y = x * c["scale"] + c["offset"]
            values[name] = y
        y = values[self.output]
        return y.permute(0, 2, 3, 1) if y.dim() == 4 else y


def bench_generate(folder, case_file, onnx_out, runs, warmup):
    model, weights = read_artifact(folder)
    G = FromTopology(model, weights).eval()
    meta = model["userDefinedMetadata"]
    dim = meta["latent"]["dim"]
    conditional = "classNames" in meta
    with open(case_file) as f:
        case = json.load(f)
    n = case["n"]
    z = torch.tensor(case["z"], dtype=torch.float32).view(n, dim)
    labels = torch.tensor(case.get("labels") or [0] * n, dtype=torch.float32).view(n, 1)
    args = (z, labels) if conditional else (z,)
    with torch.no_grad():
        ours = torch.tensor(case["out"], dtype=torch.float32)
        theirs = G(*args).reshape(-1)
        delta = (theirs - ours).abs()
        result = {
            "max_abs_diff": float(delta.max()),
            "mean_abs_diff": float(delta.mean()),
            "compared": n,
            "params": sum(v.numel() for v in weights.values()),
        }
        for batch in (1, 64):
            zb = torch.randn(batch, dim)
            lb = torch.randint(0, len(meta.get("classNames") or [0]), (batch, 1)).float()
            call = (lambda: G(zb, lb)) if conditional else (lambda: G(zb))
            result[f"batch{batch}_ms"] = times(call, runs if batch == 1 else max(5, runs // 4), warmup)
    names = ["z", "label"] if conditional else ["z"]
    torch.onnx.export(
        G,
        args,
        onnx_out,
        input_names=names,
        output_names=["sample"],
        dynamic_axes={k: {0: "n"} for k in names + ["sample"]},
        opset_version=13,
    )
    return result


def bench_chain(onnx_out, runs, warmup):
    chans = [512, 256, 128, 64, 3]
    chain = nn.Sequential(
        *[nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False) for a, b in zip(chans, chans[1:])]
    ).eval()
    x = torch.randn(1, 512, 4, 4)
    with torch.no_grad():
        ms = times(lambda: chain(x), runs, warmup)
    torch.onnx.export(chain, (x,), onnx_out, input_names=["x"], output_names=["y"], opset_version=13)
    return {"ms": ms}


# ---------------------------------------------------------------- BLAS


def loaded_blas():
    """The BLAS and LAPACK libraries this process has mapped (torch links
    libblas.so.3, which Debian's alternatives point at OpenBLAS or at the
    reference BLAS), resolved to real paths."""
    pattern = re.compile(r"lib(open)?blas|libmkl|libblis|libcblas|libatlas|liblapack")
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/" in line and pattern.search(line)}
    return sorted({os.path.realpath(p) for p in paths})


class DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def sgemm_provider():
    """The file whose sgemm_ torch calls: the symbol as libtorch_cpu's own
    lookup finds it (its dependencies in load order), then dladdr. The mapped
    files alone can mislead: with a reference libblas.so.3 on
    LD_LIBRARY_PATH, Debian's liblapack.so.3 still maps OpenBLAS."""
    with open("/proc/self/maps") as f:
        torch_libs = [line.split()[-1] for line in f if "libtorch_cpu" in line]
    if not torch_libs:
        return None
    try:
        address = ctypes.cast(ctypes.CDLL(torch_libs[0]).sgemm_, ctypes.c_void_p)
    except AttributeError:
        return None
    libc = ctypes.CDLL("libc.so.6")
    libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
    info = DlInfo()
    if not libc.dladdr(address, ctypes.byref(info)) or not info.dli_fname:
        return None
    return os.path.realpath(info.dli_fname.decode())


def openblas_call(library, name, restype, *args):
    """Calls OpenBLAS's `name` through `library` (None if it has no such function)."""
    if library is None:
        return None
    try:
        fn = getattr(ctypes.CDLL(library), name)
    except (OSError, AttributeError):
        return None
    fn.restype = restype
    return fn(*args)


def blas_info():
    sgemm = sgemm_provider()
    config = openblas_call(sgemm, "openblas_get_config", ctypes.c_char_p)
    shown = torch.__config__.show()
    alternative = "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"
    info = {
        "torch_blas_info": (re.search(r"BLAS_INFO=(\w+)", shown) or [None, None])[1],
        "sgemm": sgemm,
        "loaded": loaded_blas(),
        "alternative": os.path.realpath(alternative) if os.path.exists(alternative) else None,
        "openblas_config": config.decode() if config else None,
        "blas_threads": openblas_call(sgemm, "openblas_get_num_threads", ctypes.c_int),
        "threadpoolctl": None,
    }
    if importlib.util.find_spec("threadpoolctl"):
        from threadpoolctl import threadpool_info

        info["threadpoolctl"] = [
            {k: p.get(k) for k in ("internal_api", "version", "num_threads", "filepath")}
            for p in threadpool_info()
        ]
    return info


def set_threads(n):
    """torch's intra-op threads and, when it is OpenBLAS, the BLAS's own."""
    torch.set_num_threads(n)
    openblas_call(sgemm_provider(), "openblas_set_num_threads", None, ctypes.c_int(n))


def bench_matmul(size, runs, warmup):
    """Times torch.mm, and checks its product against float64: the BLAS's
    kernel for this CPU must be right before its speed counts."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    exact = a.double() @ b.double()
    error = float(((torch.mm(a, b).double() - exact).abs().max() / exact.abs().max()))
    ms = times(lambda: torch.mm(a, b), runs, warmup)
    return {"size": size, "ms": ms, "seconds": sum(ms) / 1000, "max_rel_error": error}


def main(argv):
    parser = argparse.ArgumentParser(prog="peer_torch.py")
    parser.add_argument("--threads", type=int, required=True)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("info")
    m = sub.add_parser("matmul")
    m.add_argument("--size", type=int, default=512)
    m.add_argument("--runs", type=int, default=50)
    m.add_argument("--warmup", type=int, default=5)
    t = sub.add_parser("train")
    for name in ("specs", "runs", "warmup"):
        t.add_argument(name)
    g = sub.add_parser("generate")
    for name in ("model_dir", "case_json", "onnx_out", "runs", "warmup"):
        g.add_argument(name)
    c = sub.add_parser("chain")
    for name in ("onnx_out", "runs", "warmup"):
        c.add_argument(name)
    a = parser.parse_args(argv[1:])
    set_threads(a.threads)
    if a.cmd == "train":
        specs = json.loads(a.specs)
        out = {name: bench_train(spec, int(a.runs), int(a.warmup)) for name, spec in specs.items()}
    elif a.cmd == "generate":
        out = bench_generate(a.model_dir, a.case_json, a.onnx_out, int(a.runs), int(a.warmup))
    elif a.cmd == "chain":
        out = bench_chain(a.onnx_out, int(a.runs), int(a.warmup))
    elif a.cmd == "matmul":
        out = bench_matmul(a.size, a.runs, a.warmup)
    else:
        out = {}
    info = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "numpy": np.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_info(),
    }
    print(json.dumps({"info": info, "result": out}))


if __name__ == "__main__":
    main(sys.argv)
