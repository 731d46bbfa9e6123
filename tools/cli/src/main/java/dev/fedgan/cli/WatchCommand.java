package dev.fedgan.cli;

import dev.fedgan.protocol.DeadLetter;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Follow an experiment on the services until every GAN has finished and the verdict is in.",
            "",
            "One line per completed round (G loss, ε), the populations (their released noisy size N^ only, never "
                + "their members), the pictures and the verdict as they come, and the experiment's request if a "
                + "service refused it (dead letters about the services' own records stay with the operators). Reads "
                + "the topics from their beginning.",
            ""})
final class WatchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ID", description = "The experiment id.")
    String experimentId;

    @Option(names = "--gans", split = ",", defaultValue = "low_accuracy,high_accuracy",
            description = "The GANs to wait for. Default: ${DEFAULT-VALUE}.")
    List<String> gans;

    @Option(names = "--timeout", defaultValue = "3600", description = "Give up after this many seconds. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    Output output;

    @Override
    public Integer call() {
        ExperimentFollower.Outcome o = new ExperimentFollower(kafka.common(), kafka.topics())
                .follow(experimentId, gans, timeoutSeconds, new ExperimentFollower.Listener() {
                    @Override
                    public void population(PopulationReady m) {
                        // Only the released noisy size: the member ids in the message stay inside the trusted boundary.
                        human(String.format(Locale.ROOT, "%-14s population of noisy size N^ = %d", m.gan(),
                                m.populationSize()));
                    }

                    @Override
                    public void round(RoundCompleted m) {
                        human(String.format(Locale.ROOT, "%-14s round %4d  G loss %s  ε %.4g%s", m.gan(), m.round(),
                                m.generatorLoss() == null ? "–" : String.format(Locale.ROOT, "%.3f", m.generatorLoss()),
                                m.epsilon(), m.finished() ? "  finished: " + m.stoppedBecause() : ""));
                    }

                    @Override
                    public void images(ImagesReady m) {
                        human(String.format(Locale.ROOT, "%-14s images of round %d: mean pixel %+.2f (%s) %s", m.gan(),
                                m.round(), m.meanPixel(), m.polarity(), m.grid().uri()));
                        if (m.verdict() != null) {
                            human("verdict: " + m.verdict() + (m.experimentEpsilon() != null ? String.format(Locale.ROOT,
                                    "\nprivacy: ε = %.3g for the whole experiment (selection and both GANs)",
                                    m.experimentEpsilon()) : "") + (m.report() != null ? "\nreport: " + m.report().uri() : ""));
                        }
                    }

                    @Override
                    public void deadLetter(DeadLetter m) {
                        human("dead letter from " + m.service() + " (" + m.topic() + "): " + m.reason());
                    }

                    @Override
                    public void unreadable(String topic, String why) {
                        human("skipped an unreadable message on " + topic + ": " + why);
                    }

                    @Override
                    public void restricted(Set<String> topics) {
                        human("following the released rounds and images only (this identity may not read "
                                + String.join(", ", new TreeSet<>(topics)) + ")");
                    }
                });
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("experiment_id", experimentId);
        result.put("gans", o.gans());
        result.put("verdict", o.verdict());
        result.put("experiment_epsilon", o.report() == null ? null : o.report().experimentEpsilon());
        result.put("report", o.report() == null ? null : o.report().report());
        result.put("dead_letters", o.deadLetters());
        output.print(result, "experiment " + experimentId + " finished" + (o.verdict() != null ? ": " + o.verdict()
                : " (no verdict within " + ExperimentFollower.VERDICT_GRACE_SECONDS + " s of the last round:"
                + " is image-render running?)"));
        return 0;
    }

    private void human(String line) {
        if (!output.json) {
            System.out.println(line);
        } else if (!output.quiet) {
            System.err.println(line);
        }
    }
}
