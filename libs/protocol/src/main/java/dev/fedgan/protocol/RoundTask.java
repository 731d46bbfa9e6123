package dev.fedgan.protocol;

/**
 * One sampled client's work in one round: train the broadcast critic against the broadcast generator on the
 * client's data and report the delta.
 *
 * @param clientSeed seed of the client's noise vectors and interpolation weights
 * @param settings   the experiment's GAN settings (preset, steps, learning rate, loss)
 */
public record RoundTask(int schema, String experimentId, String gan, int round, String clientId, ObjectRef generator,
        ObjectRef critic, long clientSeed, GanSettings settings, String data, double invertProbability, long bugSeed)
        implements Message {

    public RoundTask {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.range("round", round, 0, 1_000_000);
        Check.id("client_id", clientId);
        Check.present("generator", generator);
        Check.present("critic", critic);
        Check.text("data", data);
    }
}
