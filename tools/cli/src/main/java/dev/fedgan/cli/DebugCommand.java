package dev.fedgan.cli;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetException;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.dpsgd.PrivateClassifier;
import dev.fedgan.core.gan.GanEvaluator;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.gan.PrivatePlan;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.core.population.PopulationSelection;
import dev.fedgan.core.population.PrivateSelection;
import dev.fedgan.core.population.SelectionRelease;
import dev.fedgan.core.privacy.SelectionPrivacy;
import dev.fedgan.core.report.DebugReport;
import dev.fedgan.modelstore.ClassifierPrivacyMapping;
import dev.fedgan.protocol.ClassifierPrivacy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "debug", mixinStandardHelpOptions = true,
        description = {"The debugging workflow in one JVM, without the services (on the bundled digits by default).",
            "",
            "  1. Train the primary classifier on the lab data (or load --classifier).",
            "  2. Give the inversion bug to a fraction p of the field users (writers).",
            "  3. Each simulated device measures the classifier on its own data.",
            "  4. The server learns a noisy accuracy histogram and picks the thresholds.",
            "  5. Each device joins low (accuracy < low) or high (> high) by itself.",
            "  6. The server learns each population's noisy size N^.",
            "  7. Train a DP federated GAN on each population (q = m / N^); compare them.",
            "",
            "With --classifier-dp the classifier is trained by DP-SGD, as the filter does for a request's "
                + "classifier_privacy: sample-level DP for one example of the lab data (not a user), its epsilon in "
                + "classifier/classifier.json and the report.",
            "",
            "The selection's two releases are Gaussian mechanisms (noise multiplier --selection-noise, sensitivity 1 "
                + "per user) whose cost is stated in selection/selection.json. The GANs' drawings of the two "
                + "populations, side by side, show what the failing users' data looks like.",
            "",
            "Released under --out: classifier/, selection/ (selection.json, the noisy histogram PNG), gans/ (grids, "
                + "GIFs, per-round CSV, checkpoints), low_vs_high.png and report.html / report.json. The "
                + "simulation's ground truth, per-user values computed centrally that a real deployment does not "
                + "have (accuracies, who has the bug, member lists, by_example populations, purity), goes to "
                + "simulation/ and is not a release.",
            ""})
final class DebugCommand implements Callable<Integer> {

    @Option(names = "--train-data", defaultValue = "bundled:lab", description = "Classifier training data. Default: ${DEFAULT-VALUE}.")
    String trainData;

    @Option(names = "--data", defaultValue = "bundled:field", description = "The users' data. Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--classifier", description = "Use this saved classifier instead of training one.")
    Path classifier;

    @Option(names = {"-p", "--invert-probability"}, defaultValue = "0.5",
            description = "Chance that a writer got the buggy update. Default: ${DEFAULT-VALUE}.")
    double probability;

    @Option(names = "--bug-seed", defaultValue = "7", description = "Seed of who gets the bug. Default: ${DEFAULT-VALUE}.")
    long bugSeed;

    @Option(names = "--low", description = "Low-accuracy threshold (devices with accuracy below it join). Default: "
            + "chosen from the noisy histogram (about its 25th percentile, on a bin edge).")
    Double low;

    @Option(names = "--high", description = "High-accuracy threshold (devices with accuracy above it join). Default: "
            + "chosen from the noisy histogram (about its 75th percentile, on a bin edge).")
    Double high;

    @Option(names = "--selection-noise", paramLabel = "Z",
            description = "Noise multiplier of the private selection: N(0, Z^2) on every count of the histogram and "
                    + "of the populations' sizes. Default: " + SelectionPrivacy.DEFAULT_NOISE_MULTIPLIER
                    + " (selection epsilon 1.16 at delta 1e-5); with --private, more if that would spend over an eighth of"
                    + " the target.")
    Double selectionNoise;

    @Option(names = "--min-num-examples", defaultValue = "5",
            description = "by_example minimum (simulation output only). Default: ${DEFAULT-VALUE}.")
    int minNumExamples;

    @Option(names = "--out", defaultValue = "fedgan-out", description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--no-gans", description = "Stop after the selection (steps 1-3).")
    boolean noGans;

    @Option(names = "--private", arity = "0..1", fallbackValue = "10", paramLabel = "EPSILON",
            converter = EpsilonConverter.class,
            description = "Choose the GANs' clients per round and noise so that the whole experiment (selection and both "
                    + "GANs) stays within EPSILON (10 when no value is given) at the experiment's delta, with the private "
                    + "preset's small critic (docs/privacy.md, \"The private preset\"). Refused before any work when the "
                    + "data set has too few users for the noise to leave a verdict possible. EPSILON inf runs the same "
                    + "plan without noise (NOT private), to see what the guarantee costs.")
    Double privateTarget;

    @Mixin
    ClassifierCommand.TrainingOptions training;

    @Mixin
    ClassifierPrivacyOptions classifierPrivacy;

    @Mixin
    GanOptions gan;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    Output output;

    @Override
    public Integer call() throws Exception {
        // Reject absurd parameters before any work starts.
        InversionBug bug = new InversionBug(probability, bugSeed);
        ClassifierTraining.Options trainingOptions = training.options();
        PrivateSelection.check(low, high, minNumExamples, SelectionPrivacy.noiseMultiplierOrDefault(selectionNoise));
        GanTrainingConfig ganConfig = gan.config();
        // DP-SGD as the filter trains it for a request's classifier_privacy (seeded in a seeded run).
        ClassifierPrivacy dp = classifierPrivacy.settings();
        if (dp != null && classifier != null) {
            throw new IllegalArgumentException("--classifier-dp trains the classifier; it cannot apply to --classifier");
        }
        DpSgdTraining.Options dpOptions = dp == null ? null
                : ClassifierPrivacyMapping.options(dp, trainingOptions.epochs(), trainingOptions.seed(), gan.seededRandomness);

        PrivateSelection.Field users = PrivateSelection.field(DatasetLoader.load(data, dataOptions.partition()));
        FederatedDataset field = users.users();
        // δ of the whole experiment (selection and both GANs): min(1e-5, N_field^-1.1) for the data set's users; a
        // private run's selection noise leaves the GANs most of the target.
        Double selectionZ = privateTarget == null ? selectionNoise : PrivatePlan.selectionNoise(selectionNoise,
                privateTarget, PrivateSelection.delta(null, field.numWriters()));
        PrivateSelection.Settings settings = PrivateSelection.Settings.of(low, high, minNumExamples, selectionZ,
                null, field.numWriters());
        int privateRounds = privateTarget == null ? 0 : gan.privateRounds();
        SelectionPrivacy selectionPrivacy = SelectionPrivacy.of(settings.noiseMultiplier());
        long criticWeights = gan.privatePreset().criticWeights();
        if (privateTarget != null && !noGans) {
            PrivatePlan.checkLargeEnough(privateTarget, settings.delta(), selectionPrivacy, field.numWriters(),
                    privateRounds, criticWeights);
        }
        PrimaryClassifier c;
        Path classifierDir = classifier != null ? classifier : out.resolve(PopulationSelection.CLASSIFIER_DIR);
        if (classifier != null) {
            c = PrimaryClassifier.load(classifier);
        } else {
            FederatedDataset[] split = ClassifierTraining.labSplit(trainData, trainingOptions.seed(),
                    dataOptions.partition());
            c = PrivateClassifier.primary(split[0], split[1], trainingOptions, dpOptions, output.progress());
            c.save(classifierDir);
        }
        PrivateSelection.Result selected = PrivateSelection.run(c, classifierDir.toString(), users, bug, settings,
                PrivateSelection.noise(gan.seededRandomness), out, output.progress());
        SelectionRelease release = selected.release();
        PrivatePlan plan = null;
        if (privateTarget != null && !noGans) {
            plan = gan.clipRule(PrivatePlan.choose(privateTarget, settings.delta(), selectionPrivacy,
                    Math.min(selected.lowSize(), selected.highSize()), privateRounds, criticWeights));
            ganConfig = gan.config(plan);
            Json.write(out.resolve(PrivatePlan.FILE), plan);
        }
        if (!noGans) {
            PrivateSelection.checkClientsPerRound(release, ganConfig.clientsPerRound());
        }
        Path selectionDir = out.resolve(PrivateSelection.SELECTION_DIR);
        Path histogram = selectionDir.resolve(PrivateSelection.HISTOGRAM_PNG);

        StringBuilder human = new StringBuilder();
        human.append(ClassifierCommand.describe(c.provenance(), classifierDir)).append("\n\n");
        String dpStatement = DebugReport.classifierPrivacy(c.provenance());
        if (dpStatement != null) {
            human.append(dpStatement).append("\n\n");
        }
        human.append(PrivateSelection.describe(release)).append("\n  released: ")
                .append(selectionDir.resolve(PrivateSelection.RELEASE_JSON)).append("\n  simulation ground truth (per-user"
                        + " values, not a release): ").append(out.resolve(PrivateSelection.SIMULATION_DIR)).append('\n');
        human.append("\nLook at ").append(histogram).append(": two humps mean two kinds of users.");
        if (plan != null) {
            human.append("\n\n").append(plan.describe()).append(plan.meaningful() ? "" : "\nwarning: the populations'"
                    + " noisy sizes came out smaller than expected and the best-case signal to noise is below 1: the"
                    + " noise drowns even perfectly agreeing clients, and no verdict can be trusted");
        }
        Map<String, Object> r = new LinkedHashMap<>();
        if (!noGans) {
            PopulationComparison.Comparison cmp = PopulationComparison.run(selected.low(), selected.lowSize(),
                    selected.high(), selected.highSize(), settings.delta(), field, ganConfig,
                    gan.options(c, labImages(trainData)), gan.seededRandomness, out, output.progress());
            DebugReport.Content report = DebugReport.Content.of(cmp.verdict(), cmp.inversionFound(), c.provenance(),
                    release, out.relativize(histogram).toString().replace('\\', '/'), cmp);
            DebugReport.write(out, report);
            human.append("\n\n").append(cmp.verdict()).append("\nPrivacy:  ")
                    .append(report.privacy().line(List.of(PopulationFilters.LOW_ACCURACY, PopulationFilters.HIGH_ACCURACY)))
                    .append("\nPictures: ").append(out.resolve(cmp.picture()))
                    .append("\nReport:   ").append(out.resolve(DebugReport.HTML));
            if (plan != null) {
                r.put("private_plan", plan);
            }
            r.put("verdict", cmp.verdict());
            r.put("inversion_found", cmp.inversionFound());
            r.put("privacy", report.privacy());
            r.put("gans", cmp);
        }
        r.put("out", out.toString());
        r.put("classifier", c.provenance());
        r.put("selection", release);
        r.put("simulation", out.resolve(PrivateSelection.SIMULATION_DIR).toString());
        output.print(r, human.toString());
        return 0;
    }

    /** A target ε: a number, or inf / infinity / ∞ for a plan without noise. */
    static final class EpsilonConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.equals("inf") || v.equals("infinity") || v.equals("\u221e")) {
                return Double.POSITIVE_INFINITY;
            }
            try {
                return Double.valueOf(v);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an epsilon (a number, or inf)");
            }
        }
    }

    /** The FCD's real images (the lab data); null, with a warning, if that data is not readable here. */
    private static float[] labImages(String labData) {
        try {
            return GanEvaluator.labImages(labData);
        } catch (DatasetException e) {
            System.err.println("warning: the lab data " + labData + " is not readable here (" + e.getMessage()
                    + "); no Fréchet classifier distance");
            return null;
        }
    }
}
