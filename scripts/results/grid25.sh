#!/usr/bin/env bash
# RESULTS.md, grid25: one command per row (5 seeds each; each prints its table).
set -euo pipefail
cd "$(dirname "$0")/../.."

# ns, pack 2
deno task toy-table --datasets grid25 --losses ns --seeds 0,1,2,3,4 --steps 30000 --jobs 1 \
  --out runs/results/grid25-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000 \
  --g-hidden 256,256,256 --d-hidden 256,256
# minimax, pack 2
deno task toy-table --datasets grid25 --losses minimax --seeds 0,1,2,3,4 --steps 30000 --jobs 1 \
  --out runs/results/grid25-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000 \
  --g-hidden 256,256,256 --d-hidden 256,256
# lsgan, pack 2
deno task toy-table --datasets grid25 --losses lsgan --seeds 0,1,2,3,4 --steps 30000 --jobs 1 \
  --out runs/results/grid25-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000 \
  --g-hidden 256,256,256 --d-hidden 256,256
# hinge, pack 2
deno task toy-table --datasets grid25 --losses hinge --seeds 0,1,2,3,4 --steps 30000 --jobs 1 \
  --out runs/results/grid25-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000 \
  --g-hidden 256,256,256 --d-hidden 256,256
# feature-matching, pack 2
deno task toy-table --datasets grid25 --losses feature-matching --seeds 0,1,2,3,4 --steps 30000 --jobs 1 \
  --out runs/results/grid25-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000 \
  --g-hidden 256,256,256 --d-hidden 256,256
# wgan-gp, pack 2
deno task toy-table --datasets grid25 --losses wgan-gp --seeds 0,1,2,3,4 --steps 30000 --jobs 1 \
  --out runs/results/grid25-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000 \
  --g-hidden 256,256,256 --d-hidden 256,256
