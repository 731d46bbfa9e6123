package dev.fedgan.imagerender;

import static dev.fedgan.core.population.PopulationFilters.HIGH_ACCURACY;
import static dev.fedgan.core.population.PopulationFilters.LOW_ACCURACY;

import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.report.DebugReport;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code populations} + {@code rounds} → {@code images}: what each GAN draws over training, rendered from the
 * generators the aggregator stores, exactly as the one-JVM {@link GanExperiment} draws them (same fixed noise, same
 * metrics, same file names), then the comparison of the two GANs, the report and the verdict
 * ({@link PopulationComparison}, {@link DebugReport}).
 *
 * <p>This class receives the messages, runs each on the compute thread and wires the parts: {@link RenderPlan}
 * decides what an announced round needs, {@link GanRenderer} draws and writes a GAN's files, {@link ExperimentReport}
 * compares the two GANs, {@link RenderStateStore} keeps the state a restart needs, {@link RenderMetrics} counts.
 *
 * <p>Files go under {@code experiments/<id>/files/} with the relative paths of {@code fedgan debug --out}:
 * {@code gans/<gan>/images/gen_images_step_00040.png}, {@code gans/<gan>/evaluations.json|csv},
 * {@code gans/<gan>/grids.gif}, {@code gans/<gan>/privacy.json}, {@code low_vs_high.png}, {@code report.html},
 * {@code report.json}. The renderer's own state lives under {@code experiments/<id>/render/<gan>/}: the
 * population message, {@link GanState}, and rounds announced before their population was known
 * ({@code pending/}), so a restarted renderer loses nothing.
 *
 * <p>A message that cannot be rendered (malformed JSON, another schema, a missing or corrupt generator, weights of
 * another shape, non-finite values or images) throws: the record goes to {@code dead-letter} with the reason, and
 * the next record is served.
 */
@ApplicationScoped
public class ImageRenderService {

    private static final Logger LOG = Logger.getLogger(ImageRenderService.class);
    static final String SERVICE = "image-render";

    private final Emitter<String> images;
    private final Emitter<String> parkedDeadLetters;
    private final DeadLetters deadLetters;
    /**
     * Every message is handled here, one at a time (rendering is SameDiff work): the state below is only touched on
     * this thread, not on the worker thread a message arrives on.
     */
    private final ComputeThread compute;
    private final ModelStore models;
    private final RenderStateStore states;
    private final StoredFiles files;
    private final RenderMetrics metrics;
    private final GanRenderer renderer;
    private final ExperimentReport reports;
    private final Map<String, RenderedGan> gans = new HashMap<>();

    public ImageRenderService(ModelStore models, ObjectStore objects, @Channel("images") Emitter<String> images,
            @Channel("render-dead-letter") Emitter<String> parkedDeadLetters, DeadLetters deadLetters, ComputeThread compute,
            MeterRegistry registry) {
        this.images = images;
        this.parkedDeadLetters = parkedDeadLetters;
        this.deadLetters = deadLetters;
        this.compute = compute;
        this.models = models;
        this.states = new RenderStateStore(objects);
        this.files = new StoredFiles(models, objects);
        this.metrics = new RenderMetrics(registry);
        Evaluators evaluators = new Evaluators(models);
        this.renderer = new GanRenderer(evaluators, files, states, metrics);
        this.reports = new ExperimentReport(objects, files, evaluators);
    }

    // ------------------------------------------------------------------------------------------------ messages

    @Incoming("populations")
    @Blocking
    public void onPopulation(String json) {
        try {
            compute.run(() -> population(json));
        } catch (RuntimeException e) {
            throw deadLetters.reject("populations", e);
        }
    }

    /** A population: the GAN's state (restored from S3 if any), round 0's grid, the rounds parked before it. */
    private void population(String json) {
        PopulationReady p = Messages.decode(json, PopulationReady.class);
        RenderedGan gan = gans.get(key(p.experimentId(), p.gan()));
        if (gan == null) {
            gan = register(p);
            states.putPopulation(p, json);
            LOG.infof("experiment=%s gan=%s: population of noisy size N̂ %d, preset %s, seed %d, images every %d rounds,"
                    + " classifier %s", p.experimentId(), p.gan(), p.populationSize(), gan.config.preset().name(),
                    gan.config.seed(), gan.config.imagesEvery(), p.request().classifier() == null ? "none"
                            : p.request().classifier().uri());
        } else {
            LOG.infof("experiment=%s gan=%s: population again, already known", p.experimentId(), p.gan());
        }
        if (!gan.state.rendered(0)) {
            // Round 0 is the aggregator's starting point: GanNetworks.initialGenerator(preset, seed), as in one JVM.
            long t0 = System.nanoTime();
            ObjectRef grid = renderer.draw(gan, 0, GanNetworks.initialGenerator(gan.config.preset(), gan.config.seed()), 0);
            announce(gan, gan.state.at(0), grid, null, null, null);
            metrics.took(t0);
        }
        RenderedGan known = gan;
        states.drainParked(gan.experiment(), gan.name(), parked -> {
            try {
                handle(known, Messages.decode(parked, RoundCompleted.class));
            } catch (RuntimeException e) {
                // The original record was acknowledged when it was parked: dead-letter it here, the same way.
                deadLetter(known.experiment(), parked, e);
            }
        });
    }

    @Incoming("rounds")
    @Blocking
    public void onRound(String json) {
        try {
            compute.run(() -> round(json));
        } catch (RuntimeException e) {
            throw deadLetters.reject("rounds", e);
        }
    }

    /**
     * An announced round: rendered if it is due (parked if its population is not known yet). Its generator must be
     * stored as that round's own first: a stray or hostile announcement is dead-lettered, not kept.
     */
    private void round(String json) {
        RoundCompleted r = Messages.decode(json, RoundCompleted.class);
        models.checkAnnounced(r);
        RenderedGan gan = known(r.experimentId(), r.gan());
        if (gan == null) {
            states.park(r, json);
            metrics.parked();
            LOG.infof("experiment=%s gan=%s round=%d: population not known yet, kept until it is", r.experimentId(),
                    r.gan(), r.round());
            return;
        }
        handle(gan, r);
    }

    /** Does what {@link RenderPlan} decides for the round. */
    private void handle(RenderedGan gan, RoundCompleted r) {
        long t0 = System.nanoTime();
        switch (RenderPlan.decide(gan.state, gan.config.imagesEvery(), r)) {
            case SKIP -> gan.state.seen(r); // nothing to draw this round; the state is saved with the next drawing
            case DUPLICATE -> {
                metrics.duplicate();
                LOG.infof("experiment=%s gan=%s round=%d: already rendered, skipped", gan.experiment(), gan.name(),
                        r.round());
            }
            case DRAW -> {
                ObjectRef grid = renderer.draw(gan, r.round(), generator(gan, r), r.epsilon());
                announce(gan, gan.state.at(r.round()), grid, null, null, null);
                metrics.took(t0);
            }
            case DRAW_AND_FINISH -> {
                renderer.draw(gan, r.round(), generator(gan, r), r.epsilon());
                finish(gan, r, t0);
            }
            case FINISH -> {
                metrics.duplicate();
                LOG.infof("experiment=%s gan=%s round=%d: last round again, completing the GIF/report",
                        gan.experiment(), gan.name(), r.round());
                finish(gan, r, t0);
            }
        }
    }

    /**
     * The announced generator, the round then accounted. A missing, corrupt, wrongly shaped or non-finite generator
     * throws before the state is touched: the message is dead-lettered and a redelivery is handled afresh.
     */
    private NetworkWeights generator(RenderedGan gan, RoundCompleted r) {
        NetworkWeights g = models.getWeights(r.generator(), GanNetworks.generatorLayout(gan.config.preset()));
        gan.state.seen(r);
        return g;
    }

    /** The last round: the GIF, and once both GANs are done the picture, the report and the verdict. */
    private void finish(RenderedGan gan, RoundCompleted r, long t0) {
        GanState s = gan.state;
        s.finishedRound = r.round();
        s.stoppedBecause = r.stoppedBecause() != null ? r.stoppedBecause() : "finished at round " + r.round();
        int frames = renderer.finish(gan);
        LOG.infof("experiment=%s gan=%s round=%d: finished (%s), GIF of %d grids", gan.experiment(), gan.name(),
                r.round(), r.stoppedBecause(), frames);
        ObjectRef report = null;
        String verdict = null;
        Double total = null;
        String other = gan.name().equals(LOW_ACCURACY) ? HIGH_ACCURACY
                : gan.name().equals(HIGH_ACCURACY) ? LOW_ACCURACY : null;
        RenderedGan otherGan = other == null ? null : known(gan.experiment(), other);
        if (otherGan != null && otherGan.state.finishedRound != null && otherGan.state.gif) {
            RenderedGan low = gan.name().equals(LOW_ACCURACY) ? gan : otherGan;
            RenderedGan high = gan.name().equals(HIGH_ACCURACY) ? gan : otherGan;
            ExperimentReport.Written written = reports.write(low, high);
            verdict = written.comparison().verdict();
            report = written.html();
            if (written.privacy() != null) {
                total = written.privacy().epsilonImproved();
                metrics.experimentEpsilon(gan.experiment(), total);
            }
            low.state.reported = true;
            high.state.reported = true;
            states.save(low);
            states.save(high);
            metrics.reported();
            LOG.infof("experiment=%s: report written; verdict: %s", gan.experiment(), verdict);
        }
        GanExperiment.Evaluation last = s.at(r.round());
        announce(gan, last, files.ref(gan.experiment(), gan.path(last.grid())), report, verdict, total);
        metrics.took(t0);
        if (report != null) {
            evict(gan.experiment()); // done: a late duplicate is answered from the stored state
        }
    }

    /**
     * Forgets an experiment's GANs in memory (evaluators, states); the object store keeps everything, and the next
     * message about it restores them from there, as after a restart. On the compute thread, like all of this
     * service's state.
     */
    void evict(String experiment) {
        compute.run(() -> gans.values().removeIf(g -> g.experiment().equals(experiment)));
    }

    private void announce(RenderedGan gan, GanExperiment.Evaluation e, ObjectRef grid, ObjectRef report, String verdict,
                          Double experimentEpsilon) {
        ImagesReady m = ImagesReady.builder().experimentId(gan.experiment()).gan(gan.name()).round(e.round())
                .grid(grid).meanPixel(e.meanPixel()).polarity(e.polarity().name())
                .classifierScore(e.classifierScore()).frechetDistance(e.frechetDistance()).report(report)
                .verdict(verdict).experimentEpsilon(experimentEpsilon).build();
        images.send(KafkaRecord.of(gan.experiment(), Messages.encode(m)));
    }

    /** A parked round that fails when its population arrives: counted and dead-lettered as the connector would. */
    private void deadLetter(String experiment, String json, RuntimeException e) {
        RuntimeException rejected = deadLetters.reject("rounds", e);
        parkedDeadLetters.send(KafkaRecord.of(experiment, json)
                .withHeader("dead-letter-reason", String.valueOf(rejected.getMessage()))
                .withHeader("dead-letter-cause", e.getClass().getName() + ": " + e.getMessage())
                .withHeader("dead-letter-topic", "fedgan.rounds"));
    }

    // ------------------------------------------------------------------------------------------------ GANs known

    private RenderedGan known(String experiment, String name) {
        RenderedGan gan = gans.get(key(experiment, name));
        if (gan != null) {
            return gan;
        }
        PopulationReady stored = states.population(experiment, name);
        if (stored == null) {
            return null;
        }
        // A restarted renderer: the population and the state from the object store.
        gan = register(stored);
        LOG.infof("experiment=%s gan=%s: state restored from the object store (%d evaluations, last round %d)",
                experiment, name, gan.state.evaluations.size(), gan.state.lastRound);
        return gan;
    }

    /** A GAN known from now on, with its stored state if it has one (a restart, or the population again). */
    private RenderedGan register(PopulationReady p) {
        GanState state = states.state(p.experimentId(), p.gan());
        RenderedGan gan = new RenderedGan(p, state == null ? new GanState() : state);
        gans.put(key(p.experimentId(), p.gan()), gan);
        return gan;
    }

    private static String key(String experiment, String gan) {
        return experiment + "." + gan;
    }
}
