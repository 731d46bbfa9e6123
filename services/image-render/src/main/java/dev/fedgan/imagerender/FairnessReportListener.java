package dev.fedgan.imagerender;

import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.Messages;
import dev.fedgan.service.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code fairness-results}: per {@link FairnessPointDone}, {@link FairnessSweeps#collect}: the sweep's progress as
 * gauges ({@code fedgan_fairness_points{sweep, state="stored"|"total"}}, the dashboard's progress), and once every
 * point is stored the sweep's files (points.csv, classes.csv, fairness.json, fairness.png, report.html) under its
 * {@code files/}, for {@code fedgan fetch SWEEP}. An announcement that cannot be read is dead-lettered.
 */
@ApplicationScoped
public class FairnessReportListener {

    private static final Logger LOG = Logger.getLogger(FairnessReportListener.class);

    private final FairnessSweeps sweeps;
    private final DeadLetters deadLetters;
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();
    private final Counter reports;

    public FairnessReportListener(ObjectStore objects, DeadLetters deadLetters, MeterRegistry registry) {
        this.sweeps = new FairnessSweeps(objects);
        this.deadLetters = deadLetters;
        this.registry = registry;
        reports = Counter.builder("fedgan.fairness.reports")
                .description("Fairness sweep reports written (every point of the sweep stored)").register(registry);
    }

    @Incoming("fairness-results")
    @Blocking
    public void process(String message) {
        try {
            FairnessPointDone done = Messages.decode(message, FairnessPointDone.class);
            String id = done.experimentId();
            FairnessSweeps.Collected c = sweeps.collect(id, done.points());
            gauge(id, "stored").set(c.stored());
            gauge(id, "total").set(c.points());
            if (c.complete()) {
                reports.increment();
                LOG.infof("fairness sweep %s: all %d points stored, %d files written", id, c.points(),
                        c.files().size());
            } else {
                LOG.infof("fairness sweep %s: %d of %d points stored", id, c.stored(), c.points());
            }
        } catch (RuntimeException e) {
            throw deadLetters.reject("fairness-results", e);
        }
    }

    private AtomicInteger gauge(String sweep, String state) {
        return gauges.computeIfAbsent(sweep + "|" + state, k -> {
            AtomicInteger v = new AtomicInteger();
            Gauge.builder("fedgan.fairness.points", v, AtomicInteger::get)
                    .description("A fairness sweep's points: stored so far, and in total")
                    .tag("sweep", sweep).tag("state", state).register(registry);
            return v;
        });
    }
}
