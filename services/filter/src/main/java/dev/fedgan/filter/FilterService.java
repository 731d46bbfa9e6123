package dev.fedgan.filter;

import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.service.FedganConfig;
import dev.fedgan.service.Sent;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * {@code experiments} → {@code populations}: per {@link ExperimentRequest}, the primary classifier (stored, or
 * trained and stored), the bug, the private selection and the populations ({@link ExperimentFilter}), then one
 * {@link PopulationReady} per GAN ({@code low_accuracy}, {@code high_accuracy}), keyed by experiment id, each
 * waited for until the broker has it. A request that cannot be processed (malformed JSON, another schema, an
 * absurd or missing field, unreadable data, a missing classifier, a population whose noisy size is below the clients
 * per round) throws: the record is nacked and the connector's dead-letter-queue strategy writes it to
 * {@code dead-letter} with the reason in the
 * {@code dead-letter-reason} header; consumption goes on. The same request again republishes the recorded
 * populations without training or measuring.
 */
@ApplicationScoped
public class FilterService {

    private static final Logger LOG = Logger.getLogger(FilterService.class);
    /** How long to wait for the broker to take a population message. */
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final ExperimentFilter filter;
    private final Emitter<String> populations;
    /** Classifier training and measurement (ND4J) run here, not on the worker thread a request arrives on. */
    private final ComputeThread compute;
    private final DeadLetters deadLetters;
    private final Counter accepted;
    private final Counter rejected;
    private final Counter duplicate;
    private final Timer duration;
    private final Map<String, AtomicInteger> populationSize;
    private final AtomicReference<Double> progress = new AtomicReference<>(0.0);

    public FilterService(ModelStore models, ObjectStore objects, @Channel("populations") Emitter<String> populations,
            MeterRegistry registry, DeadLetters deadLetters, ComputeThread compute,
            FedganConfig config) {
        this.filter = new ExperimentFilter(models, objects, config.filter().minNumExamples(),
                config.data().dataRoots());
        this.deadLetters = deadLetters;
        this.compute = compute;
        this.populations = populations;
        String what = "Experiment requests by outcome: accepted (populations announced), duplicate (announced before, "
                + "republished), rejected (dead-lettered)";
        accepted = Counter.builder("fedgan.experiments").tag("outcome", "accepted").description(what).register(registry);
        duplicate = Counter.builder("fedgan.experiments").tag("outcome", "duplicate").description(what).register(registry);
        rejected = Counter.builder("fedgan.experiments").tag("outcome", "rejected").description(what).register(registry);
        duration = Timer.builder("fedgan.filter.duration")
                .description("Time to filter one accepted experiment: classifier, measurement, populations, upload")
                .register(registry);
        populationSize = Map.of(PopulationFilters.LOW_ACCURACY, new AtomicInteger(),
                PopulationFilters.HIGH_ACCURACY, new AtomicInteger());
        populationSize.forEach((gan, n) -> Gauge.builder("fedgan.population.size", n, AtomicInteger::get)
                .tag("gan", gan).description("Released noisy size N̂ of the last announced population of each GAN"
                        + " (the private selection's count, not the number of members)").register(registry));
        Gauge.builder("fedgan.filter.progress", progress, AtomicReference::get)
                .description("Done fraction of the filter's current task (classifier training or measurement)")
                .register(registry);
    }

    @Incoming("experiments")
    @Blocking // ND4J work off the Vert.x event loop; ordered, one experiment at a time
    public void process(String message) {
        String id = null;
        try {
            ExperimentRequest request = Messages.decode(message, ExperimentRequest.class);
            id = request.experimentId();
            MDC.put("experiment_id", id);
            LOG.infof("experiment %s: request for data %s, p %s, classifier %s", id, request.data(),
                    request.invertProbability(), request.classifier() != null ? request.classifier().uri()
                            : "to train on " + request.trainDataOrDefault()
                                    + (request.classifierPrivacy() != null ? " with DP-SGD" : ""));
            long t0 = System.nanoTime();
            String experiment = id;
            ExperimentFilter.Outcome outcome = compute.call(() -> filter.run(request,
                    new LoggingProgress(experiment, progress::set)));
            for (PopulationReady p : outcome.populations()) {
                send(id, Messages.encode(p));
            }
            if (outcome.duplicate()) {
                duplicate.increment();
                LOG.infof("experiment %s: filtered before; the recorded populations were announced again", id);
            } else {
                duration.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                accepted.increment();
            }
            for (PopulationReady p : outcome.populations()) {
                populationSize.get(p.gan()).set(p.populationSize());
                LOG.infof("experiment %s: population %s announced, noisy size N̂ = %d", id, p.gan(), p.populationSize());
            }
            if (!outcome.duplicate()) {
                LOG.info(String.format(Locale.ROOT, "experiment %s: filtered in %.1f s, classifier %s, %d files", id,
                        (System.nanoTime() - t0) / 1e9, outcome.classifier().uri(), outcome.files().size()));
            }
        } catch (RuntimeException e) {
            rejected.increment();
            throw deadLetters.reject("experiments", e);
        } finally {
            MDC.remove("experiment_id");
        }
    }

    /** Sends one population message keyed by experiment id and waits until the broker has it. */
    private void send(String experimentId, String json) {
        Sent.keyedAndWait(populations, experimentId, json, SEND_TIMEOUT_SECONDS, "populations of " + experimentId);
    }
}
