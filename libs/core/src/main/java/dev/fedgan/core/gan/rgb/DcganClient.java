package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.dpsgd.Loss;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.RdpAccountant;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One client of the DP DCGAN: a discriminator trained with DP-SGD on the client's own images, and a generator
 * trained against it. Each step:
 * <ol>
 *   <li>the discriminator ({@link Objective}: the DCGAN's cross-entropy, or WGAN-GP's scores with the gradient
 *       penalty inside each real image's clipped gradient): each image is drawn independently with probability
 *       q = B/n (Poisson); each drawn
 *       image's gradient of its own loss (binary cross-entropy, target real) is clipped to L2 norm S and summed,
 *       N(0, (zS)²) from the noise stream is added to the sum; the fake term (B generated images, target fake) is
 *       added unnoised and uncharged, since it touches no real image (Opacus issue #418), but each fake image's
 *       gradient clipped to the same S: unclipped, the fake term outweighs the clipped real term and the
 *       discriminator learns to call every image fake; the total over B, one Adam step. The accountant charges one
 *       sampled Gaussian mechanism (q, z): real-data steps only.</li>
 *   <li>the generator: B generated images, the gradient of the discriminator's loss with target real back to the
 *       images and through the generator, over B, one Adam step: post-processing of the discriminator.</li>
 * </ol>
 * The guarantee is sample-level: it protects one of the client's images, against everyone who sees the client's
 * networks.
 */
public final class DcganClient {

    /** The first bytes of a {@link #state}. */
    private static final int STATE_MAGIC = 0x46474443; // "FGDC"

    /** Images per forward pass of the discriminator. */
    static final int PHYSICAL_BATCH = 64;

    /** λ, the gradient penalty's weight (Gulrajani et al. 2017). */
    static final double PENALTY_WEIGHT = 10;

    /**
     * h, the step of the central difference that gives the penalty's parameter gradient, along a unit vector in the
     * 64×64×3 image space (whose images have norms near 55): small enough that few LeakyReLU kinks fall within ±h
     * (a difference across a kink misses the gradient), large against float32's rounding of the two gradients it
     * subtracts.
     */
    static final double PENALTY_STEP = 1e-3;

    /**
     * What the discriminator minimises, against a target t (1 for a real image, 0 for a generated one) on its
     * output z.
     */
    public enum Objective {
        /** The DCGAN's binary cross-entropy on σ(z): −t·log σ(z) − (1 − t)·log(1 − σ(z)). */
        DCGAN,
        /**
         * WGAN-GP (Gulrajani et al. 2017): z is a critic's score, its loss (1 − 2t)·z (−z on a real image, +z on a
         * generated one, −z for the generator), plus on each real image λ(‖∇ₓz(x̂)‖ − 1)² at a random point x̂
         * between it and a generated image: inside that image's clipped gradient, since x̂ is made from it.
         */
        WGAN_GP;

        /** dL/dz. */
        double gradient(double z, double target) {
            return this == DCGAN ? Loss.binaryCrossEntropyGradient(z, target) : 1 - 2 * target;
        }

        /** L(z). */
        double value(double z, double target) {
            return this == DCGAN ? Loss.binaryCrossEntropyValue(z, target) : (1 - 2 * target) * z;
        }

        /** The command line's name: dcgan or wgan-gp. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /**
         * @throws IllegalArgumentException naming the choices
         */
        public static Objective of(String label) {
            for (Objective o : values()) {
                if (o.label().equals(label)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("the loss is dcgan or wgan-gp, got '" + label + "'");
        }
    }

    /**
     * @param clipNorm        S, each real image's gradient bound (&gt; 0)
     * @param noiseMultiplier z (&ge; 0; 0 only when {@code nonPrivate})
     * @param expectedBatch   B, the expected real images per step, and the generated images per step
     * @param learningRate    Adam's, for both networks (DCGAN: 2·10⁻⁴)
     * @param beta1           Adam's β₁ (DCGAN: 0.5)
     * @param seed            the latent draws, and sampling and noise when {@code reproducible}
     * @param reproducible    seeded sampling and noise: reproducible runs, NOT private
     * @param nonPrivate      no clipping and no noise (and nothing accounted)
     * @param objective       the discriminator's loss
     */
    public record Options(double clipNorm, double noiseMultiplier, int expectedBatch, double learningRate,
                          double beta1, long seed, boolean reproducible, boolean nonPrivate, Objective objective) {

        /** Options of a DCGAN (binary cross-entropy) client. */
        public Options(double clipNorm, double noiseMultiplier, int expectedBatch, double learningRate, double beta1,
                       long seed, boolean reproducible, boolean nonPrivate) {
            this(clipNorm, noiseMultiplier, expectedBatch, learningRate, beta1, seed, reproducible, nonPrivate,
                    Objective.DCGAN);
        }

        /** The same options with another seed (a client's own). */
        public Options withSeed(long s) {
            return new Options(clipNorm, noiseMultiplier, expectedBatch, learningRate, beta1, s, reproducible,
                    nonPrivate, objective);
        }

        public Options {
            if (objective == null) {
                throw new IllegalArgumentException("a client needs its loss: dcgan or wgan-gp");
            }
            if (!nonPrivate && (!(clipNorm > 0) || !(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier))) {
                throw new IllegalArgumentException("DP needs S > 0 and a finite z > 0, got S " + clipNorm + ", z "
                        + noiseMultiplier);
            }
            if (expectedBatch < 2) { // the generator normalises over its batch of expectedBatch images
                throw new IllegalArgumentException("the expected batch must be >= 2, got " + expectedBatch);
            }
            if (!(learningRate > 0) || learningRate > 1 || !(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("Adam needs a learning rate in (0, 1] and beta1 in [0, 1), got "
                        + learningRate + ", " + beta1);
            }
        }
    }

    /** A step's losses: the discriminator's on the drawn real images and on the fakes, the generator's. */
    public record Losses(int realDrawn, double realLoss, double fakeLoss, double generatorLoss) {
    }

    private final ColourImages images;
    private final Network discriminator;
    private final Network generator;
    private final Options o;
    private final double q;
    private ClientSampler sampler;
    private GaussianNoise noise;
    private java.util.SplittableRandom latents;
    private RdpAccountant accountant = new RdpAccountant();
    private final Adam adamD;
    private final Adam adamG;
    private long steps;

    /**
     * @throws IllegalArgumentException if the client has fewer images than the expected batch
     */
    public DcganClient(ColourImages images, Network discriminator, Network generator, Options o) {
        if (images.size() < o.expectedBatch()) {
            throw new IllegalArgumentException("client " + images.clients()[0] + " has " + images.size()
                    + " images, fewer than the expected batch of " + o.expectedBatch());
        }
        this.images = images;
        this.discriminator = discriminator;
        this.generator = generator;
        this.o = o;
        this.q = (double) o.expectedBatch() / images.size();
        streams(o.seed());
        this.adamD = new Adam(discriminator.params(), o.learningRate(), o.beta1());
        this.adamG = new Adam(generator.params(), o.learningRate(), o.beta1());
    }

    /**
     * Starts a federated round: the latents (and, when reproducible, the sampling and the noise) come from streams of
     * the round's own seed, so that a client rebuilt for the round on any replica ({@link #restore}) draws what the
     * same client draws in one JVM.
     */
    public void beginRound(int round) {
        streams(new java.util.SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + round).nextLong());
    }

    private void streams(long seed) {
        this.sampler = o.reproducible() ? ClientSampler.seeded(seed) : ClientSampler.secure();
        this.noise = o.reproducible() ? GaussianNoise.seeded(seed) : GaussianNoise.secure();
        this.latents = new java.util.SplittableRandom(seed ^ 0x5DEECE66DL);
    }

    /**
     * What the client carries from round to round besides the global networks: both optimisers' moments and the
     * step count. It holds nothing but noised (released) gradients and counts, no image.
     */
    public byte[] state() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(STATE_MAGIC);
            out.writeLong(steps);
            adamD.write(out);
            adamG.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Takes up a {@link #state} saved after an earlier round.
     *
     * @throws IllegalArgumentException if the bytes are not a client state or hold other networks' sizes
     */
    public void restore(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (in.readInt() != STATE_MAGIC) {
                throw new IllegalArgumentException("not a DCGAN client state");
            }
            long s = in.readLong();
            if (s < 0) {
                throw new IllegalArgumentException("a DCGAN client state with " + s + " steps");
            }
            adamD.read(in, "the discriminator's");
            adamG.read(in, "the generator's");
            if (in.read() != -1) {
                throw new IllegalArgumentException("a DCGAN client state with bytes after its end");
            }
            steps = s;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException i) {
                throw i;
            }
            throw new IllegalArgumentException("a corrupt DCGAN client state (" + state.length + " bytes): " + e, e);
        }
        accountant = new RdpAccountant();
        if (!o.nonPrivate() && steps > 0) {
            accountant.addSteps(q, o.noiseMultiplier(), steps);
        }
    }

    /** One discriminator step (DP on the real images) and one generator step. */
    public Losses step() {
        Losses d = discriminatorStep();
        return new Losses(d.realDrawn(), d.realLoss(), d.fakeLoss(), generatorStep());
    }

    /**
     * One discriminator step (DP on the real images unless non-private); its losses, the generator's NaN. A
     * user-level client ({@link UserLevelFederation}) takes only these, its generator being the server's.
     */
    public Losses discriminatorStep() {
        int b = o.expectedBatch();
        // the real term: clipped per image, noised once per step
        int[] drawn = o.nonPrivate() ? firstB() : sampler.sample(q, images.size());
        discriminator.clearGradient();
        RecordedLoss real = new RecordedLoss(o.objective(), 1);
        boolean penalised = o.objective() == Objective.WGAN_GP;
        INDArray paired = null; // WGAN-GP: a generated image for each drawn one, its interpolate's other end
        if (penalised && drawn.length > 0) {
            int k = Math.max(2, drawn.length); // the generator's batch norm needs two images
            paired = generator.output(latent(k)).reshape(k, 3, DcganNetworks.SIDE, DcganNetworks.SIDE);
        }
        int pass = penalised ? PHYSICAL_BATCH / 3 : PHYSICAL_BATCH;
        for (int from = 0; from < drawn.length; from += pass) {
            int to = Math.min(drawn.length, from + pass);
            if (penalised) {
                double[] alpha = new double[to - from];
                for (int i = 0; i < alpha.length; i++) {
                    alpha[i] = latents.nextDouble();
                }
                addPenalisedRealTerm(discriminator, batch(drawn, from, to),
                        paired.get(NDArrayIndex.interval(from, to)).dup(), alpha, clips(to - from), real);
            } else {
                discriminator.addGradient(batch(drawn, from, to), real, clips(to - from), false);
            }
        }
        INDArray total = discriminator.gradient().dup();
        if (!o.nonPrivate()) {
            float[] noisy = total.toFloatVector();
            noise.addTo(noisy, o.noiseMultiplier() * o.clipNorm());
            total = Nd4j.create(noisy, total.shape(), 'c').castTo(total.dataType());
            accountant.addSteps(q, o.noiseMultiplier(), 1);
        }
        // the fake term: no real image in it, so neither noised nor charged; clipped as the real term, for balance
        INDArray fakes = generator.output(latent(b)).reshape(b, 3, DcganNetworks.SIDE, DcganNetworks.SIDE);
        RecordedLoss fake = new RecordedLoss(o.objective(), 0);
        total.addi(fakeTerm(fakes, fake)).divi(b);
        adamD.step(discriminator.params(), total);
        steps++;
        return new Losses(drawn.length, real.mean(), fake.mean(), Double.NaN);
    }

    /** One generator step against the discriminator, on B new latents; returns its loss. */
    public double generatorStep() {
        return generatorStep(discriminator, generator, adamG, latent(o.expectedBatch()), o.objective())
                .generatorLoss();
    }

    /**
     * A generator step's losses, both from the discriminator's verdict on the same generated images before the step.
     *
     * @param generatorLoss the generator's (target real)
     * @param fakeLoss      the discriminator's (target fake)
     */
    record Verdict(double generatorLoss, double fakeLoss) {
    }

    /**
     * A generator step: the discriminator's verdict (target real) on the images of latents {@code z}, back through the
     * discriminator's input and the generator, over the batch, one Adam step; returns the mean losses. Post-processing
     * of the discriminator: it reads no real image.
     */
    static Verdict generatorStep(Network discriminator, Network generator, Adam adam, INDArray z,
                                 Objective objective) {
        int b = Math.toIntExact(z.size(0));
        INDArray images = generator.output(z).reshape(b, 3, DcganNetworks.SIDE, DcganNetworks.SIDE);
        RecordedLoss verdict = new RecordedLoss(objective, 1);
        INDArray dx = discriminator.inputGradient(images, verdict).reshape(b, generator.numClasses());
        generator.clearGradient();
        generator.addOutputGradient(z, dx);
        adam.step(generator.params(), generator.gradient().div(b));
        return new Verdict(verdict.mean(), verdict.otherMean());
    }

    /**
     * Adds the WGAN-GP critic's real term for the real images {@code real} [m, 3, 64, 64] to the discriminator's
     * gradient: for each i the gradient of −D(xᵢ) + λ(‖∇ₓD(x̂ᵢ)‖ − 1)², x̂ᵢ = αᵢxᵢ + (1 − αᵢ)fᵢ with fᵢ the i-th of
     * {@code fake}, as one vector clipped to {@code clips[i]} (or unclipped when {@code clips} is null): x̂ᵢ is made from
     * xᵢ, so the penalty is inside xᵢ's clipped gradient.
     *
     * <p>The penalty's gradient in the parameters θ is that of an input gradient, and the engine has no second
     * derivatives: with gᵢ = ∇ₓD(x̂ᵢ) and vᵢ = gᵢ/‖gᵢ‖, ∇θ‖gᵢ‖ = (∂gᵢ/∂θ)ᵀvᵢ = d/dt ∇θD(x̂ᵢ + t·vᵢ) at t = 0, taken as
     * the central difference (∇θD(x̂ᵢ + h·vᵢ) − ∇θD(x̂ᵢ − h·vᵢ)) / 2h. So example i spans three rows of one batched
     * pass (xᵢ weighted −1, x̂ᵢ ± h·vᵢ weighted ±λ(‖gᵢ‖ − 1)/h), clipped as their sum
     * ({@link Network#addGradient(INDArray, Loss, double[], boolean, int)}).
     *
     * @param record takes the real images' scores; the penalties' mean is added to it
     */
    static void addPenalisedRealTerm(Network d, INDArray real, INDArray fake, double[] alpha, double[] clips,
                                     RecordedLoss record) {
        int m = Math.toIntExact(real.size(0));
        INDArray a = Nd4j.create(alpha, new long[] {m, 1, 1, 1}, 'c').castTo(real.dataType());
        INDArray mixed = real.mul(a).addi(fake.mul(a.rsub(1)));
        double[] ones = new double[m];
        Arrays.fill(ones, 1);
        INDArray g = d.inputGradient(mixed, Loss.weighted(ones)).reshape('c', m, -1);
        double[] norms = g.norm2(1).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        double[] weights = new double[m];
        double[] unit = new double[m];
        double penalty = 0;
        for (int i = 0; i < m; i++) {
            penalty += PENALTY_WEIGHT * (norms[i] - 1) * (norms[i] - 1);
            // at gᵢ = 0 the norm has no gradient and vᵢ no direction: the penalty adds nothing there
            weights[i] = norms[i] > 0 ? PENALTY_WEIGHT * (norms[i] - 1) / PENALTY_STEP : 0;
            unit[i] = norms[i] > 0 ? PENALTY_STEP / norms[i] : 0;
        }
        INDArray step = g.mulColumnVector(Nd4j.create(unit, new long[] {m, 1}, 'c').castTo(g.dataType()))
                .reshape('c', real.shape());
        INDArray rows = Nd4j.concat(0, real, mixed.add(step), mixed.sub(step));
        Loss loss = z -> {
            double[][] grad = new double[z.length][];
            System.arraycopy(record.outputGradient(Arrays.copyOf(z, m)), 0, grad, 0, m);
            for (int i = 0; i < m; i++) {
                grad[m + i] = new double[] {weights[i]};
                grad[2 * m + i] = new double[] {-weights[i]};
            }
            return grad;
        };
        d.addGradient(rows, loss, clips, false, 3);
        record.addToSum(penalty);
    }

    /**
     * The fake term's gradient sum over {@code fakes} (target fake), each image's gradient clipped to S unless
     * non-private.
     */
    INDArray fakeTerm(INDArray fakes, Loss loss) {
        discriminator.clearGradient();
        discriminator.addGradient(fakes, loss, clips(Math.toIntExact(fakes.size(0))), false);
        return discriminator.gradient().dup();
    }

    /** S for each of {@code n} images, or null (no clipping) when non-private. */
    private double[] clips(int n) {
        if (o.nonPrivate()) {
            return null;
        }
        double[] c = new double[n];
        Arrays.fill(c, o.clipNorm());
        return c;
    }

    /**
     * The discriminator's loss (either {@link Objective}) that also sums its values from the outputs the pass computes
     * anyway, so that logging a step's losses costs no forward pass of its own.
     */
    static final class RecordedLoss implements Loss {
        private final Objective objective;
        private final double target;
        private double sum;
        private double otherSum;
        private int count;

        RecordedLoss(Objective objective, double target) {
            this.objective = objective;
            this.target = target;
        }

        @Override
        public double[][] outputGradient(double[][] outputs) {
            double[][] grad = new double[outputs.length][1];
            for (int i = 0; i < outputs.length; i++) {
                if (outputs[i].length != 1) {
                    throw new IllegalArgumentException("a discriminator gives one output per image, got "
                            + outputs[i].length);
                }
                double z = outputs[i][0];
                sum += objective.value(z, target);
                otherSum += objective.value(z, 1 - target);
                count++;
                grad[i][0] = objective.gradient(z, target);
            }
            return grad;
        }

        /** Adds terms computed beside the outputs (the gradient penalties) to the loss. */
        void addToSum(double terms) {
            sum += terms;
        }

        /** The mean loss over the examples seen, NaN when none (a Poisson draw of no image). */
        double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }

        /** The mean loss the same outputs have against the other target. */
        double otherMean() {
            return count == 0 ? Double.NaN : otherSum / count;
        }
    }

    /** Steps taken; each charged once (real-data steps; the fake term and the generator are not charged). */
    public long steps() {
        return steps;
    }

    /** The accountant's steps: the discriminator's real-data steps. */
    public long privateSteps() {
        return o.nonPrivate() ? 0 : steps;
    }

    /** q = B/n, the client's sampling rate. */
    public double samplingRate() {
        return q;
    }

    /** ε of the steps so far at {@code delta} (one of the client's images protected); +∞ when non-private. */
    public double epsilon(double delta, Conversion conversion) {
        return o.nonPrivate() ? Double.POSITIVE_INFINITY
                : steps == 0 ? 0 : accountant.epsilon(delta, conversion).epsilon();
    }

    public Network discriminator() {
        return discriminator;
    }

    public Network generator() {
        return generator;
    }

    private int[] firstB() {
        int[] all = new int[o.expectedBatch()];
        int start = (int) ((steps * o.expectedBatch()) % images.size());
        for (int k = 0; k < all.length; k++) {
            all[k] = (start + k) % images.size();
        }
        return all;
    }

    private INDArray batch(int[] drawn, int from, int to) {
        int v = ColourImages.values(images.side());
        float[] buf = new float[(to - from) * v];
        for (int k = from; k < to; k++) {
            System.arraycopy(images.pixels(), drawn[k] * v, buf, (k - from) * v, v);
        }
        return Nd4j.create(buf, new long[] {to - from, 3, images.side(), images.side()}, 'c')
                .castTo(discriminator.dataType());
    }

    private INDArray latent(int b) {
        return latents(latents, b, generator.dataType());
    }

    /** {@code b} latent vectors ([b, 100, 1, 1]) from {@code stream} by Box-Muller: the latents need no secrecy. */
    static INDArray latents(java.util.SplittableRandom stream, int b, org.nd4j.linalg.api.buffer.DataType type) {
        double[] v = new double[b * DcganNetworks.NOISE];
        for (int i = 0; i < v.length; i++) {
            double u1 = 1 - stream.nextDouble();
            double u2 = stream.nextDouble();
            v[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }
        return Nd4j.create(v, new long[] {b, DcganNetworks.NOISE, 1, 1}, 'c').castTo(type);
    }
}
