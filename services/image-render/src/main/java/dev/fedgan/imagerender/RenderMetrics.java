package dev.fedgan.imagerender;

import dev.fedgan.core.gan.GanEvaluator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The renderer's meters: what was drawn, skipped, parked and reported, how long a round took, the latest metrics. */
final class RenderMetrics {

    /** A gauge's value, held strongly (Micrometer keeps only a weak reference). */
    static final class Value {
        volatile double v = Double.NaN;

        double get() {
            return v;
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Value> gauges = new ConcurrentHashMap<>();
    private final Counter rendered;
    private final Counter duplicates;
    private final Counter parked;
    private final Counter reports;
    private final Timer duration;

    RenderMetrics(MeterRegistry registry) {
        this.registry = registry;
        rendered = Counter.builder("fedgan.images.rendered").description("Grids rendered (one per GAN and round drawn)")
                .register(registry);
        duplicates = Counter.builder("fedgan.render.duplicates")
                .description("Announced rounds already rendered (redelivered or duplicated), skipped").register(registry);
        parked = Counter.builder("fedgan.render.parked")
                .description("Rounds announced before their population was known, kept until it is").register(registry);
        reports = Counter.builder("fedgan.reports").description("Experiment reports written (both GANs finished)")
                .register(registry);
        duration = Timer.builder("fedgan.render.duration")
                .description("Time to render one announced round: load the generator, draw, measure, store, announce"
                        + " (and the GIF and report on the last round)")
                .register(registry);
    }

    /** A grid drawn: counted, and its metrics as the GAN's latest. */
    void rendered(RenderedGan gan, GanEvaluator.Drawn d) {
        rendered.increment();
        gauge("fedgan.generated.mean.pixel", "Mean pixel of the GAN's latest evaluation batch: about -0.7 for normal"
                + " digits, +0.7 for inverted ones (the polarity statistic)", gan).v = d.meanPixel();
        if (d.classifierScore() != null) {
            gauge("fedgan.classifier.score", "Classifier score of the GAN's latest evaluation batch", gan).v = d.classifierScore();
        }
        if (d.frechetDistance() != null) {
            gauge("fedgan.frechet.distance", "Fréchet classifier distance of the GAN's latest evaluation batch to real"
                    + " user images", gan).v = d.frechetDistance();
        }
    }

    void duplicate() {
        duplicates.increment();
    }

    void parked() {
        parked.increment();
    }

    void reported() {
        reports.increment();
    }

    /** The experiment's total ε, once its report is written: {@code fedgan_experiment_epsilon{experiment}}. */
    void experimentEpsilon(String experiment, double epsilon) {
        gauges.computeIfAbsent("fedgan.experiment.epsilon|" + experiment, k -> {
            Value v = new Value();
            Gauge.builder("fedgan.experiment.epsilon", v, Value::get)
                    .description("The whole experiment's epsilon: the private selection composed with both GANs")
                    .tag("experiment", experiment).register(registry);
            return v;
        }).v = epsilon;
    }

    /** The time since {@code startNanos} ({@link System#nanoTime}) as one announced round's rendering. */
    void took(long startNanos) {
        duration.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    private Value gauge(String name, String description, RenderedGan gan) {
        return gauges.computeIfAbsent(name + "|" + gan.experiment() + "." + gan.name(), k -> {
            Value v = new Value();
            Gauge.builder(name, v, Value::get).description(description).tag("experiment", gan.experiment())
                    .tag("gan", gan.name()).register(registry);
            return v;
        });
    }
}
