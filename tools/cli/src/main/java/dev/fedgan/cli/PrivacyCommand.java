package dev.fedgan.cli;

import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.PrivacyEstimate;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "privacy", mixinStandardHelpOptions = true, subcommands = PrivacyCommand.EpsilonCommand.class,
        description = {"Differential-privacy accounting of DP federated training (user-level DP, RDP accountant).",
            "",
            "See docs/privacy.md for what is accounted and the formulas.",
            ""})
final class PrivacyCommand {

    @Command(name = "epsilon", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "The user-level (epsilon, delta) guarantee of T rounds of DP-FedAvg with Poisson sampling.",
                "",
                "Computed as tensorflow_privacy's compute_dp_sgd_privacy does: the RDP accountant of the Sampled "
                    + "Gaussian Mechanism, converted to (epsilon, delta) with the original 2019 rule and the improved "
                    + "2020 rule, each at its best Renyi order.",
                "",
                "The terms: each round, each of the N users (clients) takes part independently with probability "
                    + "q = m/N (Poisson sampling: m users are expected per round, the number varies and may be 0). "
                    + "Each user's update is clipped to L2 norm S, Gaussian noise of standard deviation z*S is added to "
                    + "the sum of the updates and the result divided by the fixed m: z is the noise multiplier (more "
                    + "noise, smaller "
                    + "epsilon). The guarantee: whether any one user's data was used changes the probability of any "
                    + "outcome by at most a factor e^epsilon, except with probability delta. Smaller is more private; "
                    + "epsilon above ~10 is weak, in the millions it is vacuous.",
                "",
                "Computed for Poisson sampling (each user independently with probability q), which is how fedgan's "
                    + "training samples: q is the exact sampling rate, not an approximation.",
                ""},
            footer = {"", "Examples:",
                "  fedgan privacy epsilon -N 3400 -m 10 -z 1.0 -T 1000",
                "  fedgan privacy epsilon --q 0.0025 -z 1.3 -T 6000 --delta 1e-5 --json"})
    static final class EpsilonCommand implements Callable<Integer> {

        @Option(names = {"-N", "--population"}, paramLabel = "N",
                description = "Number of users the clients are sampled from. Gives q = m/N with --clients-per-round,"
                        + " and the default delta.")
        Long population;

        @Option(names = {"-m", "--clients-per-round"}, paramLabel = "m",
                description = "Users (clients) expected per round (Poisson sampling, q = m/N). Needs --population.")
        Integer clientsPerRound;

        /** The sampling schemes the accountant covers: Poisson only (fedgan's training samples that way). */
        enum Sampling {
            poisson
        }

        @Option(names = "--sampling", paramLabel = "scheme", defaultValue = "poisson",
                description = "How users are sampled each round: only 'poisson' (each user independently with"
                        + " probability q), the sampling the accountant is exact for and training uses. Default: poisson.")
        Sampling sampling;

        @Option(names = {"--q", "--sampling-rate"}, paramLabel = "q",
                description = "The sampling rate directly, in [0, 1], instead of --clients-per-round"
                        + " (note: -q is --quiet).")
        Double q;

        @Option(names = {"-z", "--noise-multiplier"}, required = true, paramLabel = "z",
                description = "Noise standard deviation divided by the clip norm S (the reference experiments: 0.01).")
        double noiseMultiplier;

        @Option(names = {"-T", "--rounds"}, paramLabel = "T", description = "Number of rounds (steps) to account.")
        Long rounds;

        @Option(names = "--epochs", paramLabel = "E",
                description = "Instead of --rounds: T = ceil(E * N / m), as compute_dp_sgd_privacy counts steps.")
        Double epochs;

        @Option(names = "--delta", paramLabel = "delta",
                description = "The delta of the guarantee, in (0, 1). Default: min(1e-5, 1/N^1.1), well below 1/N"
                        + " (needs --population).")
        Double delta;

        @Option(names = "--orders", split = ",", paramLabel = "alpha",
                description = "Renyi orders to search, comma-separated (each > 1). Default: those of"
                        + " compute_dp_sgd_privacy (1.25 ... 4.5, 5 ... 63, 128, 256, 512).")
        List<Double> orders;

        @Mixin
        Output output;

        @Override
        public Integer call() {
            PrivacyEstimate e = PrivacyCalculator.estimate(population, clientsPerRound, q, noiseMultiplier, steps(),
                    delta, orders);
            output.print(e, describe(e));
            return 0;
        }

        private long steps() {
            if ((rounds == null) == (epochs == null)) {
                throw new IllegalArgumentException("give exactly one of --rounds and --epochs");
            }
            if (rounds != null) {
                return rounds;
            }
            if (population == null || clientsPerRound == null) {
                throw new IllegalArgumentException("--epochs needs --population and --clients-per-round");
            }
            return PrivacyCalculator.stepsForEpochs(population, clientsPerRound, epochs);
        }
    }

    static String describe(PrivacyEstimate e) {
        StringBuilder sb = new StringBuilder();
        String sampling = e.population() != null && e.sampledPerRound() != null
                ? String.format(Locale.ROOT, "Poisson sampling, q = %s (m = %d expected of N = %d)", num(e.q()),
                        e.sampledPerRound(), e.population())
                : "Poisson sampling, q = " + num(e.q());
        sb.append(String.format(Locale.ROOT, "user-level (epsilon, delta)-DP of T = %d rounds, %s, z = %s, delta = %s%s:%n",
                e.steps(), sampling, num(e.noiseMultiplier()), String.format(Locale.ROOT, "%.3e", e.delta()),
                e.deltaIsDefault() ? " (default min(1e-5, 1/N^1.1))" : ""));
        sb.append(String.format(Locale.ROOT, "  epsilon = %-12s (original 2019 conversion, best order %s)%n",
                num(e.epsilonOriginal()), num(e.bestOrderOriginal())));
        sb.append(String.format(Locale.ROOT, "  epsilon = %-12s (improved 2020 conversion, best order %s)%n",
                num(e.epsilonImproved()), num(e.bestOrderImproved())));
        double best = Math.min(e.epsilonOriginal(), e.epsilonImproved());
        if (best > 100) {
            sb.append("  at this epsilon the formal guarantee is vacuous\n");
        } else if (best > 10) {
            sb.append("  an epsilon above 10 is a weak guarantee\n");
        }
        sb.append("note: ").append(e.samplingAssumption());
        return sb.toString();
    }

    private static String num(double x) {
        if (!Double.isFinite(x)) {
            return Double.toString(x);
        }
        return new BigDecimal(String.format(Locale.ROOT, "%.7g", x)).stripTrailingZeros().toPlainString();
    }
}
