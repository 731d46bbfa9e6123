package dev.fedgan.protocol;

/**
 * One client's local steps in a round of an RGB DCGAN run ({@code rgb-rounds}, keyed by experiment and client): a
 * client-update replica takes the round's global networks, restores the client's state of the round before, trains
 * and answers with an {@link RgbUpdateReady}. A replica acknowledges the task only once its answer is on the broker.
 *
 * @param spec    the stored run
 * @param run     the aggregator's run (one redelivered after a crash runs anew, under a new run)
 * @param round   the round, from 1
 * @param client  the client's index, in the run's client order
 * @param global  the round's global networks (discriminator then generator, flat)
 */
public record RgbRoundTask(int schema, String experimentId, ObjectRef spec, String run, int round, int client,
        ObjectRef global) implements Message {

    public RgbRoundTask {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.present("spec", spec);
        Check.id("run", run);
        Check.range("round", round, 1, 100_000);
        Check.range("client", client, 0, 100_000);
        Check.present("global", global);
    }
}
