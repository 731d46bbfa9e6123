package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.RdpAccountant;
import dev.fedgan.core.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DP DCGAN federated as FLivGen does it, in one JVM: every round each client starts from the global
 * discriminator and generator, takes {@code localSteps} {@link DcganClient} steps on its own images (its
 * discriminator under DP-SGD), and the server averages the clients' networks, weighted by their images. Each
 * client's accountant goes on across rounds: its ε is sample-level (one of its images), over all its steps; the run
 * reports the largest. What leaves a client is its networks, which its accountant covers.
 */
public final class DcganFederation {

    /**
     * @param widths     the networks' widths
     * @param client     each client's step options (its own seed is this seed plus its index)
     * @param rounds     federated rounds
     * @param localSteps steps per client per round
     * @param seed       the networks' initial weights and the grid's fixed latents
     */
    public record Options(DcganNetworks.Widths widths, DcganClient.Options client, int rounds, int localSteps,
                          long seed) {
        public Options {
            if (rounds < 1 || rounds > 100_000 || localSteps < 1 || localSteps > 100_000) {
                throw new IllegalArgumentException("rounds and local steps must be in [1, 100000], got " + rounds
                        + " and " + localSteps);
            }
        }
    }

    /** A round's outcome: the clients' mean losses over its steps and the largest client ε so far. */
    public record Round(int round, double discriminatorRealLoss, double discriminatorFakeLoss, double generatorLoss,
                        double epsilon) {
    }

    /**
     * A client's part of a round, as the server needs it: the sums of its steps' losses (real losses over the steps
     * that drew an image).
     */
    public record ClientRound(double realLossSum, int realCounted, double fakeLossSum, double generatorLossSum,
                              int steps) {
    }

    private final Options o;
    private final Server server;
    private final List<DcganClient> clients = new ArrayList<>();

    /**
     * @param images the images, each with its client
     * @param delta  δ of each client's guarantee
     * @throws IllegalArgumentException if a client has fewer images than the expected batch
     */
    public DcganFederation(ColourImages images, Options o, double delta) {
        this.o = o;
        this.server = new Server(o, sizes(images), delta);
        List<String> ids = images.clientIds();
        for (int k = 0; k < ids.size(); k++) {
            clients.add(client(images, k, o));
        }
    }

    /** Each client's number of images, in {@link ColourImages#clientIds} order: client k is the k-th id. */
    public static int[] sizes(ColourImages images) {
        return images.clientIds().stream().mapToInt(id -> images.imagesOf(id).length).toArray();
    }

    /**
     * Client {@code k} (the k-th of {@link ColourImages#clientIds}) on its own images, with its own seed (the run's
     * plus k), wherever it runs.
     *
     * @throws IllegalArgumentException if it has fewer images than the expected batch
     */
    public static DcganClient client(ColourImages images, int k, Options o) {
        return clientOn(images.select(images.imagesOf(images.clientIds().get(k))), k, o);
    }

    /** Client {@code k} on {@code own}, its images alone (as a replica loads them). */
    public static DcganClient clientOn(ColourImages own, int k, Options o) {
        DcganClient.Options c = o.client();
        DcganClient.Options mine = c.withSeed(c.seed() + k);
        return new DcganClient(own, DcganNetworks.discriminator(o.widths(), o.seed()),
                DcganNetworks.generator(o.widths(), o.seed() + 1), mine);
    }

    /**
     * A client's round: from the global networks, {@code localSteps} steps on the round's streams
     * ({@link DcganClient#beginRound}); the client's networks are then its update.
     */
    public static ClientRound clientRound(DcganClient c, INDArray discriminator, INDArray generator, int round,
                                          int localSteps, Progress progress, String label) {
        c.discriminator().params().assign(discriminator);
        c.generator().params().assign(generator);
        c.beginRound(round);
        double real = 0;
        int counted = 0;
        double fake = 0;
        double gen = 0;
        for (int s = 0; s < localSteps; s++) {
            DcganClient.Losses l = c.step();
            if (Double.isFinite(l.realLoss())) {
                real += l.realLoss();
                counted++;
            }
            fake += l.fakeLoss();
            gen += l.generatorLoss();
            progress.advance(1, String.format(Locale.ROOT, "round %d, %s, G loss %.3f", round, label,
                    l.generatorLoss()));
        }
        return new ClientRound(real, counted, fake, gen, localSteps);
    }

    /** Runs the next round. */
    public Round round(Progress progress) {
        int r = server.begin();
        for (int k = 0; k < clients.size(); k++) {
            DcganClient c = clients.get(k);
            ClientRound cr = clientRound(c, server.discriminator().params(), server.generator().params(), r,
                    o.localSteps(), progress, "client " + (k + 1) + "/" + clients.size());
            server.add(k, c.discriminator().params(), c.generator().params(), cr);
        }
        return server.finish();
    }

    /** The largest client ε so far (original conversion); +∞ for a non-private run. */
    public double epsilon() {
        return server.epsilon();
    }

    /**
     * The server of the federation: the global networks, each round's average of the clients' networks weighted by
     * their images (added in client order, so that the sum is the same wherever the clients ran), and each client's ε
     * from what it did: q = B/n of its images, z, and the rounds' steps.
     */
    public static final class Server implements FederationServer {
        private final Options o;
        private final double delta;
        private final Network discriminator;
        private final Network generator;
        private final double[] weights;
        private final double[] rates;
        private final int smallest;
        private INDArray d;
        private INDArray g;
        private int next;
        private double real;
        private int counted;
        private double fake;
        private double gen;
        private int steps;
        private int round;

        /**
         * @param sizes each client's number of images
         * @param delta δ of each client's guarantee
         */
        public Server(Options o, int[] sizes, double delta) {
            if (sizes.length == 0) {
                throw new IllegalArgumentException("a federation needs at least one client");
            }
            this.o = o;
            this.delta = delta;
            this.discriminator = DcganNetworks.discriminator(o.widths(), o.seed());
            this.generator = DcganNetworks.generator(o.widths(), o.seed() + 1);
            long total = java.util.Arrays.stream(sizes).asLongStream().sum();
            smallest = java.util.Arrays.stream(sizes).min().orElseThrow();
            weights = new double[sizes.length];
            rates = new double[sizes.length];
            for (int k = 0; k < sizes.length; k++) {
                weights[k] = (double) sizes[k] / total;
                rates[k] = (double) o.client().expectedBatch() / sizes[k];
            }
        }

        /**
         * Takes up a run after round {@code round} from its global networks then: what a server that stopped after
         * that round held (each client's ε follows from the rounds).
         *
         * @throws IllegalStateException    if this server has run a round
         * @throws IllegalArgumentException if a network has the wrong length or the round is outside the run
         */
        public void resume(int round, INDArray discriminatorParams, INDArray generatorParams) {
            checkResume(this.round, round, o.rounds(), discriminatorParams, generatorParams, discriminator, generator);
            discriminator.params().assign(discriminatorParams.reshape(discriminator.params().shape()));
            generator.params().assign(generatorParams.reshape(generator.params().shape()));
            this.round = round;
        }

        @Override
        public boolean finished() {
            return round >= o.rounds();
        }

        @Override
        public int begin() {
            if (finished()) {
                throw new IllegalStateException("all " + o.rounds() + " rounds are done");
            }
            round++;
            d = Nd4j.zeros(discriminator.params().dataType(), discriminator.params().shape());
            g = Nd4j.zeros(generator.params().dataType(), generator.params().shape());
            next = 0;
            real = 0;
            counted = 0;
            fake = 0;
            gen = 0;
            steps = 0;
            return round;
        }

        /** Every client, in client order. */
        @Override
        public int[] participants() {
            return java.util.stream.IntStream.range(0, weights.length).toArray();
        }

        /**
         * Adds client {@code k}'s networks after the round.
         *
         * @throws IllegalStateException if clients are added out of order
         * @throws IllegalArgumentException if a network has the wrong length
         */
        public void add(int k, INDArray clientDiscriminator, INDArray clientGenerator, ClientRound r) {
            if (k != next) {
                throw new IllegalStateException("round " + round + ": client " + k + " added, client " + next
                        + " expected next");
            }
            if (clientDiscriminator.length() != d.length() || clientGenerator.length() != g.length()) {
                throw new IllegalArgumentException("client " + k + "'s networks hold " + clientDiscriminator.length()
                        + " and " + clientGenerator.length() + " parameters, the federation's " + d.length() + " and "
                        + g.length());
            }
            d.addi(clientDiscriminator.reshape(d.shape()).castTo(d.dataType()).mul(weights[k]));
            g.addi(clientGenerator.reshape(g.shape()).castTo(g.dataType()).mul(weights[k]));
            real += r.realLossSum();
            counted += r.realCounted();
            fake += r.fakeLossSum();
            gen += r.generatorLossSum();
            steps += r.steps();
            next++;
        }

        /**
         * Ends the round: the averages become the global networks.
         *
         * @throws IllegalStateException unless every client was added
         */
        @Override
        public Round finish() {
            if (next != weights.length) {
                throw new IllegalStateException("round " + round + ": " + next + " of " + weights.length
                        + " clients added");
            }
            discriminator.params().assign(d);
            generator.params().assign(g);
            return new Round(round, counted == 0 ? Double.NaN : real / counted, fake / steps, gen / steps,
                    epsilon());
        }

        /** The largest client ε after the rounds finished so far (original conversion); +∞ when non-private. */
        @Override
        public double epsilon() {
            if (o.client().nonPrivate()) {
                return Double.POSITIVE_INFINITY;
            }
            long clientSteps = (long) round * o.localSteps();
            if (clientSteps == 0) {
                return 0;
            }
            double largest = java.util.Arrays.stream(rates).max().orElseThrow(); // ε grows with q
            return new RdpAccountant().addSteps(largest, o.client().noiseMultiplier(), clientSteps)
                    .epsilon(delta, Conversion.ORIGINAL).epsilon();
        }

        @Override
        public int round() {
            return round;
        }

        @Override
        public int clients() {
            return weights.length;
        }

        /** The smallest client's images: its q = B/n is the largest, its ε the one reported. */
        public int smallestClient() {
            return smallest;
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

    /**
     * A server's resume checks: only before its first round, after a round of the run, with networks of its sizes.
     *
     * @throws IllegalStateException    if the server has run a round
     * @throws IllegalArgumentException if a network has the wrong length or the round is outside the run
     */
    static void checkResume(int current, int round, int rounds, INDArray discriminatorParams,
            INDArray generatorParams, Network discriminator, Network generator) {
        if (current != 0) {
            throw new IllegalStateException("a server resumes only before its first round, this one is at round "
                    + current);
        }
        if (round < 1 || round > rounds) {
            throw new IllegalArgumentException("resume after round " + round + " of a run of " + rounds);
        }
        if (discriminatorParams.length() != discriminator.params().length()
                || generatorParams.length() != generator.params().length()) {
            throw new IllegalArgumentException("resumed networks hold " + discriminatorParams.length() + " and "
                    + generatorParams.length() + " parameters, the federation's " + discriminator.params().length()
                    + " and " + generator.params().length());
        }
    }

    public List<DcganClient> clients() {
        return clients;
    }

    public Network generator() {
        return server.generator();
    }

    public Network discriminator() {
        return server.discriminator();
    }

    /** The generator's images for {@code count} latents drawn with the run's seed: the same latents every round. */
    public float[] draw(int count) {
        return draw(server.generator(), o.seed(), count);
    }

    /** {@code generator}'s images for {@code count} latents drawn with {@code seed}: a run's grid, wherever drawn. */
    public static float[] draw(Network generator, long seed, int count) {
        INDArray z = Nd4j.getRandomFactory().getNewRandomInstance(seed).nextGaussian(
                new long[] {count, DcganNetworks.NOISE, 1, 1}).castTo(generator.dataType());
        return generator.output(z).ravel().toFloatVector();
    }
}
