package dev.fedgan.imagerender;

import dev.fedgan.core.gan.GanEvaluator;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.PopulationReady;
import java.util.Locale;

/** One GAN the renderer draws: its population message, its settings, its state, and its evaluator once built. */
final class RenderedGan {

    final PopulationReady population;
    final GanTrainingConfig config;
    final GanState state;
    /** Built on the first drawing (fixed noise, classifier, real images' logits) and kept for the next ones. */
    GanEvaluator evaluator;

    RenderedGan(PopulationReady population, GanState state) {
        this.population = population;
        this.config = config(population);
        this.state = state;
    }

    String experiment() {
        return population.experimentId();
    }

    String name() {
        return population.gan();
    }

    /** A file of this GAN under the experiment's files, e.g. {@code gans/low_accuracy/grids.gif}. */
    String path(String relative) {
        return PopulationComparison.ganFile(name(), relative);
    }

    /**
     * The privacy statement of the rounds announced (the report's wording and orders), checked against what the
     * aggregator's accountant announced: a statement whose ε or δ is not the aggregator's is refused, since the
     * report would then state a guarantee the training did not have.
     */
    PrivacyStatement privacy() {
        GanSettings g = population.request().gan();
        int rounds = state.finishedRound != null ? state.finishedRound : state.lastRound;
        // N is the population's released noisy size N̂ and δ the experiment's, as the aggregator's accountant has them.
        PrivacyStatement p = PrivacyStatement.of(population.populationSize(), config.clientsPerRound(),
                config.noiseMultiplier(), config.clip(), config.adaptiveClip(), rounds, population.delta(),
                g == null || g.seededPrivacyNoise() == null);
        GanState s = state;
        if (rounds > 0 && (Math.abs(p.epsilonImproved() - s.epsilon) > 1e-9 * Math.max(1, s.epsilon)
                || Math.abs(p.delta() - s.delta) > 1e-12 * Math.max(1, s.delta))) {
            throw new IllegalStateException(String.format(Locale.ROOT, "experiment %s %s: the aggregator"
                    + " announced ε %.6g at δ %.3g after round %d, the report's statement says ε %.6g at δ %.3g",
                    experiment(), name(), s.epsilon, s.delta, rounds, p.epsilonImproved(), p.delta()));
        }
        return p;
    }

    /** How the training's noise and client sampling were drawn, as the one-JVM run describes them. */
    String randomness() {
        GanSettings g = population.request().gan();
        Long seed = g == null ? null : g.seededPrivacyNoise();
        GaussianNoise noise = seed == null ? GaussianNoise.secure() : GaussianNoise.seeded(seed);
        ClientSampler sampler = seed == null ? ClientSampler.secure() : ClientSampler.seeded(seed);
        return "noise: " + noise.description() + "; client sampling: " + sampler.description();
    }

    private static GanTrainingConfig config(PopulationReady p) {
        try {
            return GanSettingsMapping.config(p.request().gan());
        } catch (IllegalArgumentException e) {
            throw new MessageException("experiment " + p.experimentId() + " " + p.gan() + ": " + e.getMessage(), e);
        }
    }
}
