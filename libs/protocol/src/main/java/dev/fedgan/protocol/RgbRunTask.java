package dev.fedgan.protocol;

/**
 * A checked and stored RGB DCGAN run for the aggregator to run ({@code rgb-runs}, keyed by experiment): its rounds,
 * each client's local steps on a client-update replica. The aggregator acknowledges it only once the run is done:
 * one that dies mid-run gets it again and runs it anew.
 *
 * @param spec    the stored run (data, clients, options)
 * @param clients the run's number of clients
 * @param rounds  the run's rounds
 */
public record RgbRunTask(int schema, String experimentId, ObjectRef spec, int clients, int rounds) implements Message {

    public RgbRunTask {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.present("spec", spec);
        Check.range("clients", clients, 1, 100_000);
        Check.range("rounds", rounds, 1, 100_000);
    }
}
