package dev.fedgan.cli;

import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanLoss;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.PrivatePlan;
import dev.fedgan.core.privacy.AdaptiveClip;
import picocli.CommandLine.Option;

/**
 * The DP federated GAN settings of {@code fedgan debug}. Defaults are a CPU demo: the compact networks, 5 of the
 * population's clients per round, 3 critic steps each and 3 generator steps, and learning rates 20x the paper's
 * so that polarity shows within minutes. {@code --paper} switches to the paper's settings (reference networks,
 * 10 clients, 6+6 steps, SGD 5e-4 / 5e-3, 1,000 rounds): hours on a GPU.
 */
final class GanOptions {

    @Option(names = "--paper", description = "The paper's settings (reference networks, 10 clients, 6+6 steps, 1000 rounds). Explicit options still override.")
    boolean paper;

    @Option(names = "--preset", description = "GAN widths: compact (default), reference (the paper's 13.3M + 6.6M parameters), private (compact generator, small critic: --private's default) or tiny.")
    String preset;

    @Option(names = "--rounds", description = "Federated rounds per GAN. Default: 150 (paper: 1000).")
    Integer rounds;

    @Option(names = {"-m", "--clients-per-round"}, description = "Expected clients per round, m: each client is sampled independently with"
            + " probability q = m/N (Poisson; the number varies and may be 0), and the DP average divides by m."
            + " Default: 5 (paper: 10).")
    Integer clientsPerRound;

    @Option(names = "--critic-steps", description = "Critic steps per client (batches of 32). Default: 3 (paper: 6).")
    Integer criticSteps;

    @Option(names = "--generator-steps", description = "Generator steps per round on the server. Default: 3 (paper: 6).")
    Integer generatorSteps;

    @Option(names = "--critic-learning-rate", description = "Client SGD step. Default: 0.01 (paper: 0.0005).")
    Double criticLearningRate;

    @Option(names = "--generator-learning-rate", description = "Server SGD step. Default: 0.1 (paper: 0.005).")
    Double generatorLearningRate;

    @Option(names = {"-S", "--clip"}, defaultValue = "0.1", description = "L2 bound S on each client's critic delta. Default: ${DEFAULT-VALUE}.")
    double clip;

    @Option(names = "--clip-quantile", paramLabel = "Q",
            description = "Adaptive clipping (Andrew et al. 2021): S is the first round's clip, then each round moves"
                    + " towards the Q quantile of the client deltas' norms, from a noised count accounted within z (the"
                    + " deltas' sum takes slightly more noise instead). Default: 0.5 with --private; otherwise off.")
    Double clipQuantile;

    @Option(names = "--fixed-clip", description = "With --private: keep S fixed instead of the plan's adaptive clip"
            + " (other runs clip at a fixed S unless --clip-quantile is given).")
    boolean fixedClip;

    @Option(names = {"-z", "--noise-multiplier"},
            description = "Noise std on the sum of clipped deltas, in units of S. Default: 0.01 (the paper's; gives a vacuous ε).")
    Double noiseMultiplier;

    @Option(names = "--target-epsilon", description = "Stop a GAN before a round would take its ε above this.")
    Double targetEpsilon;

    @Option(names = "--loss", defaultValue = "WASSERSTEIN_GP",
            description = "WASSERSTEIN_GP (the paper's, λ = 10) or NON_SATURATING. Default: ${DEFAULT-VALUE}.")
    GanLoss loss;

    @Option(names = "--images-every", description = "Rounds between image grids and evaluations. Default: 10.")
    Integer imagesEvery;

    @Option(names = "--gan-seed", defaultValue = "1", description = "Seed of initial weights, noise vectors and client batches. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--seeded-privacy-noise", paramLabel = "SEED",
            description = "Reproducible DP noise and client sampling from SEED. NOT private: for tests and demos; the report says so.")
    Long seededRandomness;

    GanTrainingConfig config() {
        GanTrainingConfig c = config(paper ? GanTrainingConfig.REFERENCE : GanTrainingConfig.CPU_DEMO);
        return clipQuantile == null ? c : c.toBuilder().adaptiveClip(AdaptiveClip.defaults(c.clientsPerRound(),
                c.noiseMultiplier()).withTargetQuantile(clipQuantile)).build();
    }

    /** The plan with the clip rule the options ask for: its adaptive clip, towards --clip-quantile, or fixed. */
    PrivatePlan clipRule(PrivatePlan plan) {
        if (fixedClip && clipQuantile != null) {
            throw new IllegalArgumentException("--fixed-clip and --clip-quantile exclude each other");
        }
        if (fixedClip) {
            return plan.withClipRule(null);
        }
        return clipQuantile == null ? plan : plan.withClipRule(plan.adaptiveClip().withTargetQuantile(clipQuantile));
    }

    private GanTrainingConfig config(GanTrainingConfig base) {
        return base.toBuilder()
                .preset(preset != null ? GanPreset.named(preset) : base.preset())
                .loss(loss)
                .clientSteps(or(criticSteps, base.clientSteps()))
                .generatorSteps(or(generatorSteps, base.generatorSteps()))
                .clientsPerRound(or(clientsPerRound, base.clientsPerRound()))
                .rounds(or(rounds, base.rounds()))
                .differentialPrivacy(true)
                .clip(clip)
                .noiseMultiplier(or(noiseMultiplier, 0.01))
                .criticLearningRate(or(criticLearningRate, base.criticLearningRate()))
                .generatorLearningRate(or(generatorLearningRate, base.generatorLearningRate()))
                .imagesEvery(or(imagesEvery, base.imagesEvery()))
                .seed(seed)
                .build();
    }

    /** The settings of a private run: the options over {@link PrivatePlan#BASE}, with the plan's m, z and rounds. */
    GanTrainingConfig config(PrivatePlan plan) {
        return plan.applyTo(config(PrivatePlan.BASE));
    }

    /** The networks of a private run: --preset, or the private preset's small critic. */
    GanPreset privatePreset() {
        return preset != null ? GanPreset.named(preset) : PrivatePlan.BASE.preset();
    }

    /** The rounds a private plan is made for: --rounds, or the plan's default. */
    int privateRounds() {
        if (clientsPerRound != null || noiseMultiplier != null || paper) {
            throw new IllegalArgumentException("--private chooses the clients per round and the noise multiplier from "
                    + "the target epsilon: leave out -m, -z and --paper");
        }
        return or(rounds, PrivatePlan.ROUNDS);
    }

    /**
     * A private request's GAN settings: the options over {@link PrivatePlan#BASE}, without the clients per round and
     * noise multiplier that the filter's plan chooses, with --clip-quantile for the plan's adaptive clip.
     */
    dev.fedgan.protocol.GanSettings privateSettings() {
        if (fixedClip) {
            throw new IllegalArgumentException("--fixed-clip: the services' private plan always clips adaptively;"
                    + " --clip-quantile sets the quantile it follows");
        }
        int planRounds = privateRounds();
        return dev.fedgan.modelstore.GanSettingsMapping.settings(config(PrivatePlan.BASE), targetEpsilon,
                seededRandomness).toBuilder().clientsPerRound(null).noiseMultiplier(null).rounds(planRounds)
                .clipQuantile(clipQuantile).build();
    }

    /** The same settings for an experiment request to the services (every field resolved). */
    dev.fedgan.protocol.GanSettings settings() {
        return dev.fedgan.modelstore.GanSettingsMapping.settings(config(), targetEpsilon, seededRandomness);
    }

    GanExperiment.Options options(dev.fedgan.core.classifier.PrimaryClassifier classifier, float[] realImages) {
        return new GanExperiment.Options(targetEpsilon, classifier, realImages);
    }

    private static <T> T or(T v, T fallback) {
        return v != null ? v : fallback;
    }
}
