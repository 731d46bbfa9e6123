package dev.fedgan.cli;

import dev.fedgan.core.dpsgd.DpFedAvgTraining;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.ImbalanceSampler;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.Messages;
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
        description = {"Sweep the majority group's share of the training data and train at each share without privacy, "
                + "with DP-SGD (one example protected) and with DP-FedAvg over users (one user protected), from the same"
                + " initial weights; measure accuracy, precision, recall and F1 per group and the gradient norms per "
                + "group and class on the test set.",
            "",
            "DP training is known to cost a minority more than the majority (Bagdasaryan et al. 2019): its examples have "
                + "larger gradients, are clipped harder and drowned by the noise sooner. The sweep shows how much, "
                + "before a model ships.",
            "",
            "Writes points.csv, classes.csv, fairness.json (with each DP point's guarantee), "
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
            description = "The minority group: class:N (a rare class, Bagdasaryan et al.'s class 8), inverted "
                    + "(examples with the inversion bug; tested on the test set inverted), writers:FILE (the examples "
                    + "of the writers FILE lists, one id per line or a CSV's first column, in training and test data "
                    + "alike) or column:FILE:NAME=VALUE (the examples of the writers whose column NAME is VALUE in FILE,"
                    + " a CSV table of writers with a header and the writer id first). Default: ${DEFAULT-VALUE}.")
    String minority;

    @Option(names = "--shares", split = ",", paramLabel = "P",
            description = "Majority shares of the training data, each in [0, 1]. Default: 1, .999, .99, .98, .96, .95, "
                    + ".94, .92, .9, .85, .8, .7, .5.")
    List<Double> shares;

    @Option(names = "--size", defaultValue = "0",
            description = "Training examples at every share; 0: the largest every share allows. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--modes", split = ",", paramLabel = "MODE", defaultValue = "non-private,dp-sgd,dp-fedavg",
            description = "Training modes: non-private (SGD), dp-sgd (sample level), dp-fedavg (user level: the "
                    + "training set cut into users of --examples-per-user examples). Default: ${DEFAULT-VALUE}.")
    List<String> modes;

    @Option(names = {"-z", "--noise-multipliers"}, split = ",", paramLabel = "z",
            description = "DP settings by noise multiplier, for each DP mode, e.g. 1.5,0.7,0.5 (Farrand et al., with "
                    + "-S 5). Default: 0.8 (Bagdasaryan et al.'s class-8 setting, S = 1) unless --target-epsilons is "
                    + "given.")
    List<Double> noiseMultipliers;

    @Option(names = "--target-epsilons", split = ",", paramLabel = "EPS",
            description = "DP settings by target epsilon (original conversion), for each DP mode in its own unit: z "
                    + "chosen before training.")
    List<Double> targetEpsilons;

    @Option(names = "--mitigation", description = "Also train each DP-SGD setting with DPSGD-F (Xu et al. 2021): each"
            + " group clipped to its own bound, larger for the group whose examples exceed S most often, at the same "
            + "epsilon.")
    boolean mitigation;

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
            description = "Seed the DP modes' sampling and noise from --seed too: reproducible, NOT private.")
    boolean reproducible;

    @Option(names = "--examples-per-user", defaultValue = "5",
            description = "dp-fedavg: each group's training examples cut into users of this many. Default: "
                    + "${DEFAULT-VALUE}.")
    int examplesPerUser;

    @Option(names = "--users-per-round", paramLabel = "m",
            description = "dp-fedavg: expected users per round (Poisson sampling, q = m/N). Default: 5%% of the users "
                    + "(N = training examples / --examples-per-user), at least 1.")
    Integer usersPerRound;

    @Option(names = "--rounds", defaultValue = "100", description = "dp-fedavg: rounds. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--update-clip", defaultValue = "0.3", paramLabel = "S",
            description = "dp-fedavg: the bound on each user's update (all parameters). Default: ${DEFAULT-VALUE}.")
    double updateClip;

    @Option(names = "--local-epochs", defaultValue = "1",
            description = "dp-fedavg: passes over its examples each sampled user makes. Default: ${DEFAULT-VALUE}.")
    int localEpochs;

    @Option(names = "--local-batch", defaultValue = "10",
            description = "dp-fedavg: examples per local SGD step. Default: ${DEFAULT-VALUE}.")
    int localBatch;

    @Option(names = "--client-learning-rate", defaultValue = "0.1",
            description = "dp-fedavg: the users' SGD step size. Default: ${DEFAULT-VALUE}.")
    double clientLearningRate;

    @Option(names = "--server-learning-rate", defaultValue = "1",
            description = "dp-fedavg: the server's step along the mean update. Default: ${DEFAULT-VALUE}.")
    double serverLearningRate;

    @Option(names = "--server-momentum", defaultValue = "0.9",
            description = "dp-fedavg: the server's momentum (McMahan et al. 2018). Default: ${DEFAULT-VALUE}.")
    double serverMomentum;

    @Option(names = "--out", defaultValue = DEFAULT_DIR, description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--submit", paramLabel = "ID",
            description = "Run the sweep on the services instead, as sweep ID: checked here, then produced to the "
                    + "fairness-sweeps topic; its points run as tasks on the client-update replicas, and image-render "
                    + "writes the files. Fetch them with 'fedgan fetch ID'.")
    String submit;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    Output output;

    /**
     * The settings the options name, in the order of --modes: the baseline, DP-SGD by noise multiplier or by target ε
     * (then DPSGD-F with --mitigation), DP-FedAvg the same way.
     */
    List<FairnessSweep.Setting> settings(int users) {
        if (noiseMultipliers != null && targetEpsilons != null) {
            throw new IllegalArgumentException("give --noise-multipliers or --target-epsilons, not both");
        }
        List<Double> values = targetEpsilons != null ? targetEpsilons
                : noiseMultipliers != null ? noiseMultipliers : List.of(0.8);
        String by = targetEpsilons != null ? "eps" : "z";
        List<FairnessSweep.Setting> out = new ArrayList<>();
        for (String mode : new java.util.LinkedHashSet<>(modes)) {
            switch (mode) {
                case "non-private" -> out.add(new FairnessSweep.Setting("non-private", training(null, null, true)));
                case "dp-sgd" -> {
                    for (boolean perGroup : mitigation ? new boolean[] {false, true} : new boolean[] {false}) {
                        for (double v : values) {
                            out.add(new FairnessSweep.Setting(String.format(Locale.ROOT, "%s %s %s",
                                    perGroup ? "DPSGD-F" : "DP-SGD", by, v), targetEpsilons != null
                                    ? training(null, v, false) : training(v, null, false), perGroup));
                        }
                    }
                }
                case "dp-fedavg" -> {
                    for (double v : values) {
                        out.add(FairnessSweep.Setting.federated(String.format(Locale.ROOT, "DP-FedAvg %s %s", by, v),
                                targetEpsilons != null ? federated(null, v, users) : federated(v, null, users)));
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode '" + mode + "' in --modes: use "
                        + "non-private, dp-sgd or dp-fedavg");
            }
        }
        if (mitigation && !modes.contains("dp-sgd")) {
            throw new IllegalArgumentException("--mitigation (DPSGD-F) needs the dp-sgd mode in --modes");
        }
        return out;
    }

    /** The DP-FedAvg options; m defaults to 5% of {@code users}. */
    private DpFedAvgTraining.Options federated(Double z, Double target, int users) {
        int m = usersPerRound != null ? usersPerRound : Math.max(1, (int) Math.round(0.05 * users));
        return new DpFedAvgTraining.Options(updateClip, z, target, sgd.delta, Conversion.ORIGINAL, m,
                rounds, localEpochs, localBatch, clientLearningRate, serverLearningRate, serverMomentum, seed,
                reproducible, false);
    }

    private DpSgdTraining.Options training(Double z, Double target, boolean nonPrivate) {
        return new DpSgdTraining.Options(clip, z, target, sgd.delta, Conversion.ORIGINAL, sgd.batch, epochs,
                sgd.learningRate, sgd.momentum, 512, seed, reproducible, nonPrivate);
    }

    @Override
    public Integer call() throws Exception {
        MinorityGroup group = MinorityGroup.parse(minority);
        List<Double> swept = shares != null ? shares : FairnessSweep.SHARES;
        Examples[] data = SweepSpec.examples(examples.data, examples.testData, examples.testFraction, testExamples, seed,
                dataOptions.partition());
        Examples train = data[0];
        Examples test = data[1];
        if (examplesPerUser < 1) {
            throw new IllegalArgumentException("--examples-per-user must be >= 1, got " + examplesPerUser);
        }
        int users = (int) Math.ceil((size != 0 ? size : ImbalanceSampler.largestSize(group, train, swept))
                / (double) examplesPerUser);
        FairnessSweep.Options o = new FairnessSweep.Options(group, swept, settings(users), size, examples.model(),
                examples.activation(), seed, examplesPerUser);
        if (submit != null) {
            return submit(new SweepSpec(examples.data, examples.testData, examples.testFraction, testExamples,
                    dataOptions.partition(), o), train);
        }
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

    /** Checks the sweep against its data here, then produces it for the services. */
    private int submit(SweepSpec spec, Examples train) throws Exception {
        FairnessSweep.checkedSize(train, spec.sweep());
        FairnessSweepRequest request = new FairnessSweepRequest(Messages.SCHEMA, submit,
                Json.MAPPER.readTree(spec.toJson()));
        var meta = SubmitCommand.produce(kafka, kafka.topics().fairnessSweeps(), submit, Messages.encode(request));
        int points = FairnessSweep.tasks(spec.sweep()).size();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sweep_id", submit);
        r.put("points", points);
        r.put("topic", meta.topic());
        r.put("offset", meta.offset());
        output.print(r, String.format(Locale.ROOT, "submitted fairness sweep %s (%d points) to %s; its progress: "
                + "fedgan_fairness_points{sweep=\"%s\"} on image-render's /q/metrics; its files when done: fedgan fetch"
                + " %s", submit, points, meta.topic(), submit, submit));
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
        b.append("epsilon: original conversion (both in fairness.json); DP-SGD's protects one training example, "
                + "DP-FedAvg's one user\n");
        b.append("report: ").append(dir.resolve(FairnessFiles.HTML)).append("; points, chart and the rest in ")
                .append(dir);
        return b.toString();
    }
}
