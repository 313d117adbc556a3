#!/usr/bin/env bash
# RESULTS.md, ring8: one command per row (5 seeds each; each prints its table).
set -euo pipefail
cd "$(dirname "$0")/../.."

# ns, pack 2
deno task toy-table --datasets ring8 --losses ns --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000
# minimax, pack 2
deno task toy-table --datasets ring8 --losses minimax --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000
# lsgan, pack 2
deno task toy-table --datasets ring8 --losses lsgan --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000
# hinge, pack 2
deno task toy-table --datasets ring8 --losses hinge --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000
# lsgan, pack 2, batch 512
deno task toy-table --datasets ring8 --losses lsgan --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack2-b512 -- --pack 2 --ema 0.999 --lr-decay linear \
  --epoch-steps 5000 --batch-size 512
# feature-matching, pack 2
deno task toy-table --datasets ring8 --losses feature-matching --seeds 0,1,2,3,4 --steps 20000 \
  --jobs 1 --out runs/results/ring8-pack2 -- --pack 2 --ema 0.999 --lr-decay linear \
  --epoch-steps 5000
# wgan-gp, pack 2
deno task toy-table --datasets ring8 --losses wgan-gp --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack2 -- --pack 2 --ema 0.999 --lr-decay linear --epoch-steps 5000
# ns, pack 4
deno task toy-table --datasets ring8 --losses ns --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack4 -- --pack 4 --ema 0.999 --lr-decay linear
# minimax, pack 4
deno task toy-table --datasets ring8 --losses minimax --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack4 -- --pack 4 --ema 0.999 --lr-decay linear
# lsgan, pack 4
deno task toy-table --datasets ring8 --losses lsgan --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack4 -- --pack 4 --ema 0.999 --lr-decay linear
# hinge, pack 4
deno task toy-table --datasets ring8 --losses hinge --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack4 -- --pack 4 --ema 0.999 --lr-decay linear
# feature-matching, pack 4
deno task toy-table --datasets ring8 --losses feature-matching --seeds 0,1,2,3,4 --steps 20000 \
  --jobs 1 --out runs/results/ring8-pack4 -- --pack 4 --ema 0.999 --lr-decay linear
# wgan-gp, pack 4
deno task toy-table --datasets ring8 --losses wgan-gp --seeds 0,1,2,3,4 --steps 20000 --jobs 1 \
  --out runs/results/ring8-pack4 -- --pack 4 --ema 0.999 --lr-decay linear
