/**
 * What a classifier's predictions say about generated images: how they
 * spread over the classes (the mode-collapse detector for images: a
 * generator that drops classes leaves them empty), and, for conditional
 * models, how often the prediction is the class asked for.
 *
 * @module
 */

/** Class histogram of predictions and its KL from uniform. */
export interface ClassHistogram {
  /** Generated samples predicted as each class. */
  counts: number[];
  /** KL(q ‖ uniform) of the histogram q, in nats: 0 is perfectly even, log K all in one class. */
  reverseKl: number;
  /** Classes with at least one sample. */
  present: number;
}

/**
 * How the classifier spreads generated samples over the classes, with
 * KL(q ‖ uniform) = log K − H(q).
 */
export function classHistogram(predictions: ArrayLike<number>, classes: number): ClassHistogram {
  const counts = new Array(classes).fill(0);
  for (let i = 0; i < predictions.length; i++) counts[predictions[i]]++;
  const n = predictions.length;
  const reverseKl = n === 0 ? Infinity : counts.reduce((kl, c) => {
    const q = c / n;
    return q > 0 ? kl + q * Math.log(q * classes) : kl;
  }, 0);
  return { counts, reverseKl, present: counts.filter((c) => c > 0).length };
}

/** Share of `predicted` equal to `labels` (over the first predicted.length labels). */
export function labelAgreement(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length === 0 || labels.length < predicted.length) {
    throw new RangeError(
      `label agreement: ${predicted.length} predictions against ${labels.length} labels`,
    );
  }
  let agree = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) agree++;
  return agree / predicted.length;
}
