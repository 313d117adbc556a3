#!/usr/bin/env bash
# The machine's side of tests/gpu/pack.sh: run from the packed folder, on a
# machine that reaches no registry. Unpacks the Vulkan loader and deno, points
# wgpu at the NVIDIA driver where the image keeps it apart, and runs the
# bundled gpu-check with the flags given:
#   bash DIR/run.sh [gpu-check flags]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for f in "$here"/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
xz -dc "$here/deno.xz" >/tmp/deno && chmod +x /tmp/deno
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null
grep -m1 "model name" /proc/cpuinfo
# wgpu finds a driver through its Vulkan ICD file; some images keep NVIDIA's
# under /usr/local/nvidia only.
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [[ -f $icd ]] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* &>/dev/null; then
  export VK_DRIVER_FILES=$icd
fi
cd "$here" && XDG_RUNTIME_DIR=/tmp /tmp/deno run -A --no-config tests/gpu/check.bundle.js \
  --data-dir fashion-mnist "$@"
