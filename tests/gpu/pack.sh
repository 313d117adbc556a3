#!/usr/bin/env bash
# Packs what `deno task gpu-check` needs on an x86-64 Linux machine that
# reaches no registry (a lent GPU machine) into one folder, DIR (default .gpu):
#
#   deno.xz                      this machine's deno, xz-compressed (~30 MB)
#   tests/gpu/check.bundle.js    tests/gpu/check.ts with the npm code it runs
#                                (deno bundle; ~5 MB instead of ~400 MB of
#                                node_modules), and tfjs-backend-wasm's .wasm
#                                files beside it (check.ts points the loader there)
#   tests/gpu/peer_torch.py, bench/peer_torch.py   the PyTorch side
#   fashion-mnist/               the first $IMAGES Fashion-MNIST training images
#                                and labels (IDX, gzipped; default 10000)
#   debs/                        the Vulkan loader (libvulkan1) and GL dispatch
#                                libraries, for wgpu on the machine's driver
#   run.sh                       the machine's side (tests/gpu/run.sh):
#                                bash DIR/run.sh [gpu-check flags]
# Usage: tests/gpu/pack.sh [DIR]     (IMAGES=N to change the image count)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${1:-.gpu}" && cd "${1:-.gpu}" && pwd)
images=${IMAGES:-10000}
mkdir -p "$out/tests/gpu" "$out/bench" "$out/fashion-mnist" "$out/debs"

deno_bin=$(readlink -f "$(command -v deno)")
if [[ ! -s "$out/deno.xz" || "$deno_bin" -nt "$out/deno.xz" ]]; then
  echo "compressing $deno_bin (a few minutes)"
  xz -T0 -6 -c "$deno_bin" >"$out/deno.xz"
fi

# tfjs-node-gpu is imported only for --backend tensorflow: left out.
(cd "$root" && deno bundle --quiet --platform deno --external @tensorflow/tfjs-node-gpu \
  -o "$out/tests/gpu/check.bundle.js" tests/gpu/check.ts)
wasm_dir=$(cd "$root" && deno eval --quiet \
  'console.log(new URL(".", import.meta.resolve("@tensorflow/tfjs-backend-wasm")).pathname)')
cp "$wasm_dir"/*.wasm "$out/tests/gpu/"
cp "$root/tests/gpu/peer_torch.py" "$out/tests/gpu/"
cp "$root/bench/peer_torch.py" "$out/bench/"

# The first $images images and labels, with the IDX headers' counts to match.
python3 - "${DATA_DIR:-/usr/share/datasets/fashion-mnist}" "$out/fashion-mnist" "$images" <<'EOF'
import gzip, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for base, item in (("train-images-idx3-ubyte", 28 * 28), ("train-labels-idx1-ubyte", 1)):
    data = gzip.open(f"{src}/{base}.gz").read()
    dims = data[3]
    header = bytearray(data[: 4 + 4 * dims])
    header[4:8] = n.to_bytes(4, "big")
    with gzip.open(f"{dst}/{base}.gz", "wb") as f:
        f.write(bytes(header) + data[4 + 4 * dims : 4 + 4 * dims + n * item])
EOF

# The loader and the GL dispatch libraries an NVIDIA driver's Vulkan ICD may link.
(cd "$out/debs" && apt-get download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2 \
  >/dev/null 2>&1)
cp "$root/tests/gpu/run.sh" "$out/"
du -sh "$out"
echo "On the machine: bash $(basename "$out")/run.sh [gpu-check flags]"
