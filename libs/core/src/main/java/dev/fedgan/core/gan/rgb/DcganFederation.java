package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.privacy.Conversion;
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

    private final Options o;
    private final double delta;
    private final Network discriminator;
    private final Network generator;
    private final List<DcganClient> clients = new ArrayList<>();
    private final double[] weights;
    private int round;

    /**
     * @param images the images, each with its client
     * @param delta  δ of each client's guarantee
     * @throws IllegalArgumentException if a client has fewer images than the expected batch
     */
    public DcganFederation(ColourImages images, Options o, double delta) {
        this.o = o;
        this.delta = delta;
        this.discriminator = DcganNetworks.discriminator(o.widths(), o.seed());
        this.generator = DcganNetworks.generator(o.widths(), o.seed() + 1);
        List<String> ids = images.clientIds();
        weights = new double[ids.size()];
        for (int k = 0; k < ids.size(); k++) {
            ColourImages own = images.select(images.imagesOf(ids.get(k)));
            DcganClient.Options c = o.client();
            DcganClient.Options mine = new DcganClient.Options(c.clipNorm(), c.noiseMultiplier(), c.expectedBatch(),
                    c.learningRate(), c.beta1(), c.seed() + k, c.reproducible(), c.nonPrivate());
            clients.add(new DcganClient(own, DcganNetworks.discriminator(o.widths(), o.seed()),
                    DcganNetworks.generator(o.widths(), o.seed() + 1), mine));
            weights[k] = (double) own.size() / images.size();
        }
    }

    /** Runs the next round. */
    public Round round(Progress progress) {
        round++;
        double real = 0;
        double fake = 0;
        double gen = 0;
        int counted = 0;
        INDArray d = Nd4j.zeros(discriminator.params().dataType(), discriminator.params().shape());
        INDArray g = Nd4j.zeros(generator.params().dataType(), generator.params().shape());
        for (int k = 0; k < clients.size(); k++) {
            DcganClient c = clients.get(k);
            c.discriminator().params().assign(discriminator.params());
            c.generator().params().assign(generator.params());
            for (int s = 0; s < o.localSteps(); s++) {
                DcganClient.Losses l = c.step();
                if (Double.isFinite(l.realLoss())) {
                    real += l.realLoss();
                    counted++;
                }
                fake += l.fakeLoss();
                gen += l.generatorLoss();
                progress.advance(1, String.format(Locale.ROOT, "round %d, client %d/%d, G loss %.3f", round, k + 1,
                        clients.size(), l.generatorLoss()));
            }
            d.addi(c.discriminator().params().mul(weights[k]));
            g.addi(c.generator().params().mul(weights[k]));
        }
        discriminator.params().assign(d);
        generator.params().assign(g);
        int steps = clients.size() * o.localSteps();
        return new Round(round, counted == 0 ? Double.NaN : real / counted, fake / steps, gen / steps, epsilon());
    }

    /** The largest client ε so far (original conversion); +∞ for a non-private run. */
    public double epsilon() {
        double max = 0;
        for (DcganClient c : clients) {
            max = Math.max(max, c.epsilon(delta, Conversion.ORIGINAL));
        }
        return max;
    }

    public List<DcganClient> clients() {
        return clients;
    }

    public Network generator() {
        return generator;
    }

    public Network discriminator() {
        return discriminator;
    }

    /** The generator's images for {@code count} latents drawn with the run's seed: the same latents every round. */
    public float[] draw(int count) {
        INDArray z = Nd4j.getRandomFactory().getNewRandomInstance(o.seed()).nextGaussian(
                new long[] {count, DcganNetworks.NOISE, 1, 1}).castTo(generator.dataType());
        return generator.output(z).ravel().toFloatVector();
    }
}
