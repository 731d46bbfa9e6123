package dev.fedgan.protocol;

/**
 * A client's networks after its round of an RGB DCGAN run are stored ({@code rgb-updates}, keyed by experiment): the
 * answer to an {@link RgbRoundTask}, read only by the aggregator, which averages them. Each client's networks are
 * covered by its own accountant (its discriminator's real-image steps are DP-SGD); they stay inside the trusted
 * boundary all the same, and only the average is released.
 *
 * @param run              the aggregator's run, as the task said
 * @param update           the stored networks (discriminator then generator, flat)
 * @param realLossSum      the sum over the round's steps that drew an image of the discriminator's real loss
 * @param realCounted      those steps
 * @param fakeLossSum      the sum over the round's steps of the discriminator's loss on the fakes
 * @param generatorLossSum the sum over the round's steps of the generator's loss
 * @param steps            the round's steps
 */
public record RgbUpdateReady(int schema, String experimentId, String run, int round, int client, ObjectRef update,
        double realLossSum, int realCounted, double fakeLossSum, double generatorLossSum, int steps)
        implements Message {

    public RgbUpdateReady {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("run", run);
        Check.range("round", round, 1, 100_000);
        Check.range("client", client, 0, 100_000);
        Check.present("update", update);
        Check.range("steps", steps, 1, 100_000);
        Check.range("real_counted", realCounted, 0, steps);
        Check.range("real_loss_sum", realLossSum, 0, Double.MAX_VALUE);
        Check.range("fake_loss_sum", fakeLossSum, 0, Double.MAX_VALUE);
        Check.range("generator_loss_sum", generatorLossSum, 0, Double.MAX_VALUE);
    }
}
