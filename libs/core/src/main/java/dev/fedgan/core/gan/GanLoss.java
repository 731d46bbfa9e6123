package dev.fedgan.core.gan;

/** The adversarial loss (reference section 3). */
public enum GanLoss {
    /** Improved Wasserstein loss with gradient penalty (Gulrajani et al. 2017), λ = 10: the reference. */
    WASSERSTEIN_GP,
    /** The non-saturating GAN loss (Goodfellow et al. 2014, TF-GAN's "modified" loss); no penalty. */
    NON_SATURATING
}
