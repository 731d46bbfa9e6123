package dev.fedgan.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetException;
import dev.fedgan.core.data.DataRoots;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.dpsgd.PrivateClassifier;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.PrivatePlan;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.population.Population;
import dev.fedgan.core.population.PopulationFiles;
import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.core.population.PopulationSelection;
import dev.fedgan.core.population.PrivateSelection;
import dev.fedgan.core.privacy.SelectionPrivacy;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.modelstore.ClassifierPrivacyMapping;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Steps 1-3 of the debugging workflow for one {@link ExperimentRequest}, exactly as {@code fedgan debug} runs
 * them (the core's {@link ClassifierTraining}, or {@link PrivateClassifier} when the request has
 * {@code classifier_privacy}, and {@link PrivateSelection}), with the object store in place of
 * the output directory: the released files (the classifier, {@code selection/}) go to {@code experiments/<id>/files/}
 * and the simulation's ground truth ({@code DIR/simulation/}: per-user accuracies, member lists, purity) to
 * {@code experiments/<id>/simulation/}, under the relative paths {@code fedgan debug --out DIR} writes; the classifier
 * to {@code classifiers/}; and the two by_user populations come back as {@link PopulationReady} messages carrying
 * their members (for the trusted aggregator), their released noisy size N̂ and the experiment's δ. No Quarkus or
 * Kafka here.
 *
 * <p>Idempotent: once an experiment's populations are announced they are recorded in
 * {@code experiments/<id>/filter/populations.json} (written after every file, before the messages are sent); the
 * same request again gets the recorded messages back without any training or measuring, and a different request
 * under the same experiment id is rejected.
 */
final class ExperimentFilter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one request came to. */
    record Outcome(List<PopulationReady> populations, boolean duplicate, ObjectRef classifier, Map<String, ObjectRef> files) {
    }

    private final ModelStore models;
    private final ObjectStore objects;
    private final int minNumExamples;
    private final DataRoots roots;

    ExperimentFilter(ModelStore models, ObjectStore objects, int minNumExamples, DataRoots roots) {
        this.models = models;
        this.objects = objects;
        this.roots = roots;
        PopulationSelection.check(null, null, minNumExamples);
        this.minNumExamples = minNumExamples;
    }

    /** Where the announced populations of an experiment are recorded. */
    static String manifestKey(ExperimentRequest r) {
        try {
            return ExperimentLayout.filterRecord(r.experimentId());
        } catch (IllegalArgumentException e) {
            throw new MessageException("experiment_id: " + e.getMessage(), e);
        }
    }

    /**
     * Rejects a request that cannot succeed, before any work: an experiment id the object store cannot hold,
     * thresholds that would make the populations overlap, GAN settings the aggregator would refuse, data specs
     * outside {@code fedgan.data.roots} or naming no readable data, a classifier in another bucket. (Ranges, the schema and missing fields are
     * checked when the message is decoded.)
     *
     * @throws MessageException naming the field and what is wrong with it
     */
    void validate(ExperimentRequest r) {
        manifestKey(r);
        if (r.lowThreshold() != null && r.highThreshold() != null && r.lowThreshold() > r.highThreshold()) {
            throw new MessageException("low_threshold " + r.lowThreshold() + " is above high_threshold "
                    + r.highThreshold() + ": the low- and high-accuracy populations would overlap");
        }
        try {
            PrivateSelection.check(r.lowThreshold(), r.highThreshold(), minNumExamples, noiseMultiplier(r));
            ganConfig(r);
            if (r.gan() != null && r.gan().delta() != null) {
                PrivateSelection.delta(r.gan().delta(), 2);
            }
        } catch (IllegalArgumentException e) {
            throw new MessageException(e.getMessage(), e);
        }
        if (r.privateTargetEpsilon() != null && r.gan() != null
                && (r.gan().clientsPerRound() != null || r.gan().noiseMultiplier() != null)) {
            throw new MessageException("private_target_epsilon chooses the GANs' clients_per_round and noise_multiplier:"
                    + " leave them out of gan");
        }
        checkData("data", r.data());
        if (r.classifier() != null && r.classifierPrivacy() != null) {
            throw new MessageException("classifier_privacy applies to a classifier the filter trains; this request names"
                    + " the stored classifier " + r.classifier().uri());
        }
        if (r.classifierPrivacy() != null) {
            try {
                privateTrainingOptions(r);
            } catch (IllegalArgumentException e) {
                throw new MessageException("classifier_privacy: " + e.getMessage(), e);
            }
        }
        if (r.classifier() == null) {
            checkData("train_data", r.trainDataOrDefault());
        } else if (!r.classifier().bucket().equals(objects.bucket())) {
            throw new MessageException("classifier " + r.classifier().uri() + " is in bucket " + r.classifier().bucket()
                    + "; this filter reads bucket " + objects.bucket());
        }
    }

    private void checkData(String field, String spec) {
        try {
            roots.check(field, spec);
        } catch (IllegalArgumentException e) {
            throw new MessageException(e.getMessage(), e);
        }
        try {
            DatasetLoader.check(spec);
        } catch (DatasetException e) {
            throw new MessageException(field + " '" + spec + "' cannot be read: " + e.getMessage(), e);
        }
    }

    /** The selection's noise multiplier as far as the request alone says: its own, or {@code fedgan debug}'s default. */
    static double noiseMultiplier(ExperimentRequest r) {
        return SelectionPrivacy.noiseMultiplierOrDefault(r.selectionNoiseMultiplier());
    }

    /** The request's GAN settings over the defaults: {@code fedgan debug}'s, or a private run's before its plan. */
    static GanTrainingConfig ganConfig(ExperimentRequest r) {
        return GanSettingsMapping.config(r.gan(), r.privateTargetEpsilon() != null ? PrivatePlan.BASE
                : GanTrainingConfig.CPU_DEMO);
    }

    /**
     * The private selection's settings for the {@code users} of the data set: the request's thresholds and z_sel (for
     * a private request without one, what {@link PrivatePlan#selectionNoise} gives), and the experiment's δ
     * ({@code gan.delta}, or min(1e-5, N_field^-1.1)).
     */
    PrivateSelection.Settings settings(ExperimentRequest r, long users) {
        Double delta = r.gan() == null ? null : r.gan().delta();
        Double z = r.privateTargetEpsilon() == null ? r.selectionNoiseMultiplier() : PrivatePlan.selectionNoise(
                r.selectionNoiseMultiplier(), r.privateTargetEpsilon(), PrivateSelection.delta(delta, users));
        return PrivateSelection.Settings.of(r.lowThreshold(), r.highThreshold(), minNumExamples, z, delta, users);
    }

    /** The seed of a seeded run ({@code gan.seeded_privacy_noise}), null for secure noise. */
    static Long seeded(ExperimentRequest r) {
        return r.gan() == null ? null : r.gan().seededPrivacyNoise();
    }

    /** The classifier training of {@code fedgan debug} ({@code --epochs} from {@code classifier_epochs}). */
    static ClassifierTraining.Options trainingOptions(ExperimentRequest r) {
        ClassifierTraining.Options d = ClassifierTraining.Options.DEFAULT;
        if (r.classifierEpochs() == null) {
            return d;
        }
        int epochs = r.classifierEpochs();
        return new ClassifierTraining.Options(epochs, d.batchSize(), d.learningRate(),
                Math.min(d.decayEpochs(), Math.max(0, epochs - 1)), d.seed());
    }

    /**
     * The DP-SGD training of a request with {@code classifier_privacy}, as {@code fedgan debug --classifier-dp}: the
     * initialisation seed of the ordinary training, and the sampling and noise seeded only in a seeded run.
     */
    static DpSgdTraining.Options privateTrainingOptions(ExperimentRequest r) {
        return ClassifierPrivacyMapping.options(r.classifierPrivacy(), r.classifierEpochs(),
                trainingOptions(r).seed(), seeded(r));
    }

    /**
     * Trains the primary classifier on the lab data: with DP-SGD (the reference architecture) when the request has
     * {@code classifier_privacy}, its guarantee then in the provenance; else as {@code fedgan debug}. Both on the
     * same split of the lab data ({@link ClassifierTraining#labSplit}).
     */
    static PrimaryClassifier train(ExperimentRequest r, Progress progress) {
        ClassifierTraining.Options o = trainingOptions(r);
        FederatedDataset[] split = ClassifierTraining.labSplit(r.trainDataOrDefault(), o.seed(),
                WriterPartition.Options.DEFAULT);
        return PrivateClassifier.primary(split[0], split[1], o,
                r.classifierPrivacy() == null ? null : privateTrainingOptions(r), progress);
    }

    /**
     * Runs the request (after {@link #validate}), or returns the recorded populations if it ran before.
     *
     * @throws MessageException for a different request under a used experiment id, or an empty population
     */
    Outcome run(ExperimentRequest r, Progress progress) {
        String manifest = manifestKey(r);
        if (objects.exists(manifest)) {
            return recorded(r, manifest); // before validating: the data may be gone by now, the populations are not
        }
        validate(r);
        Path out;
        try {
            out = Files.createTempDirectory("fedgan-filter-" + r.experimentId() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory: " + e.getMessage(), e);
        }
        try {
            return filter(r, out, progress, manifest);
        } finally {
            FileTrees.deleteQuietly(out);
        }
    }

    private Outcome filter(ExperimentRequest r, Path out, Progress progress, String manifest) {
        String id = r.experimentId();
        // The cheap failures first: a stored classifier that is missing or corrupt, then the users' data.
        PrimaryClassifier classifier = r.classifier() != null ? models.getClassifier(r.classifier()) : null;
        PrivateSelection.Field users = PrivateSelection.field(DatasetLoader.load(r.data(),
                WriterPartition.Options.DEFAULT));
        FederatedDataset field = users.users();
        PrivateSelection.Settings settings = settings(r, field.numWriters());
        GanTrainingConfig gan = ganConfig(r);
        if (r.privateTargetEpsilon() != null) {
            try {
                PrivatePlan.checkLargeEnough(r.privateTargetEpsilon(), settings.delta(),
                        SelectionPrivacy.of(settings.noiseMultiplier()), field.numWriters(), gan.rounds(),
                        gan.preset().criticWeights());
            } catch (IllegalArgumentException e) {
                throw new MessageException("experiment " + id + ": " + e.getMessage(), e);
            }
        }
        ObjectRef classifierRef = r.classifier();
        if (classifier == null) {
            classifier = train(r, progress);
            classifierRef = models.putClassifier(classifier);
        }
        try {
            classifier.save(out.resolve(PopulationSelection.CLASSIFIER_DIR));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the classifier's files: " + e.getMessage(), e);
        }
        PrivateSelection.Result selected = PrivateSelection.run(classifier, classifierRef.uri(), users,
                new InversionBug(r.invertProbability(), r.bugSeed()), settings, PrivateSelection.noise(seeded(r)), out,
                progress);
        GanSettings forwardGan = r.gan();
        if (r.privateTargetEpsilon() != null) {
            // From public values and the released sizes only, so the plan is itself a release.
            PrivatePlan plan;
            try {
                plan = PrivatePlan.choose(r.privateTargetEpsilon(), settings.delta(),
                        SelectionPrivacy.of(settings.noiseMultiplier()),
                        Math.min(selected.lowSize(), selected.highSize()), gan.rounds(), gan.preset().criticWeights());
                if (r.gan() != null && r.gan().clipQuantile() != null) { // the request's clip rule over the plan's
                    plan = plan.withClipRule(GanSettingsMapping.config(r.gan(), plan.applyTo(gan)).adaptiveClip());
                }
            } catch (IllegalArgumentException e) {
                throw new MessageException("experiment " + id + ": " + e.getMessage(), e);
            }
            gan = plan.applyTo(gan);
            Json.write(out.resolve(PrivatePlan.FILE), plan);
            forwardGan = GanSettingsMapping.settings(gan, r.gan() == null ? null : r.gan().targetEpsilon(), seeded(r))
                    .toBuilder().delta(r.gan() == null ? null : r.gan().delta()).build();
        }
        Map<String, ObjectRef> files = upload(id, out);
        try {
            // Only released values decide (and are named): N̂ against m. A population may have no member at all.
            PrivateSelection.checkClientsPerRound(selected.release(), gan.clientsPerRound());
        } catch (IllegalArgumentException e) {
            throw new MessageException("experiment " + id + ": " + e.getMessage() + " (the selection is in "
                    + objects.uri(ExperimentLayout.file(id, PrivateSelection.SELECTION_DIR + "/"
                    + PrivateSelection.RELEASE_JSON)) + ")", e);
        }
        ExperimentRequest forward = r.toBuilder().classifier(classifierRef).gan(forwardGan).build();
        List<PopulationReady> ready = new ArrayList<>();
        ready.add(populationReady(id, PopulationFilters.LOW_ACCURACY, selected.low(), selected.lowSize(), settings,
                files, forward));
        ready.add(populationReady(id, PopulationFilters.HIGH_ACCURACY, selected.high(), selected.highSize(), settings,
                files, forward));
        writeManifest(manifest, r, ready);
        return new Outcome(ready, false, classifierRef, files);
    }

    private static PopulationReady populationReady(String id, String gan, Population p, int populationSize,
            PrivateSelection.Settings settings, Map<String, ObjectRef> files, ExperimentRequest forward) {
        String dir = PrivateSelection.SIMULATION_DIR + "/" + PopulationSelection.POPULATIONS_DIR + "/" + p.path() + "/";
        return new PopulationReady(Messages.SCHEMA, id, gan, List.copyOf(p.inversion().keySet()), populationSize,
                settings.delta(), files.get(dir + PopulationFiles.CLIENT_IDS), files.get(dir + PopulationFiles.SUMMARY),
                forward);
    }

    /**
     * Every file under {@code out}, at its relative path, in path order: those under {@code simulation/} to the
     * experiment's simulation keys (not released), the others to its files (released).
     */
    private Map<String, ObjectRef> upload(String id, Path out) {
        Map<String, ObjectRef> refs = new LinkedHashMap<>();
        String simulation = PrivateSelection.SIMULATION_DIR + "/";
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String relative = out.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
                refs.put(relative, relative.startsWith(simulation)
                        ? models.putSimulationFile(id, relative.substring(simulation.length()), f)
                        : models.putFile(id, relative, f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out + ": " + e.getMessage(), e);
        }
        return refs;
    }

    private void writeManifest(String key, ExperimentRequest r, List<PopulationReady> ready) {
        try {
            ObjectNode m = JSON.createObjectNode();
            m.put("schema", Messages.SCHEMA);
            m.put("experiment_id", r.experimentId());
            m.set("request", JSON.readTree(Messages.encode(r)));
            ArrayNode pops = m.putArray("populations");
            for (PopulationReady p : ready) {
                pops.add(JSON.readTree(Messages.encode(p)));
            }
            objects.put(key, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the population record: " + e.getMessage(), e);
        }
    }

    private Outcome recorded(ExperimentRequest r, String key) {
        JsonNode m;
        try {
            m = JSON.readTree(new String(objects.get(key), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new MessageException(objects.uri(key) + ": unreadable population record: " + e.getMessage(), e);
        }
        ExperimentRequest before = Messages.decode(m.get("request").toString(), ExperimentRequest.class);
        if (!Messages.encode(before).equals(Messages.encode(r))) {
            throw new MessageException("experiment " + r.experimentId() + " was already filtered for a different request "
                    + "(" + objects.uri(key) + "); choose a new experiment_id");
        }
        List<PopulationReady> ready = new ArrayList<>();
        for (JsonNode p : m.get("populations")) {
            ready.add(Messages.decode(p.toString(), PopulationReady.class));
        }
        return new Outcome(ready, true, ready.get(0).request().classifier(), Map.of());
    }

}
