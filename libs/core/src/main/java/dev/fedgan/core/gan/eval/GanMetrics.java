package dev.fedgan.core.gan.eval;

import dev.fedgan.core.data.WriterData;

/**
 * Evaluation figures of a GAN run (reference section 5) and the polarity figure that shows the inversion bug
 * (reference section 8).
 *
 * <ul>
 *   <li>{@link #classifierScore}: the Inception-score analogue computed with the primary classifier's logits, as
 *       TF-GAN's {@code classifier_score_from_logits}.</li>
 *   <li>{@link #frechetDistance}: the Fréchet classifier distance between two batches of activations (the
 *       classifier's logits), as TF-GAN's {@code frechet_classifier_distance_from_activations}: unbiased (N−1)
 *       covariances and {@code Tr(sqrt(C^1/2 C_w C^1/2))} with matrix square roots whose singular values below
 *       {@value #SQRT_EPS} are left un-rooted.</li>
 *   <li>{@link #meanPixel} and the polarity ({@link PolarityScale}): the mean pixel of images in fedgan's internal
 *       form, about −0.7 for normal digits (mostly background −1) and +0.7 for inverted ones.</li>
 * </ul>
 * All arithmetic is in double precision (the reference casts logits to float64).
 */
public final class GanMetrics {

    /** Singular values below this are not square-rooted (TF-GAN {@code _symmetric_matrix_square_root}, eps). */
    public static final double SQRT_EPS = 1e-10;

    /** The pixel polarity of a batch of images: white-on-black (normal), black-on-white (inverted) or neither. */
    public enum Polarity {
        /** Mean pixel at or below −{@link PolarityScale#bound()}: dark background, as the classifier expects. */
        NORMAL,
        /** Mean pixel at or above +{@link PolarityScale#bound()}: light background, the inversion bug's signature. */
        INVERTED,
        /** Mean pixel strictly between the two thresholds. */
        UNCLEAR
    }

    private GanMetrics() {
    }

    /**
     * Classifier score: p(y|x) = softmax of each row of logits, p(y) = the batch mean of p(y|x),
     * score = exp(mean over rows of KL(p(y|x) ‖ p(y))), with log p(y|x) taken as the log-softmax of the logits
     * (stable for large logits). Ranges from 1 (every row predicts the same distribution) to the number of
     * classes. A term with p(y|x) = 0 exactly (underflow) contributes 0, its limit.
     *
     * @param logits one row per image, one column per class; at least one row, all rows the same width
     */
    public static double classifierScore(double[][] logits) {
        int n = rows(logits, "logits");
        int k = width(logits, "logits", 1);
        double[][] logP = new double[n][k];
        double[] q = new double[k];
        for (int b = 0; b < n; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, logits[b][c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(logits[b][c] - max);
            }
            double logZ = max + Math.log(sum);
            for (int c = 0; c < k; c++) {
                logP[b][c] = logits[b][c] - logZ;
                q[c] += Math.exp(logP[b][c]);
            }
        }
        double[] logQ = new double[k];
        for (int c = 0; c < k; c++) {
            logQ[c] = Math.log(q[c] / n);
        }
        double meanKl = 0;
        for (int b = 0; b < n; b++) {
            double kl = 0;
            for (int c = 0; c < k; c++) {
                double p = Math.exp(logP[b][c]);
                if (p > 0) {
                    kl += p * (logP[b][c] - logQ[c]);
                }
            }
            meanKl += kl;
        }
        return Math.exp(meanKl / n);
    }

    /**
     * Fréchet classifier distance between two batches of activations:
     * ‖m − m_w‖² + Tr(C + C_w) − 2·Tr(sqrt(C^{1/2} C_w C^{1/2})), with m, m_w the column means, C, C_w the
     * unbiased (N−1) covariances, and matrix square roots as TF-GAN takes them (see {@link #SQRT_EPS}). The
     * batches may have different numbers of rows. Symmetric in its arguments up to rounding.
     *
     * @param real      activations of real images, at least 2 rows
     * @param generated activations of generated images, at least 2 rows, same width as {@code real}
     */
    public static double frechetDistance(double[][] real, double[][] generated) {
        int n1 = rows(real, "real activations");
        int n2 = rows(generated, "generated activations");
        if (n1 < 2) {
            throw new IllegalArgumentException("real activations: need at least 2 rows for a covariance, got " + n1);
        }
        if (n2 < 2) {
            throw new IllegalArgumentException("generated activations: need at least 2 rows for a covariance, got " + n2);
        }
        int d = width(real, "real activations", 1);
        int dw = width(generated, "generated activations", 1);
        if (d != dw) {
            throw new IllegalArgumentException("activation widths differ: real " + d + ", generated " + dw);
        }
        double[] m = new double[d];
        double[] mw = new double[d];
        double[][] c = covariance(real, m);
        double[][] cw = covariance(generated, mw);
        double meanTerm = 0;
        double traceTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = m[i] - mw[i];
            meanTerm += diff * diff;
            traceTerm += c[i][i] + cw[i][i];
        }
        double[][] sqrtC = symmetricSqrt(c);
        double[][] inner = multiply(sqrtC, multiply(cw, sqrtC));
        double[][] sqrtInner = symmetricSqrt(inner);
        double traceSqrt = 0;
        for (int i = 0; i < d; i++) {
            traceSqrt += sqrtInner[i][i];
        }
        return meanTerm + traceTerm - 2 * traceSqrt;
    }

    /**
     * Mean over all pixels of images in fedgan's internal form ([-1, 1], background −1): about −0.7 for normal
     * digits, +0.7 for inverted ones, −1 for blank images.
     *
     * @param images {@code n * 784} values, n ≥ 1, no NaN
     */
    public static double meanPixel(float[] images) {
        if (images == null) {
            throw new IllegalArgumentException("images must not be null");
        }
        if (images.length == 0 || images.length % WriterData.PIXELS != 0) {
            throw new IllegalArgumentException("images: length " + images.length + " is not a positive multiple of "
                    + WriterData.PIXELS);
        }
        double s = 0;
        for (int i = 0; i < images.length; i++) {
            float v = images[i];
            if (Float.isNaN(v)) {
                throw new IllegalArgumentException("images: NaN at pixel " + (i % WriterData.PIXELS) + " of image "
                        + (i / WriterData.PIXELS));
            }
            s += v;
        }
        return s / images.length;
    }

    /** The polarity of a batch on the reference's scale ({@link PolarityScale#REFERENCE}). */
    public static Polarity polarity(float[] images) {
        return polarityOf(meanPixel(images));
    }

    /** The polarity a mean pixel stands for on the reference's scale ({@link PolarityScale#REFERENCE}). */
    public static Polarity polarityOf(double meanPixel) {
        return PolarityScale.REFERENCE.polarityOf(meanPixel);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static int rows(double[][] a, String what) {
        if (a == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (a.length == 0) {
            throw new IllegalArgumentException(what + ": no rows");
        }
        return a.length;
    }

    /** The common row width; rejects null rows, ragged rows, NaN and infinities. */
    private static int width(double[][] a, String what, int minWidth) {
        if (a[0] == null) {
            throw new IllegalArgumentException(what + ": row 0 is null");
        }
        int w = a[0].length;
        if (w < minWidth) {
            throw new IllegalArgumentException(what + ": rows have width " + w + ", need at least " + minWidth);
        }
        for (int r = 0; r < a.length; r++) {
            if (a[r] == null) {
                throw new IllegalArgumentException(what + ": row " + r + " is null");
            }
            if (a[r].length != w) {
                throw new IllegalArgumentException(what + ": row " + r + " has width " + a[r].length
                        + ", row 0 has " + w);
            }
            for (int c = 0; c < w; c++) {
                if (!Double.isFinite(a[r][c])) {
                    throw new IllegalArgumentException(what + ": value " + a[r][c] + " at row " + r + ", column " + c);
                }
            }
        }
        return w;
    }

    /** Unbiased covariance of the rows of {@code x}; writes the column means into {@code mean}. */
    static double[][] covariance(double[][] x, double[] mean) {
        int n = x.length;
        int d = mean.length;
        for (double[] row : x) {
            for (int i = 0; i < d; i++) {
                mean[i] += row[i];
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= n;
        }
        double[][] cov = new double[d][d];
        double[] centred = new double[d];
        for (double[] row : x) {
            for (int i = 0; i < d; i++) {
                centred[i] = row[i] - mean[i];
            }
            for (int i = 0; i < d; i++) {
                double ci = centred[i];
                for (int j = i; j < d; j++) {
                    cov[i][j] += ci * centred[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                cov[i][j] /= (n - 1);
                cov[j][i] = cov[i][j];
            }
        }
        return cov;
    }

    /**
     * The square root of a symmetric matrix as TF-GAN's {@code _symmetric_matrix_square_root} computes it with an
     * SVD {@code U S V^T}: singular values below {@link #SQRT_EPS} are kept as they are, the others rooted. For a
     * symmetric matrix with eigen-decomposition {@code Q Λ Q^T} the SVD has {@code S = |Λ|} and
     * {@code V = Q sign(Λ)}, so {@code U f(S) V^T = Q diag(sign(λ) f(|λ|)) Q^T}: an eigenvalue λ maps to λ when
     * |λ| < eps, else to sign(λ)·sqrt(|λ|). The input is symmetrised first (it is symmetric up to rounding).
     */
    static double[][] symmetricSqrt(double[][] a) {
        int d = a.length;
        double[][] s = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                s[i][j] = 0.5 * (a[i][j] + a[j][i]);
            }
        }
        double[][] q = new double[d][d];
        double[] lambda = jacobiEigen(s, q);
        double[] f = new double[d];
        for (int k = 0; k < d; k++) {
            double l = lambda[k];
            double abs = Math.abs(l);
            f[k] = abs < SQRT_EPS ? l : Math.copySign(Math.sqrt(abs), l);
        }
        double[][] r = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = 0;
                for (int k = 0; k < d; k++) {
                    v += q[i][k] * f[k] * q[j][k];
                }
                r[i][j] = v;
                r[j][i] = v;
            }
        }
        return r;
    }

    /**
     * Cyclic Jacobi eigen-decomposition of a symmetric matrix (destroyed). Returns the eigenvalues; the columns of
     * {@code vectors} become the matching orthonormal eigenvectors. Converges quadratically; d ≤ 62 here.
     */
    static double[] jacobiEigen(double[][] a, double[][] vectors) {
        int d = a.length;
        for (int i = 0; i < d; i++) {
            java.util.Arrays.fill(vectors[i], 0);
            vectors[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < d; i++) {
                diag += a[i][i] * a[i][i];
                for (int j = i + 1; j < d; j++) {
                    off += a[i][j] * a[i][j];
                }
            }
            if (off == 0 || off <= 1e-30 * diag) {
                break;
            }
            for (int p = 0; p < d; p++) {
                for (int r = p + 1; r < d; r++) {
                    double apr = a[p][r];
                    if (apr == 0) {
                        continue;
                    }
                    double theta = (a[r][r] - a[p][p]) / (2 * apr);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < d; k++) {
                        double akp = a[k][p];
                        double akr = a[k][r];
                        a[k][p] = c * akp - s * akr;
                        a[k][r] = s * akp + c * akr;
                    }
                    for (int k = 0; k < d; k++) {
                        double apk = a[p][k];
                        double ark = a[r][k];
                        a[p][k] = c * apk - s * ark;
                        a[r][k] = s * apk + c * ark;
                    }
                    for (int k = 0; k < d; k++) {
                        double vkp = vectors[k][p];
                        double vkr = vectors[k][r];
                        vectors[k][p] = c * vkp - s * vkr;
                        vectors[k][r] = s * vkp + c * vkr;
                    }
                }
            }
        }
        double[] lambda = new double[d];
        for (int i = 0; i < d; i++) {
            lambda[i] = a[i][i];
        }
        return lambda;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        int k = b.length;
        double[][] r = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < k; l++) {
                double ail = a[i][l];
                if (ail == 0) {
                    continue;
                }
                for (int j = 0; j < m; j++) {
                    r[i][j] += ail * b[l][j];
                }
            }
        }
        return r;
    }
}
