/**
 * GAN objectives on discriminator logits, in numerically stable form:
 * log σ(t) = −softplus(−t) and log(1 − σ(t)) = −softplus(t), so no loss ever
 * takes the log of a saturated sigmoid. Each function returns a scalar to
 * minimise; callers run them inside a gradient tape or `tf.tidy`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The objectives `--loss` accepts. */
export const LOSSES = [
  "minimax",
  "ns",
  "wgan-gp",
  "feature-matching",
  "lsgan",
  "hinge",
] as const;
export type LossName = typeof LOSSES[number];

/** −log 4: V(G, D) at the optimum, where D = ½ everywhere. */
export const V_OPTIMUM = -Math.log(4);

const mean = (t: tf.Tensor): tf.Scalar => tf.mean(t);

/**
 * The seeds' value function V(G, D) = E[log D(x)] + E[log(1 − D(G(z)))]
 * from real logits `r` and fake logits `f`.
 */
export function valueFunction(r: tf.Tensor, f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.add(mean(tf.softplus(tf.neg(r))), mean(tf.softplus(f)))));
}

/** D's loss for the minimax family (minimax, ns, feature matching): −V. */
export function discriminatorBceLoss(r: tf.Tensor, f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(valueFunction(r, f)));
}

/** Saturating G loss of the minimax game: minimise E[log(1 − D(G(z)))]. */
export function generatorMinimaxLoss(f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(mean(tf.softplus(f))));
}

/** Non-saturating G loss: maximise E[log D(G(z))], i.e. minimise −E[log D]. */
export function generatorNsLoss(f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => mean(tf.softplus(tf.neg(f))));
}

/** WGAN critic loss E[C(G(z))] − E[C(x)] (penalty added separately). */
export function criticWassersteinLoss(r: tf.Tensor, f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sub(mean(f), mean(r)));
}

/** WGAN generator loss −E[C(G(z))]; also hinge's generator loss. */
export function generatorWassersteinLoss(f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(mean(f)));
}

/**
 * Gradient penalty λ·E[(‖∇ₓ̂ C(x̂)‖₂ − 1)²] (Gulrajani et al. 2017), from the
 * gradient of the critic at interpolates x̂, one row per sample.
 */
export function gradientPenalty(
  gradAtInterpolates: tf.Tensor,
  lambda: number,
): tf.Scalar {
  return tf.tidy(() => {
    const flat = tf.reshape(gradAtInterpolates, [
      gradAtInterpolates.shape[0],
      -1,
    ]);
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(flat), 1), 1e-12));
    return tf.mul(lambda, mean(tf.square(tf.sub(norms, 1))));
  });
}

/** Least-squares D loss ½E[(D(x) − 1)²] + ½E[D(G(z))²] (Mao et al. 2017). */
export function discriminatorLsLoss(r: tf.Tensor, f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.add(mean(tf.square(tf.sub(r, 1))), mean(tf.square(f)))));
}

/** Least-squares G loss ½E[(D(G(z)) − 1)²]. */
export function generatorLsLoss(f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, mean(tf.square(tf.sub(f, 1)))));
}

/** Hinge D loss E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]. */
export function discriminatorHingeLoss(r: tf.Tensor, f: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add(mean(tf.relu(tf.sub(1, r))), mean(tf.relu(tf.add(1, f)))));
}

/**
 * Feature matching (Salimans et al. 2016): ‖E f(x) − E f(G(z))‖² over the
 * batch means of D's intermediate features [batch, k].
 */
export function featureMatchingLoss(
  realFeatures: tf.Tensor,
  fakeFeatures: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() =>
    tf.sum(
      tf.square(tf.sub(tf.mean(realFeatures, 0), tf.mean(fakeFeatures, 0))),
    )
  );
}

/**
 * Diagnostics from the seeds: mean D(x), mean D(G(z)), V(G, D), and the
 * Jensen–Shannon estimate (V + log 4) / 2, as a [4] tensor.
 */
export function diagnostics(r: tf.Tensor, f: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const v = valueFunction(r, f);
    return tf.stack([
      mean(tf.sigmoid(r)),
      mean(tf.sigmoid(f)),
      v,
      tf.div(tf.sub(v, V_OPTIMUM), 2),
    ]) as tf.Tensor1D;
  });
}
