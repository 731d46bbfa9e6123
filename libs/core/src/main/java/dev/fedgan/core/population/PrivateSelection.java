package dev.fedgan.core.population;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.gan.ClientTraining;
import dev.fedgan.core.io.AtomicFiles;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.measure.Measurement;
import dev.fedgan.core.measure.MeasurementFiles;
import dev.fedgan.core.measure.MeasurementRun;
import dev.fedgan.core.measure.WriterAccuracy;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.SelectionPrivacy;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.render.HistogramChart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Private population selection, the server's side (steps 3-4 of the debugging workflow as {@code fedgan debug} and
 * the filter service run them, one implementation for both). Each user's {@link Device} measures the classifier on
 * its own data and decides its membership from thresholds sent to it; the server learns only two differentially
 * private releases, each a Gaussian mechanism of L2 sensitivity 1 under add/remove-one-user adjacency with noise
 * N(0, z²) per coordinate from {@link GaussianNoise} (z = the selection's noise multiplier, cost:
 * {@link SelectionPrivacy}):
 * <ol>
 *   <li>the <b>histogram</b> of the devices' accuracies, {@value #BINS} bins of width 0.05 (each device adds 1 to
 *       one bin);</li>
 *   <li>thresholds, when not given, are chosen from the noisy histogram alone (post-processing, {@link
 *       #chooseThresholds}); they are broadcast, each device decides (accuracy &lt; low: low_accuracy, &gt; high:
 *       high_accuracy, else neither), and the server gets the <b>noisy count of each population's members</b> (one
 *       vector; a device is in at most one population). N̂ = max(1, round(noisy count)) is the population size of
 *       q = m/N̂ for that population's GAN.</li>
 * </ol>
 * The noise is added by the trusted aggregator to the sum of the devices' contributions, as for the GANs' updates.
 *
 * <p><b>Simulation.</b> The devices are simulated: {@code Misclassification} runs the classifier on every user's
 * examples at once, which stands for each device measuring itself. What that central computation knows (every
 * user's accuracy and per-example correctness, who has the bug, the member lists, the by_example populations, the
 * populations' purity) is ground truth for evaluating the selection, written under {@value #SIMULATION_DIR}/ with a
 * README saying so, apart from the release. The member lists are also what the trusted aggregator needs to send
 * tasks to the members.
 *
 * <p>Output directory layout:
 * <pre>
 * selection/     selection.json (the release: noisy histogram, thresholds, N̂, cost), accuracy_histogram.png (noisy)
 * simulation/    README.txt, selection_exact.json,
 *                measurement/ (per_writer_accuracy.csv, measurement.json, inverted_writers.csv, accuracy_histogram.png),
 *                populations/ (by_user/acc_lt&lt;low&gt;/..., by_user/acc_gt&lt;high&gt;/..., by_example/...)
 * </pre>
 */
public final class PrivateSelection {

    /** Bins of the released histogram: width 0.05 (docs/privacy.md says why not 100 bins of 0.01). */
    public static final int BINS = 20;
    /** The released selection, relative to the experiment's output directory. */
    public static final String SELECTION_DIR = "selection";
    /** The simulation's ground truth, relative to the output directory: never released. */
    public static final String SIMULATION_DIR = "simulation";
    public static final String RELEASE_JSON = "selection.json";
    public static final String HISTOGRAM_PNG = "accuracy_histogram.png";
    public static final String README = "README.txt";
    /** The exact counts behind the release, for evaluating it (simulation only). */
    public static final String EXACT_JSON = "selection_exact.json";
    /** Mixed into a seeded run's seed, so that the selection's noise stream is not the GANs' one. */
    public static final long SEED_DOMAIN = 0x53454C454354L; // "SELECT"

    static final String GIVEN = "given";
    static final String CHOSEN_LOW = "chosen: upper edge of the bin where the noisy histogram's cumulative count"
            + " (negative bins as 0) reaches 25% of its total";
    static final String CHOSEN_HIGH = "chosen: lower edge of the bin where the noisy histogram's cumulative count"
            + " (negative bins as 0) reaches 75% of its total";

    /** The text of {@code simulation/README.txt}. */
    public static final String README_TEXT = """
            Simulation ground truth: NOT a release.

            This folder holds what only a simulation can know, as per-user values computed centrally:
            every simulated user's accuracy and per-example correctness (measurement/), who really has the
            inversion bug (measurement/inverted_writers.csv), the ids of each population's members and, for
            by_example, the indices of their examples (populations/), the populations' purity (precision,
            recall in populations/**/summary.json) and the exact counts behind the released noisy ones
            (selection_exact.json). None of it went through a privacy mechanism; it is here to evaluate the
            private selection and to let the simulation train the GANs on the members.

            A real deployment has none of it: each device measures the classifier on its own data and decides
            its own membership from the broadcast thresholds, and the server learns only the differentially
            private release, selection/selection.json (noisy histogram, thresholds, noisy population sizes).
            """;

    private PrivateSelection() {
    }

    /**
     * The selection's settings.
     *
     * @param low             the low threshold, or null to choose it from the noisy histogram
     * @param high            the high threshold, or null to choose it from the noisy histogram
     * @param minNumExamples  the by_example minimum (simulation only)
     * @param noiseMultiplier z_sel
     * @param delta           the experiment's δ
     * @param deltaIsDefault  whether δ is the default min(1e-5, N_field^-1.1)
     */
    public record Settings(Double low, Double high, int minNumExamples, double noiseMultiplier, double delta,
            boolean deltaIsDefault) {

        public Settings {
            check(low, high, minNumExamples, noiseMultiplier);
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
            }
        }

        /**
         * Settings with the defaults filled in: z_sel {@link SelectionPrivacy#DEFAULT_NOISE_MULTIPLIER}, δ =
         * {@link #delta(Double, long)}.
         *
         * @param noiseMultiplier z_sel, or null for the default
         * @param delta           the experiment's δ, or null for min(1e-5, N_field^-1.1)
         * @param users           N_field, the number of users in the data set
         */
        public static Settings of(Double low, Double high, int minNumExamples, Double noiseMultiplier, Double delta,
                long users) {
            return new Settings(low, high, minNumExamples, SelectionPrivacy.noiseMultiplierOrDefault(noiseMultiplier),
                    PrivateSelection.delta(delta, users), delta == null);
        }
    }

    /**
     * The experiment's δ, for the selection and both GANs: the one given, or min(1e-5, N_field^-1.1) where N_field is
     * the number of users in the data set (public: the app's user count), not a population's size.
     */
    public static double delta(Double given, long users) {
        if (given != null) {
            if (!(given > 0 && given < 1)) {
                throw new IllegalArgumentException("delta must be in (0, 1), got " + given);
            }
            return given;
        }
        return PrivacyCalculator.defaultDelta(users);
    }

    /**
     * Rejects absurd selection parameters before any work starts: thresholds outside [0, 1], low above high (the
     * populations would overlap), a by_example minimum outside [1, 100000], a noise multiplier outside
     * [{@value SelectionPrivacy#MIN_NOISE_MULTIPLIER}, {@value SelectionPrivacy#MAX_NOISE_MULTIPLIER}]. Null
     * thresholds are chosen from the noisy histogram.
     */
    public static void check(Double low, Double high, int minNumExamples, double noiseMultiplier) {
        PopulationSelection.check(low, high, minNumExamples);
        if (low != null && high != null && low > high) {
            throw new IllegalArgumentException("low threshold " + low + " is above high threshold " + high
                    + ": the low- and high-accuracy populations would overlap");
        }
        SelectionPrivacy.checkNoiseMultiplier(noiseMultiplier);
    }

    /**
     * The selection's noise: secure, or for a run seeded with {@code seededRandomness} (the GANs'
     * {@code --seeded-privacy-noise}) a seeded stream of its own (seed XOR {@link #SEED_DOMAIN}), reproducible and
     * not private.
     */
    public static GaussianNoise noise(Long seededRandomness) {
        return seededRandomness == null ? GaussianNoise.secure() : GaussianNoise.seeded(seededRandomness ^ SEED_DOMAIN);
    }

    /**
     * The selection: the release, the simulation's ground truth and the populations the simulation trains on.
     *
     * @param release     what is released ({@code selection/selection.json})
     * @param measurement every simulated device's result (simulation only)
     * @param exact       the exact counts behind the release (simulation only)
     * @param populations the simulation's populations, in the order low accuracy, high accuracy (the devices'
     *                    decisions at the release's thresholds), correct, incorrect (by_example)
     */
    public record Result(SelectionRelease release, Measurement measurement, Exact exact, List<Population> populations) {

        public Result {
            populations = List.copyOf(populations);
        }

        /** The members of low_accuracy, as the devices decided (simulation: the GAN's clients). */
        public Population low() {
            return populations.get(0);
        }

        /** The members of high_accuracy, as the devices decided. */
        public Population high() {
            return populations.get(1);
        }

        /** N̂ of low_accuracy: the N of its GAN's q. */
        public int lowSize() {
            return release.population(PopulationFilters.LOW_ACCURACY).populationSize();
        }

        /** N̂ of high_accuracy. */
        public int highSize() {
            return release.population(PopulationFilters.HIGH_ACCURACY).populationSize();
        }
    }

    /**
     * The exact counts behind the release (simulation only, {@value #EXACT_JSON}).
     *
     * @param bins            histogram bins
     * @param histogram       the exact count of each bin
     * @param lowMembers      devices that joined low_accuracy
     * @param highMembers     devices that joined high_accuracy
     */
    public record Exact(int bins, int[] histogram, int lowMembers, int highMembers) {
    }

    // ----------------------------------------------------------------------------------------------------------
    // The server's side, one release at a time.

    /** Release 1: the sum of the devices' one-hot bins, plus N(0, z²) on every bin. */
    public static double[] noisyHistogram(List<Device> devices, int bins, double noiseMultiplier, GaussianNoise noise) {
        int[] exact = binCounts(devices, bins);
        double[] h = new double[bins];
        for (int k = 0; k < bins; k++) {
            h[k] = exact[k];
        }
        noise.addTo(h, noiseMultiplier);
        return h;
    }

    /** The exact sum of the devices' one-hot bins: what release 1 adds its noise to. */
    static int[] binCounts(List<Device> devices, int bins) {
        int[] h = new int[bins];
        for (Device d : devices) {
            h[d.bin(bins)]++;
        }
        return h;
    }

    /**
     * The thresholds from the noisy histogram, post-processing only: negative bins count as 0, and with C(j) the
     * cumulative count of bins 0..j-1 and T the total, the low threshold is the upper edge of the bin where C
     * reaches 25% of T, the high threshold the lower edge of the bin where C reaches 75% of T. Both are bin edges
     * in (0, 1): a device's membership then depends only on its bin (up to accuracies exactly on the high edge).
     * A given threshold is kept; low &le; high always.
     *
     * @throws IllegalArgumentException if a given threshold conflicts with a chosen one, or the clamped histogram
     *                                  is all zeros (nothing to choose from: give the thresholds)
     */
    public static SelectionRelease.Thresholds chooseThresholds(double[] noisyHistogram, Double low, Double high) {
        if (low != null && high != null) {
            return new SelectionRelease.Thresholds(low, GIVEN, high, GIVEN);
        }
        int bins = noisyHistogram.length;
        double[] cumulative = new double[bins + 1];
        for (int k = 0; k < bins; k++) {
            cumulative[k + 1] = cumulative[k] + Math.max(0, noisyHistogram[k]);
        }
        double total = cumulative[bins];
        if (!(total > 0)) {
            throw new IllegalArgumentException("the noisy accuracy histogram has no positive bin: no thresholds can be"
                    + " chosen from it; give both thresholds");
        }
        int b25 = crossing(cumulative, 0.25 * total);
        int b75 = crossing(cumulative, 0.75 * total);
        double chosenLow = edge(b25 + 1, bins);
        double chosenHigh = edge(b75, bins);
        if (chosenLow > chosenHigh) {
            // Both crossings in one bin: both thresholds on its lower edge (above 0, so low_accuracy can have members).
            chosenLow = edge(Math.max(1, b75), bins);
            chosenHigh = chosenLow;
        }
        double l = low != null ? low : chosenLow;
        double h = high != null ? high : chosenHigh;
        if (l > h) {
            throw new IllegalArgumentException("the " + (low != null ? "given low threshold " + l
                    + " is above the high threshold " + h + " chosen" : "given high threshold " + h
                    + " is below the low threshold " + l + " chosen") + " from the noisy histogram; give both");
        }
        return new SelectionRelease.Thresholds(l, low != null ? GIVEN : CHOSEN_LOW, h, high != null ? GIVEN : CHOSEN_HIGH);
    }

    /** The first bin k whose cumulative count C(k+1) reaches {@code target}. */
    private static int crossing(double[] cumulative, double target) {
        for (int k = 0; k + 1 < cumulative.length; k++) {
            if (cumulative[k + 1] >= target) {
                return k;
            }
        }
        return cumulative.length - 2;
    }

    /** Edge j of {@code bins} equal bins, j / bins, as a correctly rounded double (0.05, 0.25, 0.9 print as such). */
    static double edge(int j, int bins) {
        return j / (double) bins;
    }

    /** Release 2: the count of each population's members (low_accuracy, high_accuracy), plus N(0, z²) on each. */
    public static double[] noisyCounts(List<Device> devices, double low, double high, double noiseMultiplier,
            GaussianNoise noise) {
        double[] c = new double[2];
        for (Device d : devices) {
            switch (d.membership(low, high)) {
                case LOW_ACCURACY -> c[0] += 1;
                case HIGH_ACCURACY -> c[1] += 1;
                case NEITHER -> {
                }
            }
        }
        noise.addTo(c, noiseMultiplier);
        return c;
    }

    /** N̂ from a noisy count: rounded to the nearest integer and clamped to at least 1 (post-processing). */
    public static int populationSize(double noisyCount) {
        if (Double.isNaN(noisyCount)) {
            throw new IllegalArgumentException("noisy count is NaN");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(noisyCount)));
    }

    /**
     * Rejects a population whose N̂ is below the expected clients per round m (q = m/N̂ would exceed 1): the message
     * names only released values.
     */
    public static void checkClientsPerRound(SelectionRelease release, int clientsPerRound) {
        for (SelectionRelease.PopulationSize p : release.populations()) {
            if (p.populationSize() < clientsPerRound) {
                throw new IllegalArgumentException("population " + p.gan() + " (" + p.rule() + ") has the noisy size N̂ = "
                        + p.populationSize() + ", below the " + clientsPerRound + " expected clients per round: q = m/N̂"
                        + " must be <= 1; lower the clients per round or widen the thresholds");
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // The whole selection.

    /**
     * The users an experiment works on, and how many of the data set's were left out.
     *
     * @param users   the data set's users with at least {@link ClientTraining#MIN_EXAMPLES} examples
     * @param leftOut the users with fewer
     */
    public record Field(FederatedDataset users, int leftOut) {
    }

    /**
     * The field of an experiment: the users who can take a critic step ({@link ClientTraining#MIN_EXAMPLES}
     * examples). A user with fewer could join a population and then not train, so such users take no part at all: not
     * measured, not in the histogram or the populations, not in N_field (which sets the default δ); the release
     * reports how many were left out. Whether a user takes part depends on that user's data alone, so the
     * mechanisms' sensitivity is unchanged.
     */
    public static Field field(FederatedDataset loaded) {
        FederatedDataset users = loaded.withAtLeast(ClientTraining.MIN_EXAMPLES);
        if (users.numWriters() == 0) {
            throw new IllegalArgumentException(loaded.name() + ": none of its " + loaded.numWriters() + " users has "
                    + ClientTraining.MIN_EXAMPLES + " examples, the fewest a client can train on");
        }
        return new Field(users, loaded.numWriters() - users.numWriters());
    }

    /**
     * The selection over the simulated devices of {@code m}: both releases with {@code noise}, and the simulation's
     * populations at the released thresholds. Writes nothing.
     */
    public static Result select(Measurement m, Settings s, GaussianNoise noise) {
        return select(m, s, noise, 0);
    }

    /** As {@link #select(Measurement, Settings, GaussianNoise)}, {@code leftOut} users of the data set left out. */
    public static Result select(Measurement m, Settings s, GaussianNoise noise, int leftOut) {
        List<Device> devices = new ArrayList<>(m.writers().size());
        for (WriterAccuracy w : m.writers()) {
            devices.add(Device.of(w));
        }
        double z = s.noiseMultiplier();
        double[] histogram = noisyHistogram(devices, BINS, z, noise);
        SelectionRelease.Thresholds t = chooseThresholds(histogram, s.low(), s.high());
        double[] counts = noisyCounts(devices, t.low(), t.high(), z, noise);
        List<Population> pops = new ArrayList<>(PopulationFilters.byUser(m, t.low(), t.high()));
        pops.addAll(PopulationFilters.byExample(m, s.minNumExamples()));
        List<SelectionRelease.PopulationSize> sizes = List.of(
                new SelectionRelease.PopulationSize(PopulationFilters.LOW_ACCURACY, pops.get(0).summary().rule(),
                        counts[0], populationSize(counts[0])),
                new SelectionRelease.PopulationSize(PopulationFilters.HIGH_ACCURACY, pops.get(1).summary().rule(),
                        counts[1], populationSize(counts[1])));
        SelectionRelease release = new SelectionRelease(SelectionRelease.MECHANISM, devices.size(), leftOut, z,
                noise.description(), !noise.isSeeded(), new SelectionRelease.Histogram(BINS, 1.0 / BINS, histogram), t,
                sizes, SelectionRelease.Privacy.of(SelectionPrivacy.of(z), s.delta(), s.deltaIsDefault()));
        Exact exact = new Exact(BINS, binCounts(devices, BINS), pops.get(0).inversion().size(), pops.get(1).inversion().size());
        return new Result(release, m, exact, pops);
    }

    /**
     * Simulates the devices (the classifier on every user's data with the bug, written as ground truth under
     * {@code out/simulation/measurement}), selects, and writes the release under {@code out/selection} and the rest
     * of the ground truth under {@code out/simulation}.
     *
     * @param classifierName what the simulation's measurement summary names as the classifier
     */
    public static Result run(PrimaryClassifier classifier, String classifierName, Field field,
            InversionBug bug, Settings s, GaussianNoise noise, Path out, Progress progress) {
        Path simulation = out.resolve(SIMULATION_DIR);
        MeasurementRun measured = MeasurementRun.run(classifier, classifierName, field.users(), bug,
                simulation.resolve(PopulationSelection.MEASUREMENT_DIR), progress);
        Result r = select(measured.measurement(), s, noise, field.leftOut());
        write(out, r);
        return r;
    }

    /** Writes the release under {@code out/selection} and the simulation's populations, exact counts and README. */
    public static void write(Path out, Result r) {
        Path selection = out.resolve(SELECTION_DIR);
        SelectionRelease rel = r.release();
        Json.write(selection.resolve(RELEASE_JSON), rel);
        HistogramChart.write(selection.resolve(HISTOGRAM_PNG), rel.histogram().noisyCounts(), rel.thresholds().low(),
                rel.thresholds().high(), caption(rel), "users (noisy count)");
        Path simulation = out.resolve(SIMULATION_DIR);
        for (Population p : r.populations()) {
            PopulationFiles.write(simulation.resolve(PopulationSelection.POPULATIONS_DIR), p);
        }
        Json.write(simulation.resolve(EXACT_JSON), r.exact());
        AtomicFiles.write(simulation.resolve(README), "README",
                tmp -> Files.writeString(tmp, README_TEXT, StandardCharsets.UTF_8));
    }

    /** The noisy histogram's title: what it is and what it cost. */
    static String caption(SelectionRelease r) {
        return String.format(Locale.ROOT, "Noisy accuracy histogram of %d users (DP: z = %s, epsilon %.3g at delta %.2g)",
                r.users(), plain(r.noiseMultiplier()), r.privacy().epsilonImproved(), r.privacy().delta());
    }

    /** A one-line summary of the release for terminals and logs: thresholds, N̂, cost. */
    public static String describe(SelectionRelease r) {
        SelectionRelease.PopulationSize lo = r.population(PopulationFilters.LOW_ACCURACY);
        SelectionRelease.PopulationSize hi = r.population(PopulationFilters.HIGH_ACCURACY);
        return String.format(Locale.ROOT, "private selection over %d users: low_accuracy (%s, %s) N̂ = %d, high_accuracy"
                        + " (%s, %s) N̂ = %d; noise multiplier %s, selection ε = %.3g at δ = %.2g%s",
                r.users(), lo.rule(), r.thresholds().lowFrom().equals(GIVEN) ? "given" : "chosen", lo.populationSize(),
                hi.rule(), r.thresholds().highFrom().equals(GIVEN) ? "given" : "chosen", hi.populationSize(),
                plain(r.noiseMultiplier()), r.privacy().epsilonImproved(), r.privacy().delta(),
                r.secureNoise() ? "" : " (seeded noise: NOT private)");
    }

    private static String plain(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }
}
