#!/usr/bin/env bash
# RESULTS.md, Fashion-MNIST at 900 steps: one command per row (each prints the table so far).
set -euo pipefail
cd "$(dirname "$0")/../.."

# cdcgan, ns
deno task image-table --archs cdcgan --losses ns --steps 900 --out runs/results/fashion-mnist-900
# cdcgan, minimax
deno task image-table --archs cdcgan --losses minimax --steps 900 --out runs/results/fashion-mnist-900
# cdcgan, lsgan
deno task image-table --archs cdcgan --losses lsgan --steps 900 --out runs/results/fashion-mnist-900
# cdcgan, hinge
deno task image-table --archs cdcgan --losses hinge --steps 900 --out runs/results/fashion-mnist-900
# cdcgan, feature-matching
deno task image-table --archs cdcgan --losses feature-matching --steps 900 --out runs/results/fashion-mnist-900
# cdcgan, wgan-gp
deno task image-table --archs cdcgan --losses wgan-gp --steps 900 --out runs/results/fashion-mnist-900
# dcgan, ns
deno task image-table --archs dcgan --losses ns --steps 900 --out runs/results/fashion-mnist-900
# dcgan, minimax
deno task image-table --archs dcgan --losses minimax --steps 900 --out runs/results/fashion-mnist-900
# dcgan, lsgan
deno task image-table --archs dcgan --losses lsgan --steps 900 --out runs/results/fashion-mnist-900
# dcgan, hinge
deno task image-table --archs dcgan --losses hinge --steps 900 --out runs/results/fashion-mnist-900
# dcgan, feature-matching
deno task image-table --archs dcgan --losses feature-matching --steps 900 --out runs/results/fashion-mnist-900
# dcgan, wgan-gp
deno task image-table --archs dcgan --losses wgan-gp --steps 900 --out runs/results/fashion-mnist-900
# mlp, ns
deno task image-table --archs mlp --losses ns --steps 900 --out runs/results/fashion-mnist-900
# mlp, minimax
deno task image-table --archs mlp --losses minimax --steps 900 --out runs/results/fashion-mnist-900
# mlp, lsgan
deno task image-table --archs mlp --losses lsgan --steps 900 --out runs/results/fashion-mnist-900
# mlp, hinge
deno task image-table --archs mlp --losses hinge --steps 900 --out runs/results/fashion-mnist-900
# mlp, feature-matching
deno task image-table --archs mlp --losses feature-matching --steps 900 --out runs/results/fashion-mnist-900
# mlp, wgan-gp
deno task image-table --archs mlp --losses wgan-gp --steps 900 --out runs/results/fashion-mnist-900
