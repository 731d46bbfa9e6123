package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.DpFedAvgAggregate;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.RdpAccountant;
import dev.fedgan.core.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The RGB DCGAN under user-level DP, with the aggregation of the project's DP-FedAvg-GAN (Augenstein et al. 2020;
 * DP-FedAvg, McMahan et al. 2018): each round every client is included independently with probability q = m/N (N
 * clients, m the expected clients per round); each included client trains the broadcast discriminator on its own
 * images against the broadcast generator's images for {@code localSteps} steps, without clipping or noise; the server
 * clips each client's discriminator delta to L2 norm S, sums, adds N(0, (zS)²) per coordinate, divides by m (not by
 * the number included: {@link DpFedAvgAggregate}), adds the result to the discriminator, then trains the generator
 * for {@code generatorSteps} steps against it. The accountant takes one sampled Gaussian step (q, z) per round.
 *
 * <p>The guarantee is user level: it protects all of one client's images, against everyone who sees the released
 * networks and what is drawn from them. The generator never sees a client: its steps are post-processing of the
 * noised discriminator. Compare {@link DcganFederation}, where each client's discriminator is DP-SGD on its own images
 * (sample level: one image of a client).
 */
public final class UserLevelFederation {

    /**
     * @param widths          the networks' widths
     * @param rounds          rounds
     * @param clientsPerRound m, the expected clients per round (q = m/N)
     * @param localSteps      a client's discriminator steps per round
     * @param batch           B, real and generated images per step (each client holds at least B images)
     * @param clipNorm        S, the bound on each client's discriminator delta
     * @param noiseMultiplier z (0 only when non-private)
     * @param generatorSteps  the server's generator steps per round
     * @param learningRate    Adam's (β₁ 0.5): the clients' discriminators and the server's generator
     * @param seed            the networks' initial weights, the latents, and sampling and noise when reproducible
     * @param reproducible    seeded sampling and noise: NOT private (tests and comparisons)
     * @param nonPrivate      every client every round, their deltas' example-weighted mean, nothing accounted
     */
    public record Options(DcganNetworks.Widths widths, int rounds, int clientsPerRound, int localSteps, int batch,
                          double clipNorm, double noiseMultiplier, int generatorSteps, double learningRate, long seed,
                          boolean reproducible, boolean nonPrivate) {
        public Options {
            if (rounds < 1 || rounds > 100_000 || localSteps < 1 || localSteps > 100_000 || generatorSteps < 1
                    || generatorSteps > 100_000) {
                throw new IllegalArgumentException("rounds, local steps and generator steps must be in [1, 100000], "
                        + "got " + rounds + ", " + localSteps + " and " + generatorSteps);
            }
            if (clientsPerRound < 1) {
                throw new IllegalArgumentException("the expected clients per round must be >= 1, got "
                        + clientsPerRound);
            }
            if (!nonPrivate && (!(clipNorm > 0) || !(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)
                    || Double.isInfinite(clipNorm))) {
                throw new IllegalArgumentException("user-level DP needs a finite S > 0 and z > 0, got S " + clipNorm
                        + ", z " + noiseMultiplier);
            }
            client(batch, learningRate, seed); // its own checks
        }

        /** A client's discriminator steps: plain, the privacy is the server's. */
        DcganClient.Options client(long clientSeed) {
            return client(batch, learningRate, clientSeed);
        }

        private static DcganClient.Options client(int batch, double learningRate, long seed) {
            return new DcganClient.Options(1, 0, batch, learningRate, 0.5, seed, true, true);
        }
    }

    /**
     * A round's outcome.
     *
     * @param included      the clients included this round (a Poisson draw: varies round to round)
     * @param fakeLoss      the included clients' mean discriminator loss on generated images (NaN when none)
     * @param generatorLoss the server's mean generator loss over its steps
     * @param epsilon       ε after the round (original conversion); +∞ when non-private
     */
    public record Round(int round, int included, double fakeLoss, double generatorLoss, double epsilon) {
    }

    private final Options o;
    private final double delta;
    private final double q;
    private final List<ColourImages> clients = new ArrayList<>();
    private final Network discriminator;
    private final Network generator;
    private final Adam adamG;
    private final ClientSampler sampler;
    private final GaussianNoise noise;
    private final java.util.SplittableRandom latents;
    private final RdpAccountant accountant = new RdpAccountant();
    private int round;

    /**
     * @param images the images, each with its client
     * @param delta  δ of the user-level guarantee
     * @throws IllegalArgumentException if m exceeds the clients or a client has fewer images than the batch
     */
    public UserLevelFederation(ColourImages images, Options o, double delta) {
        this.o = o;
        this.delta = delta;
        List<String> ids = images.clientIds();
        if (o.clientsPerRound() > ids.size()) {
            throw new IllegalArgumentException("expected clients per round " + o.clientsPerRound() + " exceed the "
                    + ids.size() + " clients");
        }
        for (String id : ids) {
            ColourImages own = images.select(images.imagesOf(id));
            if (own.size() < o.batch()) {
                throw new IllegalArgumentException("client " + id + " has " + own.size() + " images, fewer than the "
                        + "batch of " + o.batch());
            }
            clients.add(own);
        }
        this.q = (double) o.clientsPerRound() / ids.size();
        this.discriminator = DcganNetworks.discriminator(o.widths(), o.seed());
        this.generator = DcganNetworks.generator(o.widths(), o.seed() + 1);
        this.adamG = new Adam(generator.params(), o.learningRate(), 0.5);
        this.sampler = o.reproducible() ? ClientSampler.seeded(o.seed()) : ClientSampler.secure();
        this.noise = o.reproducible() ? GaussianNoise.seeded(o.seed()) : GaussianNoise.secure();
        this.latents = new java.util.SplittableRandom(o.seed() ^ 0x2545F4914F6CDD1DL);
    }

    /** Runs the next round. */
    public Round round(Progress progress) {
        if (round >= o.rounds()) {
            throw new IllegalStateException("all " + o.rounds() + " rounds are done");
        }
        round++;
        int n = clients.size();
        int[] included = o.nonPrivate() ? java.util.stream.IntStream.range(0, n).toArray() : sampler.sample(q, n);
        int length = Math.toIntExact(discriminator.numParams());
        DpFedAvgAggregate aggregate = o.nonPrivate() ? DpFedAvgAggregate.weightedMean(length)
                : DpFedAvgAggregate.dp(length, new DpFedAvgAggregate.DpConfig(o.clipNorm(), o.noiseMultiplier(),
                        o.clientsPerRound()), noise);
        float[] global = discriminator.params().toFloatVector();
        double fake = 0;
        for (int k : included) {
            ClientRound c = clientRound(k);
            float[] delta = c.discriminator();
            for (int i = 0; i < delta.length; i++) {
                delta[i] -= global[i];
            }
            aggregate.add("client-" + k, delta, clients.get(k).size());
            fake += c.fakeLoss();
            progress.advance(1, String.format(Locale.ROOT, "round %d, client %d", round, k + 1));
        }
        float[] average = aggregate.finish().average();
        discriminator.params().addi(Nd4j.create(average).reshape(discriminator.params().shape())
                .castTo(discriminator.params().dataType()));
        double gen = 0;
        for (int s = 0; s < o.generatorSteps(); s++) {
            gen += DcganClient.generatorStep(discriminator, generator, adamG, latent());
        }
        if (!o.nonPrivate()) {
            accountant.addSteps(q, o.noiseMultiplier(), 1);
        }
        return new Round(round, included.length, included.length == 0 ? Double.NaN : fake / included.length,
                gen / o.generatorSteps(), epsilon());
    }

    /** A client's discriminator after its round, and its mean loss on generated images over its steps. */
    private record ClientRound(float[] discriminator, double fakeLoss) {
    }

    /**
     * Client {@code k}'s round: the global discriminator trained on its images against the global generator's, with
     * its own seed (the run's plus k) and the round's streams.
     */
    private ClientRound clientRound(int k) {
        Network d = DcganNetworks.discriminator(o.widths(), o.seed());
        d.params().assign(discriminator.params());
        DcganClient c = new DcganClient(clients.get(k), d, generator, o.client(o.seed() + k));
        c.beginRound(round);
        double fake = 0;
        for (int s = 0; s < o.localSteps(); s++) {
            fake += c.discriminatorStep().fakeLoss();
        }
        return new ClientRound(d.params().toFloatVector(), fake / o.localSteps());
    }

    /** ε after the rounds so far (original conversion); +∞ when non-private. */
    public double epsilon() {
        return o.nonPrivate() ? Double.POSITIVE_INFINITY
                : round == 0 ? 0 : accountant.epsilon(delta, Conversion.ORIGINAL).epsilon();
    }

    /** q = m/N. */
    public double samplingRate() {
        return q;
    }

    public int clients() {
        return clients.size();
    }

    public Network discriminator() {
        return discriminator;
    }

    public Network generator() {
        return generator;
    }

    /** The generator's images for {@code count} latents drawn with the run's seed: the same latents every round. */
    public float[] draw(int count) {
        return DcganFederation.draw(generator, o.seed(), count);
    }

    private INDArray latent() {
        return DcganClient.latents(latents, o.batch(), generator.dataType());
    }
}
