package dev.fedgan.core.dpsgd;

/**
 * A per-example loss on a network's output vector: what {@link Network#addGradient(org.nd4j.linalg.api.ndarray.INDArray,
 * Loss, double[], boolean)} back-propagates. Each example's loss depends on its own output only, so each example's
 * parameter gradient is its own, and can be clipped on its own.
 */
@FunctionalInterface
public interface Loss {

    /**
     * dLᵢ/dzᵢ for every example i, from the outputs z [batch][outputs].
     *
     * @throws IllegalArgumentException if the outputs do not fit the loss (a label outside the classes)
     */
    double[][] outputGradient(double[][] outputs);

    /** Softmax cross-entropy against each example's class: softmax(zᵢ) − onehot(yᵢ). */
    static Loss crossEntropy(int[] labels) {
        return z -> {
            if (z.length != labels.length) {
                throw new IllegalArgumentException(z.length + " examples but " + labels.length + " labels");
            }
            double[][] grad = new double[z.length][];
            for (int i = 0; i < z.length; i++) {
                int classes = z[i].length;
                int y = labels[i];
                if (y < 0 || y >= classes) {
                    throw new IllegalArgumentException("label " + y + " of example " + i + " is outside [0, " + classes
                            + ")");
                }
                double max = Double.NEGATIVE_INFINITY;
                for (double v : z[i]) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                grad[i] = new double[classes];
                for (int c = 0; c < classes; c++) {
                    grad[i][c] = Math.exp(z[i][c] - max);
                    sum += grad[i][c];
                }
                for (int c = 0; c < classes; c++) {
                    grad[i][c] /= sum;
                }
                grad[i][y] -= 1;
            }
            return grad;
        };
    }

    /**
     * Binary cross-entropy of a single logit against {@code target} (1 for a real image, 0 for a fake one: the
     * DCGAN's loss on the discriminator's sigmoid output): Lᵢ = −t·log σ(zᵢ) − (1 − t)·log(1 − σ(zᵢ)), so
     * dLᵢ/dzᵢ = σ(zᵢ) − t.
     */
    static Loss binaryCrossEntropy(double target) {
        if (!(target >= 0 && target <= 1)) {
            throw new IllegalArgumentException("the target must be in [0, 1], got " + target);
        }
        return z -> {
            double[][] grad = new double[z.length][1];
            for (int i = 0; i < z.length; i++) {
                if (z[i].length != 1) {
                    throw new IllegalArgumentException("binary cross-entropy takes one logit per example, got "
                            + z[i].length);
                }
                grad[i][0] = binaryCrossEntropyGradient(z[i][0], target);
            }
            return grad;
        };
    }

    /**
     * A single output weighted per row, Lᵣ = wᵣ·zᵣ, so dLᵣ/dzᵣ = wᵣ: a Wasserstein critic's scores (−1 on real images,
     * +1 on generated ones) and the parts of a gradient penalty.
     */
    static Loss weighted(double[] weights) {
        double[] w = weights.clone();
        return z -> {
            if (z.length != w.length) {
                throw new IllegalArgumentException(z.length + " rows but " + w.length + " weights");
            }
            double[][] grad = new double[z.length][1];
            for (int r = 0; r < z.length; r++) {
                if (z[r].length != 1) {
                    throw new IllegalArgumentException("a weighted score takes one output per row, got " + z[r].length);
                }
                grad[r][0] = w[r];
            }
            return grad;
        };
    }

    /** dLᵢ/dzᵢ of {@link #binaryCrossEntropy}: σ(z) − t. */
    static double binaryCrossEntropyGradient(double z, double target) {
        return 1 / (1 + Math.exp(-z)) - target;
    }

    /** Lᵢ from {@link #binaryCrossEntropy}'s logit, stably: softplus(z) − t·z. */
    static double binaryCrossEntropyValue(double z, double target) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - target * z;
    }
}
