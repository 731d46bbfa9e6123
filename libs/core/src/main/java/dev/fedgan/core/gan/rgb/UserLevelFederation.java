package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.DpFedAvgAggregate;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.RdpAccountant;
import dev.fedgan.core.progress.Progress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * noised discriminator. What a round releases besides the networks is computed from them alone: the generator's loss
 * and the noised discriminator's loss on the generated images, over the server's generator steps. The included
 * clients' own losses and their number stay with the {@link Server} (the included count follows the draw, which the
 * accountant assumes secret). Compare {@link DcganFederation}, where each client's discriminator is DP-SGD on its own
 * images (sample level: one image of a client).
 *
 * <p>The round is split as the services run it: the {@link Server} draws, aggregates and trains the generator; each
 * included client's part is {@link #clientRound}, run wherever the client is. When reproducible, a round's draw,
 * noise and latents come from streams of the round's own seed, so that a server resumed after a round
 * ({@link Server#resume}, {@link Server#state}) goes on as an uninterrupted one.
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
     * @param objective       the discriminator's loss (the clients' and the server's generator steps')
     */
    public record Options(DcganNetworks.Widths widths, int rounds, int clientsPerRound, int localSteps, int batch,
                          double clipNorm, double noiseMultiplier, int generatorSteps, double learningRate, long seed,
                          boolean reproducible, boolean nonPrivate, DcganClient.Objective objective) {

        /** Options of a DCGAN (binary cross-entropy) run. */
        public Options(DcganNetworks.Widths widths, int rounds, int clientsPerRound, int localSteps, int batch,
                       double clipNorm, double noiseMultiplier, int generatorSteps, double learningRate, long seed,
                       boolean reproducible, boolean nonPrivate) {
            this(widths, rounds, clientsPerRound, localSteps, batch, clipNorm, noiseMultiplier, generatorSteps,
                    learningRate, seed, reproducible, nonPrivate, DcganClient.Objective.DCGAN);
        }

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
            client(batch, learningRate, seed, objective); // its own checks
        }

        /** A client's discriminator steps: plain, the privacy is the server's. */
        DcganClient.Options client(long clientSeed) {
            return client(batch, learningRate, clientSeed, objective);
        }

        private static DcganClient.Options client(int batch, double learningRate, long seed,
                                                  DcganClient.Objective objective) {
            return new DcganClient.Options(1, 0, batch, learningRate, 0.5, seed, true, true, objective);
        }
    }

    private final Server server;
    private final List<ColourImages> clients = new ArrayList<>();

    /**
     * @param images the images, each with its client
     * @param delta  δ of the user-level guarantee
     * @throws IllegalArgumentException if m exceeds the clients or a client has fewer images than the batch
     */
    public UserLevelFederation(ColourImages images, Options o, double delta) {
        for (String id : images.clientIds()) {
            ColourImages own = images.select(images.imagesOf(id));
            if (own.size() < o.batch()) {
                throw new IllegalArgumentException("client " + id + " has " + own.size() + " images, fewer than the "
                        + "batch of " + o.batch());
            }
            clients.add(own);
        }
        this.server = new Server(o, DcganFederation.sizes(images), delta);
    }

    /** Runs the next round. */
    public DcganFederation.Round round(Progress progress) {
        int r = server.begin();
        for (int k : server.participants()) {
            Network d = DcganNetworks.discriminator(server.o.widths(), server.o.seed());
            d.params().assign(server.discriminator().params());
            server.add(k, clientRound(clients.get(k), k, server.o, d, server.generator(), r));
            progress.advance(1, String.format(Locale.ROOT, "round %d, client %d", r, k + 1));
        }
        return server.finish();
    }

    /**
     * Client {@code k}'s round on {@code own}, its images alone: {@code d}, holding the global discriminator, trained
     * in place on them against {@code generator}'s images, {@code localSteps} plain steps with its own seed (the run's
     * plus k) and the round's streams; returns its parameters after the round. No noise: the server clips and noises
     * the delta.
     */
    public static float[] clientRound(ColourImages own, int k, Options o, Network d, Network generator, int round) {
        DcganClient c = new DcganClient(own, d, generator, o.client(o.seed() + k));
        c.beginRound(round);
        for (int s = 0; s < o.localSteps(); s++) {
            c.discriminatorStep();
        }
        return d.params().toFloatVector();
    }

    /** ε after the rounds so far (original conversion); +∞ when non-private. */
    public double epsilon() {
        return server.epsilon();
    }

    /** q = m/N. */
    public double samplingRate() {
        return server.samplingRate();
    }

    public int clients() {
        return clients.size();
    }

    /** The clients the latest round included (the one-JVM run's own view; never released). */
    public int[] included() {
        return server.participants();
    }

    public Network discriminator() {
        return server.discriminator();
    }

    public Network generator() {
        return server.generator();
    }

    /** The generator's images for {@code count} latents drawn with the run's seed: the same latents every round. */
    public float[] draw(int count) {
        return DcganFederation.draw(server.generator(), server.o.seed(), count);
    }

    /**
     * The server of the user-level mode: the global networks, each round's Poisson draw of clients, the sum of their
     * clipped discriminator deltas (added in draw order, so that the sum is the same wherever the clients ran), the
     * noise once, the division by m, the generator steps and the accountant. It holds the only unnoised values of a
     * round (the deltas) and releases none of them.
     */
    public static final class Server implements FederationServer {
        /** The first bytes of a {@link #state}. */
        private static final int STATE_MAGIC = 0x46475553; // "FGUS"

        private final Options o;
        private final double delta;
        private final double q;
        private final int[] sizes;
        private final Network discriminator;
        private final Network generator;
        private final Adam adamG;
        private int round;
        private int[] included = new int[0];
        private int next;
        private float[] global;
        private DpFedAvgAggregate aggregate;
        private java.util.SplittableRandom latents;

        /**
         * @param sizes each client's number of images
         * @param delta δ of the user-level guarantee
         * @throws IllegalArgumentException if m exceeds the clients
         */
        public Server(Options o, int[] sizes, double delta) {
            if (o.clientsPerRound() > sizes.length) {
                throw new IllegalArgumentException("expected clients per round " + o.clientsPerRound() + " exceed the "
                        + sizes.length + " clients");
            }
            this.o = o;
            this.delta = delta;
            this.sizes = sizes.clone();
            this.q = (double) o.clientsPerRound() / sizes.length;
            this.discriminator = DcganNetworks.discriminator(o.widths(), o.seed());
            this.generator = DcganNetworks.generator(o.widths(), o.seed() + 1);
            this.adamG = new Adam(generator.params(), o.learningRate(), 0.5);
        }

        @Override
        public boolean finished() {
            return round >= o.rounds();
        }

        /** Starts the next round with its draw ({@link #participants}); returns its number, from 1. */
        @Override
        public int begin() {
            if (finished()) {
                throw new IllegalStateException("all " + o.rounds() + " rounds are done");
            }
            round++;
            long seed = roundSeed(o.seed(), round);
            ClientSampler sampler = o.reproducible() ? ClientSampler.seeded(seed) : ClientSampler.secure();
            GaussianNoise noise = o.reproducible() ? GaussianNoise.seeded(seed) : GaussianNoise.secure();
            latents = new java.util.SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
            included = o.nonPrivate() ? java.util.stream.IntStream.range(0, sizes.length).toArray()
                    : sampler.sample(q, sizes.length);
            int length = Math.toIntExact(discriminator.numParams());
            aggregate = o.nonPrivate() ? DpFedAvgAggregate.weightedMean(length)
                    : DpFedAvgAggregate.dp(length, new DpFedAvgAggregate.DpConfig(o.clipNorm(), o.noiseMultiplier(),
                            o.clientsPerRound()), noise);
            global = discriminator.params().toFloatVector();
            next = 0;
            return round;
        }

        /** The clients the round's draw includes, in the order they are added (ascending). */
        @Override
        public int[] participants() {
            return included.clone();
        }

        /**
         * Adds the next included client's discriminator after its round (its delta from the global one is what is
         * clipped).
         *
         * @throws IllegalStateException    if a client is added out of the draw's order or not drawn
         * @throws IllegalArgumentException if the discriminator has the wrong length
         */
        public void add(int k, float[] clientDiscriminator) {
            if (next >= included.length || included[next] != k) {
                throw new IllegalStateException("round " + round + ": client " + k + " added, "
                        + (next >= included.length ? "every drawn client is in" : "client " + included[next]
                        + " expected next"));
            }
            if (clientDiscriminator.length != global.length) {
                throw new IllegalArgumentException("client " + k + "'s discriminator holds " + clientDiscriminator.length
                        + " parameters, the federation's " + global.length);
            }
            float[] delta = clientDiscriminator.clone();
            for (int i = 0; i < delta.length; i++) {
                delta[i] -= global[i];
            }
            aggregate.add("client-" + k, delta, sizes[k]);
            next++;
        }

        /**
         * Ends the round: the noised mean delta added to the discriminator, the generator's steps, the accountant's
         * step.
         *
         * @throws IllegalStateException unless every drawn client was added
         */
        @Override
        public DcganFederation.Round finish() {
            if (next != included.length) {
                throw new IllegalStateException("round " + round + ": " + next + " of " + included.length
                        + " drawn clients added");
            }
            float[] average = aggregate.finish().average();
            discriminator.params().addi(Nd4j.create(average).reshape(discriminator.params().shape())
                    .castTo(discriminator.params().dataType()));
            double gen = 0;
            double fake = 0;
            for (int s = 0; s < o.generatorSteps(); s++) {
                DcganClient.Verdict v = DcganClient.generatorStep(discriminator, generator, adamG,
                        DcganClient.latents(latents, o.batch(), generator.dataType()), o.objective());
                gen += v.generatorLoss();
                fake += v.fakeLoss();
            }
            aggregate = null;
            global = null;
            // the released losses: the noised discriminator's on the generated images, the generator's; none of a client
            return new DcganFederation.Round(round, Double.NaN, fake / o.generatorSteps(), gen / o.generatorSteps(),
                    epsilon());
        }

        @Override
        public double epsilon() {
            if (o.nonPrivate()) {
                return Double.POSITIVE_INFINITY;
            }
            int done = global == null ? round : round - 1;
            return done == 0 ? 0 : new RdpAccountant().addSteps(q, o.noiseMultiplier(), done)
                    .epsilon(delta, Conversion.ORIGINAL).epsilon();
        }

        /**
         * What the server carries from round to round besides the networks: the generator's optimiser (moments of
         * gradients through the noised discriminator only).
         */
        public byte[] state() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(STATE_MAGIC);
                adamG.write(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        /**
         * Takes up a run after round {@code round} from its global networks and {@link #state} then (null when no
         * round follows: a finished run's server needs no optimiser).
         *
         * @throws IllegalStateException    if this server has run a round
         * @throws IllegalArgumentException if a network has the wrong length, the round is outside the run, or the
         *                                  state is not a server's of these networks
         */
        public void resume(int round, INDArray discriminatorParams, INDArray generatorParams, byte[] state) {
            DcganFederation.checkResume(this.round, round, o.rounds(), discriminatorParams, generatorParams,
                    discriminator, generator);
            if (state != null) {
                readState(state);
            } else if (round < o.rounds()) {
                throw new IllegalArgumentException("a run resumed after round " + round + " of " + o.rounds()
                        + " needs the server's state");
            }
            discriminator.params().assign(discriminatorParams.reshape(discriminator.params().shape()));
            generator.params().assign(generatorParams.reshape(generator.params().shape()));
            this.round = round;
        }

        /** Reads a {@link #state} into the generator's optimiser. */
        private void readState(byte[] state) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
                if (in.readInt() != STATE_MAGIC) {
                    throw new IllegalArgumentException("not a user-level DCGAN server state");
                }
                adamG.read(in, "the generator's");
                if (in.read() != -1) {
                    throw new IllegalArgumentException("a user-level DCGAN server state with bytes after its end");
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof IllegalArgumentException i) {
                    throw i;
                }
                throw new IllegalArgumentException("a corrupt user-level DCGAN server state (" + state.length
                        + " bytes): " + e, e);
            }
        }

        @Override
        public int round() {
            return round;
        }

        @Override
        public int clients() {
            return sizes.length;
        }

        /** q = m/N. */
        public double samplingRate() {
            return q;
        }

        public Options options() {
            return o;
        }

        @Override
        public Network discriminator() {
            return discriminator;
        }

        @Override
        public Network generator() {
            return generator;
        }
    }

    /** The seed of round {@code round}'s streams (draw, noise, latents) when reproducible. */
    static long roundSeed(long seed, int round) {
        return new java.util.SplittableRandom(seed * 0xBF58476D1CE4E5B9L + round).nextLong();
    }
}
