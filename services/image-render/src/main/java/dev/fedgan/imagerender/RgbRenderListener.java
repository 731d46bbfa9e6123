package dev.fedgan.imagerender;

import dev.fedgan.modelstore.RgbRuns;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RgbRoundDone;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.DeadLetters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code rgb-results}: per {@link RgbRoundDone}, {@link RgbRuns#render} on the {@link ComputeThread} (the round's
 * grid, rounds.csv, after the last round training.gif, under the run's {@code files/} for {@code fedgan fetch}), and
 * the run's progress as gauges: {@code fedgan_rgb_rounds{experiment, state="done"|"total"}} and
 * {@code fedgan_rgb_epsilon{experiment}} (the largest client ε, released with the round). An announcement that cannot
 * be read or rendered is dead-lettered.
 */
@ApplicationScoped
public class RgbRenderListener {

    private static final Logger LOG = Logger.getLogger(RgbRenderListener.class);

    private final RgbRuns runs;
    private final ComputeThread compute;
    private final DeadLetters deadLetters;
    private final MeterRegistry registry;
    private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();

    public RgbRenderListener(ObjectStore objects, ComputeThread compute, DeadLetters deadLetters,
            MeterRegistry registry) {
        this.runs = new RgbRuns(objects);
        this.compute = compute;
        this.deadLetters = deadLetters;
        this.registry = registry;
    }

    @Incoming("rgb-results")
    @Blocking
    public void process(String message) {
        try {
            RgbRoundDone done = Messages.decode(message, RgbRoundDone.class);
            compute.run(() -> runs.render(done));
            String id = done.experimentId();
            gauge("fedgan.rgb.rounds", "An RGB run's rounds: done, and in total", id, "done").set((double) done.round());
            gauge("fedgan.rgb.rounds", "An RGB run's rounds: done, and in total", id, "total")
                    .set((double) done.rounds());
            if (done.epsilon() != null) {
                gauge("fedgan.rgb.epsilon", "An RGB run's largest client epsilon (sample level)", id, null)
                        .set(done.epsilon());
            }
            LOG.infof("RGB run %s: round %d of %d rendered%s", id, done.round(), done.rounds(),
                    done.round() == done.rounds() ? ", training.gif written" : "");
        } catch (RuntimeException e) {
            throw deadLetters.reject("rgb-results", e);
        }
    }

    private AtomicReference<Double> gauge(String name, String description, String experiment, String state) {
        return gauges.computeIfAbsent(name + "|" + experiment + "|" + state, k -> {
            AtomicReference<Double> v = new AtomicReference<>(0.0);
            Gauge.Builder<AtomicReference<Double>> b = Gauge.builder(name, v, AtomicReference::get)
                    .description(description).tag("experiment", experiment);
            (state == null ? b : b.tag("state", state)).register(registry);
            return v;
        });
    }
}
