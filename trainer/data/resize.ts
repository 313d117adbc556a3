/**
 * Resampling of HWC float images. Hand-written: a separable triangle filter
 * is 50 lines, while npm's resizers bring their own image types and
 * byte-only pixels (we resample floats, and test this one exactly).
 *
 * @module
 */

/** Per output index: the first source index and the weights from there. */
interface Taps {
  first: number;
  weights: Float64Array;
}

/**
 * Filter taps along one axis from `inSize` to `outSize`. A triangle (linear)
 * kernel widened by the shrink factor: bilinear when enlarging, an average
 * over every covered source pixel when shrinking: PIL's antialiased
 * bilinear, which torchvision's Resize matches, so images look as they would
 * in a PyTorch DCGAN pipeline. Equal sizes give the identity.
 */
function axisTaps(inSize: number, outSize: number): Taps[] {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  return Array.from({ length: outSize }, (_, i) => {
    const center = (i + 0.5) * scale;
    const first = Math.max(0, Math.floor(center - support));
    const last = Math.min(inSize - 1, Math.ceil(center + support));
    const weights = new Float64Array(last - first + 1);
    let sum = 0;
    for (let j = first; j <= last; j++) {
      const w = Math.max(0, 1 - Math.abs(j + 0.5 - center) / support);
      weights[j - first] = w;
      sum += w;
    }
    for (let k = 0; k < weights.length; k++) weights[k] /= sum;
    return { first, weights };
  });
}

/**
 * Resizes an HWC image `src` (height × width × channels) to
 * outHeight × outWidth, one axis at a time.
 */
export function resizeImage(
  src: Float32Array,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  if (height === outHeight && width === outWidth) return src.slice();
  const across = axisTaps(width, outWidth);
  const down = axisTaps(height, outHeight);
  // Rows first: height × outWidth × channels.
  const mid = new Float32Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const { first, weights } = across[x];
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (let k = 0; k < weights.length; k++) {
          v += weights[k] * src[(y * width + first + k) * channels + c];
        }
        mid[(y * outWidth + x) * channels + c] = v;
      }
    }
  }
  const out = new Float32Array(outHeight * outWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    const { first, weights } = down[y];
    for (let x = 0; x < outWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (let k = 0; k < weights.length; k++) {
          v += weights[k] * mid[((first + k) * outWidth + x) * channels + c];
        }
        out[(y * outWidth + x) * channels + c] = v;
      }
    }
  }
  return out;
}

/**
 * The centred square of an HWC image (torchvision's CenterCrop, as DCGAN's
 * data pipeline does before resizing), so non-square images are not
 * stretched.
 */
export function centerCropSquare(
  src: Float32Array,
  height: number,
  width: number,
  channels: number,
): { image: Float32Array; side: number } {
  const side = Math.min(height, width);
  if (height === width) return { image: src, side };
  const top = Math.floor((height - side) / 2);
  const left = Math.floor((width - side) / 2);
  const image = new Float32Array(side * side * channels);
  for (let y = 0; y < side; y++) {
    const from = ((top + y) * width + left) * channels;
    image.set(src.subarray(from, from + side * channels), y * side * channels);
  }
  return { image, side };
}
