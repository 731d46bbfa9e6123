package dev.fedgan.imagerender;

import static dev.fedgan.core.population.PopulationFilters.HIGH_ACCURACY;
import static dev.fedgan.core.population.PopulationFilters.LOW_ACCURACY;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.gan.GanEvaluator;
import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.measure.MeasurementFiles;
import dev.fedgan.core.population.PopulationFiles;
import dev.fedgan.core.population.PopulationSummary;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.render.ImageGrid;
import dev.fedgan.core.report.DebugReport;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
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

    private static final ObjectMapper READER = Json.MAPPER.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One GAN the renderer draws: its request and state, and the evaluator (fixed noise, classifier) once built. */
    static final class Gan {
        final PopulationReady population;
        final GanTrainingConfig config;
        final GanState state;
        GanEvaluator evaluator;

        Gan(PopulationReady population, GanTrainingConfig config, GanState state) {
            this.population = population;
            this.config = config;
            this.state = state;
        }

        String experiment() {
            return population.experimentId();
        }

        String name() {
            return population.gan();
        }
    }

    /** A gauge's value, held strongly (Micrometer keeps only a weak reference). */
    static final class Value {
        volatile double v = Double.NaN;

        double get() {
            return v;
        }
    }

    private final ModelStore models;
    private final ObjectStore objects;
    private final RenderStateStore states;
    private final Emitter<String> images;
    private final Emitter<String> parkedDeadLetters;
    private final DeadLetters deadLetters;
    /**
     * Every message is handled here, one at a time (rendering is SameDiff work): the state below is only touched on
     * this thread, not on the worker thread a message arrives on.
     */
    private final ComputeThread compute;
    private final MeterRegistry registry;
    private final Map<String, Gan> gans = new HashMap<>();
    private final Map<String, PrimaryClassifier> classifiers = new HashMap<>();
    private final Map<String, float[]> realImages = new HashMap<>();
    private final Map<String, Value> gauges = new ConcurrentHashMap<>();
    private final Counter rendered;
    private final Counter duplicates;
    private final Counter parked;
    private final Counter reports;
    private final Timer duration;

    public ImageRenderService(ModelStore models, ObjectStore objects, @Channel("images") Emitter<String> images,
            @Channel("render-dead-letter") Emitter<String> parkedDeadLetters, DeadLetters deadLetters, ComputeThread compute,
            MeterRegistry registry) {
        this.models = models;
        this.objects = objects;
        this.states = new RenderStateStore(objects);
        this.images = images;
        this.parkedDeadLetters = parkedDeadLetters;
        this.deadLetters = deadLetters;
        this.compute = compute;
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
        String key = key(p.experimentId(), p.gan());
        Gan gan = gans.get(key);
        if (gan == null) {
            gan = register(p);
            states.putPopulation(p, json);
            GanTrainingConfig config = gan.config;
            LOG.infof("experiment=%s gan=%s: population of %d clients, preset %s, seed %d, images every %d rounds,"
                    + " classifier %s", p.experimentId(), p.gan(), p.clients().size(), config.preset().name(),
                    config.seed(), config.imagesEvery(), p.request().classifier() == null ? "none"
                            : p.request().classifier().uri());
        } else {
            LOG.infof("experiment=%s gan=%s: population again, already known", p.experimentId(), p.gan());
        }
        if (!gan.state.rendered(0)) {
            // Round 0 is the aggregator's starting point: GanNetworks.initialGenerator(preset, seed), as in one JVM.
            render(gan, 0, GanNetworks.initialGenerator(gan.config.preset(), gan.config.seed()), 0, null);
        }
        drainParked(gan);
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

    /** An announced round: rendered if it is due (parked if its population is not known yet). */
    private void round(String json) {
        RoundCompleted r = Messages.decode(json, RoundCompleted.class);
        Gan gan = known(r.experimentId(), r.gan());
        if (gan == null) {
            states.park(r, json);
            parked.increment();
            LOG.infof("experiment=%s gan=%s round=%d: population not known yet, kept until it is", r.experimentId(),
                    r.gan(), r.round());
            return;
        }
        handle(gan, r);
    }

    /** The population is known: the rounds announced before it, in round order. */
    private void drainParked(Gan gan) {
        states.drainParked(gan.experiment(), gan.name(), parked -> {
            try {
                handle(gan, Messages.decode(parked, RoundCompleted.class));
            } catch (RuntimeException e) {
                // The original record was acknowledged when it was parked: dead-letter it here, the same way.
                deadLetter(gan.experiment(), parked, e);
            }
        });
    }

    /** Does what {@link RenderPlan} decides for the round. */
    private void handle(Gan gan, RoundCompleted r) {
        long t0 = System.nanoTime();
        switch (RenderPlan.decide(gan.state, gan.config.imagesEvery(), r)) {
            case SKIP -> gan.state.seen(r); // nothing to draw this round; the state is saved with the next drawing
            case DUPLICATE -> {
                duplicates.increment();
                LOG.infof("experiment=%s gan=%s round=%d: already rendered, skipped", gan.experiment(), gan.name(),
                        r.round());
            }
            case DRAW -> render(gan, r.round(), generator(gan, r), r.epsilon(), t0);
            case DRAW_AND_FINISH -> {
                renderOnly(gan, r.round(), generator(gan, r), r.epsilon());
                finish(gan, r, t0);
            }
            case FINISH -> {
                duplicates.increment();
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
    private NetworkWeights generator(Gan gan, RoundCompleted r) {
        NetworkWeights g = models.getWeights(r.generator(), GanNetworks.generatorLayout(gan.config.preset()));
        gan.state.seen(r);
        return g;
    }

    // ------------------------------------------------------------------------------------------------ drawing

    /** Draws a round, stores it and announces it. */
    private void render(Gan gan, int round, NetworkWeights generator, double epsilon, Long t0) {
        long start = t0 != null ? t0 : System.nanoTime();
        ObjectRef grid = renderOnly(gan, round, generator, epsilon);
        announce(gan, gan.state.at(round), grid, null, null);
        duration.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Draws a round and stores the grid, the evaluations and the state. */
    private ObjectRef renderOnly(Gan gan, int round, NetworkWeights generator, double epsilon) {
        GanEvaluator.Drawn d;
        try {
            d = evaluator(gan).draw(generator);
        } catch (IllegalArgumentException e) {
            throw new MessageException("experiment " + gan.experiment() + " " + gan.name() + " round " + round
                    + ": the generator cannot be drawn: " + e.getMessage(), e);
        }
        if (!Double.isFinite(d.meanPixel()) || (d.classifierScore() != null && !Double.isFinite(d.classifierScore()))) {
            throw new MessageException("experiment " + gan.experiment() + " " + gan.name() + " round " + round
                    + ": non-finite metrics (mean pixel " + d.meanPixel() + ", classifier score " + d.classifierScore() + ")");
        }
        String file = GanEvaluator.gridFile(round);
        ObjectRef grid = putImage(gan.experiment(), ganPath(gan, file), d.grid());
        GanExperiment.Evaluation e = new GanExperiment.Evaluation(round, d.meanPixel(), d.polarity(), d.classifierScore(),
                d.frechetDistance(), epsilon, file);
        GanState s = gan.state;
        s.record(e);
        models.putFile(gan.experiment(), ganPath(gan, GanRunFiles.EVALUATIONS), GanRunFiles.evaluationsJson(s.evaluations));
        models.putFile(gan.experiment(), ganPath(gan, GanRunFiles.EVALUATIONS_CSV), GanRunFiles.evaluationsCsv(s.evaluations));
        states.save(gan.experiment(), gan.name(), gan.state);
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
        LOG.infof("experiment=%s gan=%s round=%d: mean pixel %+.3f (%s), classifier score %s, FCD %s, grid %s",
                gan.experiment(), gan.name(), round, d.meanPixel(), d.polarity().name().toLowerCase(Locale.ROOT),
                d.classifierScore(), d.frechetDistance(), grid.uri());
        return grid;
    }

    /** The last round: the GIF, and once both GANs are done the picture, the report and the verdict. */
    private void finish(Gan gan, RoundCompleted r, long t0) {
        GanState s = gan.state;
        s.finishedRound = r.round();
        s.stoppedBecause = r.stoppedBecause() != null ? r.stoppedBecause() : "finished at round " + r.round();
        List<BufferedImage> frames = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (GanExperiment.Evaluation e : s.evaluations) {
            frames.add(readImage(gan.experiment(), ganPath(gan, e.grid())));
            captions.add(GanEvaluator.caption(e.round()));
        }
        models.putFile(gan.experiment(), ganPath(gan, GanRunFiles.GIF), GanRunFiles.gif(frames, captions));
        models.putFile(gan.experiment(), ganPath(gan, GanRunFiles.PRIVACY), GanRunFiles.privacyJson(privacy(gan)));
        s.gif = true;
        states.save(gan.experiment(), gan.name(), gan.state);
        LOG.infof("experiment=%s gan=%s round=%d: finished (%s), GIF of %d grids", gan.experiment(), gan.name(),
                r.round(), r.stoppedBecause(), frames.size());
        ObjectRef report = null;
        String verdict = null;
        String other = gan.name().equals(LOW_ACCURACY) ? HIGH_ACCURACY
                : gan.name().equals(HIGH_ACCURACY) ? LOW_ACCURACY : null;
        Gan otherGan = other == null ? null : known(gan.experiment(), other);
        if (otherGan != null && otherGan.state.finishedRound != null && otherGan.state.gif) {
            Gan low = gan.name().equals(LOW_ACCURACY) ? gan : otherGan;
            Gan high = gan.name().equals(HIGH_ACCURACY) ? gan : otherGan;
            Report written = report(low, high);
            verdict = written.comparison().verdict();
            report = written.html();
            low.state.reported = true;
            high.state.reported = true;
            states.save(low.experiment(), low.name(), low.state);
            states.save(high.experiment(), high.name(), high.state);
            reports.increment();
            LOG.infof("experiment=%s: report written; verdict: %s", gan.experiment(), verdict);
        }
        GanExperiment.Evaluation last = s.at(r.round());
        ObjectRef grid = ObjectStore.ref(objects.bucket(),
                objects.stat(ExperimentLayout.file(gan.experiment(), ganPath(gan, last.grid()))));
        announce(gan, last, grid, report, verdict);
        duration.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
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

    private void announce(Gan gan, GanExperiment.Evaluation e, ObjectRef grid, ObjectRef report, String verdict) {
        ImagesReady m = new ImagesReady(Messages.SCHEMA, gan.experiment(), gan.name(), e.round(), grid, e.meanPixel(),
                e.polarity().name(), e.classifierScore(), e.frechetDistance(), report, verdict);
        images.send(KafkaRecord.of(gan.experiment(), Messages.encode(m)));
    }

    // ------------------------------------------------------------------------------------------------ report

    /** The comparison and the stored {@code report.html}. */
    record Report(PopulationComparison.Comparison comparison, ObjectRef html) {
    }

    private Report report(Gan low, Gan high) {
        String id = low.experiment();
        PopulationComparison.Side lowSide = side("low-accuracy users", low);
        PopulationComparison.Side highSide = side("high-accuracy users", high);
        BufferedImage lowGrid = readImage(id, ganPath(low, low.state.last().grid()));
        BufferedImage highGrid = readImage(id, ganPath(high, high.state.last().grid()));
        PopulationComparison.Comparison[] cmp = new PopulationComparison.Comparison[1];
        ObjectRef[] html = new ObjectRef[1];
        withTemp(dir -> {
            cmp[0] = PopulationComparison.compare(lowSide, highSide, lowGrid, highGrid,
                    dir.resolve(PopulationComparison.SIDE_BY_SIDE));
            models.putFile(id, PopulationComparison.SIDE_BY_SIDE, dir.resolve(PopulationComparison.SIDE_BY_SIDE));
            String histogram = "measurement/" + MeasurementFiles.HISTOGRAM_PNG;
            DebugReport.write(dir, new DebugReport.Content(cmp[0].verdict(), cmp[0].inversionFound(), provenance(low),
                    readFile(id, "measurement/" + MeasurementFiles.SUMMARY, MeasurementFiles.Summary.class),
                    objects.exists(ExperimentLayout.file(id, histogram)) ? histogram : null, populations(id), cmp[0]));
            models.putFile(id, DebugReport.JSON, dir.resolve(DebugReport.JSON));
            html[0] = models.putFile(id, DebugReport.HTML, dir.resolve(DebugReport.HTML));
        });
        return new Report(cmp[0], html[0]);
    }

    private PopulationComparison.Side side(String label, Gan gan) {
        GanState s = gan.state;
        PopulationReady p = gan.population;
        PopulationSummary summary = null;
        if (p.summary() != null) {
            try {
                summary = READER.readValue(objects.get(p.summary().key(), p.summary().size(), p.summary().sha256()),
                        PopulationSummary.class);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("experiment=%s gan=%s: population summary %s unreadable (%s); truly inverted shown as 0",
                        gan.experiment(), gan.name(), p.summary().uri(), e.getMessage());
            }
        }
        GanExperiment.Result result = new GanExperiment.Result(label, p.clients().size(), s.finishedRound,
                s.stoppedBecause, s.seconds, s.last(), List.copyOf(s.evaluations), privacy(gan), randomness(gan),
                GanRunFiles.GIF);
        return new PopulationComparison.Side(label, populationPath(p), p.clients().size(),
                summary == null ? 0 : summary.trulyInverted(), result);
    }

    /** The population's directory as {@code fedgan debug} names it (by_user/acc_lt0p882), from the client-ids key. */
    static String populationPath(PopulationReady p) {
        String key = p.clientIds().key();
        String marker = "/files/populations/";
        int at = key.indexOf(marker);
        String suffix = "/" + PopulationFiles.CLIENT_IDS;
        if (at >= 0 && key.endsWith(suffix) && key.length() > at + marker.length() + suffix.length()) {
            return key.substring(at + marker.length(), key.length() - suffix.length());
        }
        return p.gan();
    }

    /**
     * The privacy statement of the rounds announced (the report's wording and orders), checked against what the
     * aggregator's accountant announced: a statement whose ε or δ is not the aggregator's is refused.
     */
    private PrivacyStatement privacy(Gan gan) {
        GanSettings g = gan.population.request().gan();
        GanTrainingConfig c = gan.config;
        int rounds = gan.state.finishedRound != null ? gan.state.finishedRound : gan.state.lastRound;
        PrivacyStatement p = PrivacyStatement.of(gan.population.clients().size(), c.clientsPerRound(),
                c.noiseMultiplier(), c.clip(), rounds, g == null ? null : g.delta(),
                g == null || g.seededPrivacyNoise() == null);
        GanState s = gan.state;
        if (rounds > 0 && (Math.abs(p.epsilonImproved() - s.epsilon) > 1e-9 * Math.max(1, s.epsilon)
                || Math.abs(p.delta() - s.delta) > 1e-12 * Math.max(1, s.delta))) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT, "experiment %s %s: the aggregator"
                    + " announced ε %.6g at δ %.3g after round %d, the report's statement says ε %.6g at δ %.3g",
                    gan.experiment(), gan.name(), s.epsilon, s.delta, rounds, p.epsilonImproved(), p.delta()));
        }
        return p;
    }

    private static String randomness(Gan gan) {
        GanSettings g = gan.population.request().gan();
        Long seed = g == null ? null : g.seededPrivacyNoise();
        GaussianNoise noise = seed == null ? GaussianNoise.secure() : GaussianNoise.seeded(seed);
        ClientSampler sampler = seed == null ? ClientSampler.secure() : ClientSampler.seeded(seed);
        return "noise: " + noise.description() + "; client sampling: " + sampler.description();
    }

    private ClassifierProvenance provenance(Gan gan) {
        ClassifierProvenance stored = readFile(gan.experiment(), "classifier/" + PrimaryClassifier.PROVENANCE_FILE,
                ClassifierProvenance.class);
        if (stored != null) {
            return stored;
        }
        ObjectRef ref = gan.population.request().classifier();
        PrimaryClassifier c = ref == null ? null : classifiers.get(ref.sha256());
        return c == null ? null : c.provenance();
    }

    /** The population summaries the filter stored (by_user first, then by_example), empty if none. */
    private List<PopulationSummary> populations(String id) {
        String files = ExperimentLayout.files(id);
        List<String> keys = new ArrayList<>();
        for (String k : objects.list(files + "populations/")) {
            if (k.endsWith("/" + PopulationFiles.SUMMARY)) {
                keys.add(k.substring(files.length()));
            }
        }
        keys.sort(Comparator.comparing((String k) -> !k.startsWith("populations/by_user/")).thenComparing(k -> k));
        List<PopulationSummary> out = new ArrayList<>();
        for (String k : keys) {
            PopulationSummary s = readFile(id, k, PopulationSummary.class);
            if (s != null) {
                out.add(s);
            }
        }
        // low before high, correct before incorrect: the order fedgan debug lists them in
        out.sort(Comparator.comparing((PopulationSummary s) -> !"by_user".equals(s.filter()))
                .thenComparing(s -> order(s.selection())));
        return out;
    }

    private static int order(String selection) {
        return switch (selection == null ? "" : selection) {
            case LOW_ACCURACY -> 0;
            case HIGH_ACCURACY -> 1;
            case "correct" -> 2;
            case "incorrect" -> 3;
            default -> 4;
        };
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Gan known(String experiment, String name) {
        Gan gan = gans.get(key(experiment, name));
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
    private Gan register(PopulationReady p) {
        GanState state = states.state(p.experimentId(), p.gan());
        Gan gan = new Gan(p, config(p), state == null ? new GanState() : state);
        gans.put(key(p.experimentId(), p.gan()), gan);
        return gan;
    }

    private static GanTrainingConfig config(PopulationReady p) {
        try {
            return GanSettingsMapping.config(p.request().gan());
        } catch (IllegalArgumentException e) {
            throw new MessageException("experiment " + p.experimentId() + " " + p.gan() + ": " + e.getMessage(), e);
        }
    }

    private GanEvaluator evaluator(Gan gan) {
        if (gan.evaluator == null) {
            ExperimentRequest q = gan.population.request();
            PrimaryClassifier classifier = null;
            float[] real = null;
            if (q.classifier() != null) {
                try {
                    classifier = classifiers.computeIfAbsent(q.classifier().sha256(), k -> models.getClassifier(q.classifier()));
                } catch (RuntimeException e) {
                    LOG.warnf("experiment=%s gan=%s: classifier %s unusable (%s); no classifier score or FCD",
                            gan.experiment(), gan.name(), q.classifier().uri(), e.getMessage());
                }
                if (classifier != null) {
                    try {
                        real = realImages.computeIfAbsent(q.data(), spec -> DatasetLoader.load(spec,
                                WriterPartition.Options.DEFAULT).firstImages(GanExperiment.EVAL_BATCH));
                    } catch (RuntimeException e) {
                        LOG.warnf("experiment=%s gan=%s: users' data %s not readable here (%s); no FCD",
                                gan.experiment(), gan.name(), q.data(), e.getMessage());
                    }
                }
            } else {
                LOG.infof("experiment=%s gan=%s: no classifier in the request; no classifier score or FCD",
                        gan.experiment(), gan.name());
            }
            gan.evaluator = new GanEvaluator(gan.config.preset(), gan.config.seed(), classifier, real);
        }
        return gan.evaluator;
    }

    private Value gauge(String name, String description, Gan gan) {
        return gauges.computeIfAbsent(name + "|" + key(gan.experiment(), gan.name()), k -> {
            Value v = new Value();
            Gauge.builder(name, v, Value::get).description(description).tag("experiment", gan.experiment())
                    .tag("gan", gan.name()).register(registry);
            return v;
        });
    }

    /** A parked round that fails when its population arrives: counted and dead-lettered as the connector would. */
    private void deadLetter(String experiment, String json, RuntimeException e) {
        RuntimeException rejected = deadLetters.reject("rounds", e);
        parkedDeadLetters.send(KafkaRecord.of(experiment, json)
                .withHeader("dead-letter-reason", String.valueOf(rejected.getMessage()))
                .withHeader("dead-letter-cause", e.getClass().getName() + ": " + e.getMessage())
                .withHeader("dead-letter-topic", "fedgan.rounds"));
    }

    private <T> T readFile(String id, String relative, Class<T> type) {
        String k = ExperimentLayout.file(id, relative);
        try {
            if (!objects.exists(k)) {
                return null;
            }
            return READER.readValue(objects.get(k), type);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("experiment=%s: %s unreadable (%s); left out of the report", id, objects.uri(k), e.getMessage());
            return null;
        }
    }

    private BufferedImage readImage(String id, String relative) {
        String k = ExperimentLayout.file(id, relative);
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(objects.get(k)));
            if (img == null) {
                throw new StorageException(StorageException.Reason.INVALID, k, objects.uri(k) + ": not a PNG");
            }
            return img;
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.INVALID, k, objects.uri(k) + ": " + e.getMessage(), e);
        }
    }

    private ObjectRef putImage(String id, String relative, BufferedImage img) {
        ObjectRef[] ref = new ObjectRef[1];
        withTemp(dir -> {
            Path f = dir.resolve("grid.png");
            ImageGrid.writePng(img, f);
            ref[0] = models.putFile(id, relative, f);
        });
        return ref[0];
    }

    interface IoBody {
        void run(Path dir) throws IOException;
    }

    private static void withTemp(IoBody body) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fedgan-render");
            body.run(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    private static String key(String experiment, String gan) {
        return experiment + "." + gan;
    }

    private static String ganPath(Gan gan, String relative) {
        return PopulationComparison.ganFile(gan.name(), relative);
    }

}
