package dev.fedgan.protocol;

/**
 * A round of an RGB DCGAN run is averaged and its generator stored ({@code rgb-results}, keyed by experiment):
 * image-render draws the round's grid from it and, after the last round, the GIF. Everything in it is released:
 * the discriminator's loss on the real images is not (it is a function of those images without noise).
 *
 * @param spec          the stored run
 * @param round         the round, from 1
 * @param rounds        the run's rounds
 * @param generator     the round's global generator (flat)
 * @param fakeLoss      the clients' mean discriminator loss on the fakes
 * @param generatorLoss the clients' mean generator loss
 * @param epsilon       the largest client ε after the round (sample level, original conversion); null when
 *                      non-private
 * @param delta         δ of each client's guarantee; null when non-private
 * @param clients        the run's clients
 * @param smallestClient the smallest client's images at sample level (its q = B/n is the largest, its ε the one
 *                       reported); null at user level, whose ε needs only the number of clients
 */
public record RgbRoundDone(int schema, String experimentId, ObjectRef spec, int round, int rounds, ObjectRef generator,
        double fakeLoss, double generatorLoss, Double epsilon, Double delta, int clients, Integer smallestClient)
        implements Message {

    public RgbRoundDone {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.present("spec", spec);
        Check.range("rounds", rounds, 1, 100_000);
        Check.range("round", round, 1, rounds);
        Check.present("generator", generator);
        Check.range("fake_loss", fakeLoss, 0, Double.MAX_VALUE);
        Check.range("generator_loss", generatorLoss, 0, Double.MAX_VALUE);
        Check.range("clients", clients, 1, 100_000);
        if (smallestClient != null) {
            Check.range("smallest_client", smallestClient, 1, Integer.MAX_VALUE);
        }
        if ((epsilon == null) != (delta == null)) {
            throw new MessageException("epsilon and delta come together, got " + epsilon + " and " + delta);
        }
        if (epsilon != null) {
            Check.range("epsilon", epsilon, 0, Double.MAX_VALUE);
            Check.interval("delta", delta, 0, false, 1, false);
        }
    }
}
