package dev.fedgan.cli;

import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.MinorityGroup;
import dev.fedgan.core.privacy.Conversion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fairness", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sweep the majority group's share of the training data and train at each share without privacy "
                + "and with DP-SGD, from the same initial weights; measure accuracy, precision, recall and F1 per group "
                + "and the per-example gradient norms per group and class on the test set.",
            "",
            "DP training is known to cost a minority more than the majority (Bagdasaryan et al. 2019): its examples have "
                + "larger gradients, are clipped harder and drowned by the noise sooner. The sweep shows how much, "
                + "before a model ships.",
            "",
            "Writes points.csv, classes.csv, fairness.json (with each DP point's guarantee, one training example), "
                + "fairness.png (accuracy per group and the gap against the share) and report.html to --out.",
            ""})
final class FairnessCommand implements Callable<Integer> {

    static final String DEFAULT_DIR = "fedgan-out/fairness";

    @Mixin
    ExampleDataOptions examples;

    @Mixin
    SgdOptions sgd;

    @Option(names = "--test-examples", defaultValue = "0",
            description = "Measure on this many test examples, drawn with --seed; 0: all. Default: ${DEFAULT-VALUE}.")
    int testExamples;

    @Option(names = "--minority", defaultValue = "class:8",
            description = "The minority group: class:N (a rare class, Bagdasaryan et al.'s class 8) or inverted "
                    + "(examples with the inversion bug; tested on the test set inverted). Default: ${DEFAULT-VALUE}.")
    String minority;

    @Option(names = "--shares", split = ",", paramLabel = "P",
            description = "Majority shares of the training data, each in [0, 1]. Default: 1, .999, .99, .98, .96, .95, "
                    + ".94, .92, .9, .85, .8, .7, .5.")
    List<Double> shares;

    @Option(names = "--size", defaultValue = "0",
            description = "Training examples at every share; 0: the largest every share allows. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = {"-z", "--noise-multipliers"}, split = ",", paramLabel = "z",
            description = "DP-SGD settings by noise multiplier, e.g. 1.5,0.7,0.5 (Farrand et al., with -S 5). Default: "
                    + "0.8 (Bagdasaryan et al.'s class-8 setting, S = 1) unless --target-epsilons is given.")
    List<Double> noiseMultipliers;

    @Option(names = "--target-epsilons", split = ",", paramLabel = "EPS",
            description = "DP-SGD settings by target epsilon (original conversion): z chosen before training.")
    List<Double> targetEpsilons;

    @Option(names = "--mitigation", description = "Also train each DP-SGD setting with DPSGD-F (Xu et al. 2021): each"
            + " group clipped to its own bound, larger for the group clipped most, at the same epsilon.")
    boolean mitigation;

    @Option(names = "--no-baseline", description = "Leave out the non-private setting.")
    boolean noBaseline;

    @Option(names = {"-S", "--clip"}, defaultValue = "1.0", paramLabel = "S",
            description = "Per-example gradient bound; also the bound the gradient-norm shares are measured against. "
                    + "Default: ${DEFAULT-VALUE}.")
    double clip;

    @Option(names = "--epochs", defaultValue = "5", description = "Passes over the data. Default: ${DEFAULT-VALUE}.")
    double epochs;

    @Option(names = "--seed", defaultValue = "1",
            description = "Initial weights (the same at every point) and the training sets' draws. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--reproducible",
            description = "Seed DP-SGD's sampling and noise from --seed too: reproducible, NOT private.")
    boolean reproducible;

    @Option(names = "--out", defaultValue = DEFAULT_DIR, description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    Output output;

    /** The settings the options name: the baseline first, then DP-SGD by noise multiplier or by target ε. */
    List<FairnessSweep.Setting> settings() {
        if (noiseMultipliers != null && targetEpsilons != null) {
            throw new IllegalArgumentException("give --noise-multipliers or --target-epsilons, not both");
        }
        List<FairnessSweep.Setting> out = new ArrayList<>();
        if (!noBaseline) {
            out.add(new FairnessSweep.Setting("non-private", training(null, null, true)));
        }
        List<Double> values = targetEpsilons != null ? targetEpsilons
                : noiseMultipliers != null ? noiseMultipliers : List.of(0.8);
        for (boolean perGroup : mitigation ? new boolean[] {false, true} : new boolean[] {false}) {
            for (double v : values) {
                String name = String.format(Locale.ROOT, "%s %s %s", perGroup ? "DPSGD-F" : "DP-SGD",
                        targetEpsilons != null ? "eps" : "z", v);
                out.add(new FairnessSweep.Setting(name, targetEpsilons != null ? training(null, v, false)
                        : training(v, null, false), perGroup));
            }
        }
        return out;
    }

    private DpSgdTraining.Options training(Double z, Double target, boolean nonPrivate) {
        return new DpSgdTraining.Options(clip, z, target, sgd.delta, Conversion.ORIGINAL, sgd.batch, epochs,
                sgd.learningRate, sgd.momentum, 512, seed, reproducible, nonPrivate);
    }

    @Override
    public Integer call() throws Exception {
        FairnessSweep.Options o = new FairnessSweep.Options(MinorityGroup.parse(minority),
                shares != null ? shares : FairnessSweep.SHARES, settings(), size, examples.model(),
                examples.activation(), seed);
        FederatedDataset[] split = examples.split(seed, dataOptions.partition());
        Examples train = Examples.of(split[0]);
        Examples test = testExamples == 0 ? Examples.of(split[1]) : Examples.of(split[1]).subset(testExamples, seed);
        List<FairnessSweep.Point> points = FairnessSweep.run(train, test, o, output.progress()); // checks first
        int n = points.get(0).trainExamples();
        FairnessFiles.write(out, o, n, points);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("directory", out.toString());
        r.put("minority_group", o.group().describe());
        r.put("train_examples", n);
        r.put("points", points);
        output.print(r, describe(o, n, points, out));
        return 0;
    }

    static String describe(FairnessSweep.Options o, int n, List<FairnessSweep.Point> points, Path dir) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%d training examples at every share; minority:"
                + " %s; accuracy on the test set:%n  %-6s %-16s %9s %9s %7s %9s%n", n, o.group().describe(), "share",
                "setting", "majority", "minority", "gap", "epsilon"));
        for (FairnessSweep.Point p : points) {
            b.append(String.format(Locale.ROOT, "  %-6s %-16s %8.1f%% %8.1f%% %7.1f %9s%n", p.share(), p.setting(),
                    100 * p.majority().accuracy(), 100 * p.minority().accuracy(), 100 * p.accuracyGap(),
                    p.privacy() == null ? "-" : String.format(Locale.ROOT, "%.3g", p.privacy().epsilonOriginal())));
        }
        b.append("epsilon: DP-SGD's, one training example, original conversion (both in fairness.json)\n");
        b.append("report: ").append(dir.resolve(FairnessFiles.HTML)).append("; points, chart and the rest in ")
                .append(dir);
        return b.toString();
    }
}
