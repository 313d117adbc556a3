#!/usr/bin/env bash
# RESULTS.md, Shipped models: the commands that made and measured each shipped generator.
set -euo pipefail
cd "$(dirname "$0")/../.."

# edge/models/fashion-mnist
deno task train --dataset fashion-mnist --conditional --width 32 --latent-dim 64 --ema 0.999 \
  --steps 6573 --quantize uint8 --out runs/results/fashion-mnist
deno task eval --model runs/results/fashion-mnist/model --run runs/results/fashion-mnist --record
# edge/models/ring8
deno task train --dataset ring8 --loss lsgan --pack 2 --batch-size 512 --ema 0.999 \
  --lr-decay linear --steps 20000 --epoch-steps 5000 --seed 0 --quantize float16 \
  --out runs/results/ring8
deno task eval --model runs/results/ring8/model --run runs/results/ring8 --record
# the classifier of the image metrics (trainer/classifier/models/fashion-mnist)
deno task train-classifier --dataset fashion-mnist --out runs/results/classifier
