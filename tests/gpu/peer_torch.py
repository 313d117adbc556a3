#!/usr/bin/env python3
"""The PyTorch side of `deno task gpu-check` (tests/gpu/check.ts).

Trains the trainer's Fashion-MNIST DCGAN (the layers of bench/peer_torch.py,
which mirror trainer/architectures.ts) for --steps generator steps after
--warmup, as the trainer's loop does: D on a real and a fake batch, then G
with the non-saturating loss on logits; Adam; batches drawn uniformly with
replacement; each step's losses read back (as the trainer logs them). Runs on
CUDA when torch sees a GPU, else on the CPU, with PyTorch's default settings.

Prints one JSON object: the side's timing and losses, and "info" (versions,
device, the TF32 switches as found).
"""
import argparse
import gzip
import importlib.util
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "peer_torch", os.path.join(HERE, "..", "..", "bench", "peer_torch.py")
)
peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peer)


def read_idx(folder, base):
    """An IDX file of `folder` (gzipped or not) as a numpy array."""
    for name, opener in ((base + ".gz", gzip.open), (base, open)):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"peer_torch.py: no {base}[.gz] in {folder}")


def main(argv):
    p = argparse.ArgumentParser(prog="peer_torch.py")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--latent-dim", type=int, default=64)
    p.add_argument("--conditional", action="store_true")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--beta1", type=float, default=0.5)
    p.add_argument("--beta2", type=float, default=0.999)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)

    torch.manual_seed(a.seed)
    cuda = torch.cuda.is_available()
    dev = torch.device("cuda" if cuda else "cpu")
    images = read_idx(a.data_dir, "train-images-idx3-ubyte")
    labels = read_idx(a.data_dir, "train-labels-idx1-ubyte")
    # [N, 1, 28, 28] in [-1, 1], as the trainer scales bytes.
    x = torch.from_numpy(images.astype(np.float32) / 127.5 - 1).unsqueeze(1).to(dev)
    y = torch.from_numpy(labels.astype(np.int64)).to(dev)
    spec = {
        "id": "dcgan",
        "latentDim": a.latent_dim,
        "output": {"kind": "image", "height": 28, "width": 28, "channels": 1},
        "width": a.width,
        "dropout": 0,
        **({"numClasses": 10} if a.conditional else {}),
    }
    G = peer.DcganG(spec).to(dev).train()
    D = peer.D(spec).to(dev).train()
    opt_d = torch.optim.Adam(D.parameters(), lr=a.lr, betas=(a.beta1, a.beta2))
    opt_g = torch.optim.Adam(G.parameters(), lr=a.lr, betas=(a.beta1, a.beta2))
    n = a.batch_size

    def classes():
        return torch.randint(0, 10, (n,), device=dev) if a.conditional else None

    def step():
        # (1) D on a real and a fake batch.
        idx = torch.randint(0, x.shape[0], (n,), device=dev)
        real, real_labels = x[idx], (y[idx] if a.conditional else None)
        z, fake_labels = torch.randn(n, a.latent_dim, device=dev), classes()
        with torch.no_grad():
            fake = G(z, fake_labels)
        opt_d.zero_grad(set_to_none=True)
        loss_d = (
            F.softplus(-D(real, real_labels)).mean() + F.softplus(D(fake, fake_labels)).mean()
        )
        loss_d.backward()
        opt_d.step()
        # (2) G, so that D calls its fakes real.
        z, fake_labels = torch.randn(n, a.latent_dim, device=dev), classes()
        opt_g.zero_grad(set_to_none=True)
        D.requires_grad_(False)
        loss_g = F.softplus(-D(G(z, fake_labels), fake_labels)).mean()
        loss_g.backward()
        D.requires_grad_(True)
        opt_g.step()
        return [loss_d.item(), loss_g.item()]  # .item() waits for the step, as the trainer's log

    losses = [step() for _ in range(a.warmup)]
    if cuda:
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    losses += [step() for _ in range(a.steps)]
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    name = torch.cuda.get_device_name(0) if cuda else "CPU"
    print(
        json.dumps(
            {
                "side": f"PyTorch {torch.__version__} {'CUDA' if cuda else 'CPU'}",
                "device": name,
                "steps": a.steps,
                "warmup": a.warmup,
                "seconds": seconds,
                "stepsPerSecond": a.steps / seconds,
                "losses": losses,
                "info": {
                    "torch": torch.__version__,
                    "cuda": torch.version.cuda,
                    "device": name,
                    "threads": torch.get_num_threads(),
                    "cudnn": torch.backends.cudnn.version() if cuda else None,
                    "tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
                    "tf32_cudnn": torch.backends.cudnn.allow_tf32,
                },
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
