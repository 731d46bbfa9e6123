package dev.fedgan.protocol;

import java.util.List;

/**
 * The filter's private selection announced one population for one GAN. The {@code populations} topic is inside the
 * trusted boundary (docs/privacy.md): {@code clients}, the members' ids, is what the trusted aggregator needs to send
 * them tasks, and is ground truth a real deployment's server would not have (each device decides its membership
 * itself). What may leave the boundary is {@code population_size}, the released noisy size N̂, and the request:
 * {@code fedgan watch} prints N̂, never the ids.
 *
 * @param gan            {@code low_accuracy} or {@code high_accuracy}
 * @param clients        the population's members (the devices that decided to join), in order; may be empty, the
 *                       released N̂ being noisy (the GAN's rounds then release noise only). Trusted: never released
 * @param populationSize N̂ &ge; 1, the population's size as the private selection released it: the N of q = m/N̂,
 *                       which the aggregator must use (not the number of {@code clients})
 * @param delta          the experiment's δ, for the selection and both GANs: {@code gan.delta} of the request, or
 *                       min(1e-5, N_field^-1.1) for the N_field users of the data set
 * @param clientIds      the reference-format CSV of the members (simulation ground truth, under the experiment's
 *                       {@code simulation/} keys: trusted, not released)
 * @param summary        the population's JSON summary (simulation ground truth: sizes, threshold, purity)
 * @param request        the experiment's request, so the aggregator needs nothing else to start
 */
public record PopulationReady(int schema, String experimentId, String gan, List<String> clients, Integer populationSize,
        Double delta, ObjectRef clientIds, ObjectRef summary, ExperimentRequest request) implements Message {

    public PopulationReady {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.present("clients", clients);
        clients = List.copyOf(clients);
        Check.present("population_size", populationSize);
        if (populationSize < 1) {
            throw new MessageException("population_size of " + gan + " of experiment " + experimentId
                    + " must be >= 1, got " + populationSize);
        }
        Check.present("delta", delta);
        if (!(delta > 0 && delta < 1)) {
            throw new MessageException("delta must be in (0, 1), got " + delta);
        }
        Check.present("client_ids", clientIds);
        Check.present("request", request);
    }
}
