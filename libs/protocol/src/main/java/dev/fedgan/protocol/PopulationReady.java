package dev.fedgan.protocol;

import java.util.List;

/**
 * The filter selected a population for one GAN: its client ids (the reference's {@code client_ids.csv}) and
 * summary are in the object store.
 *
 * @param gan       {@code low_accuracy} or {@code high_accuracy}
 * @param clients   the population's client ids, in order
 * @param clientIds the reference-format CSV
 * @param summary   the population's JSON summary (sizes, threshold, purity)
 * @param request   the experiment's request, so the aggregator needs nothing else to start
 */
public record PopulationReady(int schema, String experimentId, String gan, List<String> clients, ObjectRef clientIds,
        ObjectRef summary, ExperimentRequest request) implements Message {

    public PopulationReady {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.present("clients", clients);
        if (clients.isEmpty()) {
            throw new MessageException("population " + gan + " of experiment " + experimentId + " has no clients");
        }
        Check.present("client_ids", clientIds);
        Check.present("request", request);
    }
}
