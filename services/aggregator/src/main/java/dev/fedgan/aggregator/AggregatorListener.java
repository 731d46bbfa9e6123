package dev.fedgan.aggregator;

import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.service.DeadLetters;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The aggregator's Kafka consumers: decodes each {@code populations} and {@code client-updates} record and hands it
 * to the {@link AggregatorService}. A record that cannot be decoded or used goes to the dead-letter topic with the
 * reason ({@link DeadLetters}), and consuming goes on.
 */
@ApplicationScoped
public class AggregatorListener {

    private final AggregatorService service;
    private final DeadLetters deadLetters;

    public AggregatorListener(AggregatorService service, DeadLetters deadLetters) {
        this.service = service;
        this.deadLetters = deadLetters;
    }

    @Incoming("populations")
    @Blocking
    public void onPopulation(String json) {
        try {
            service.population(Messages.decode(json, PopulationReady.class));
        } catch (RuntimeException e) {
            throw deadLetters.reject("populations", e);
        }
    }

    @Incoming("client-updates")
    @Blocking
    public void onClientUpdate(String json) {
        try {
            service.collect(Messages.decode(json, ClientUpdateReady.class));
        } catch (RuntimeException e) {
            throw deadLetters.reject("client-updates", e);
        }
    }
}
