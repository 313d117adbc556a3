#!/usr/bin/env bash
# RESULTS.md, the class embedding's latent dimensions per class of the shipped Fashion-MNIST model.
set -euo pipefail
cd "$(dirname "$0")/../.."

deno task class-embedding --model edge/models/fashion-mnist
