package dev.fedgan.cli;

import dev.fedgan.protocol.DeadLetter;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Follow an experiment on the services until every GAN has finished.",
            "One line per completed round (ε, updates, time), the pictures and the verdict as they come, and any",
            "dead letter about the experiment."})
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

    /** What was seen of one GAN. */
    record GanProgress(String gan, int round, double epsilon, boolean finished, String stoppedBecause, String polarity,
            Double meanPixel) {
    }

    @Override
    public Integer call() {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("timeout must be >= 1 second, got " + timeoutSeconds);
        }
        Topics t = kafka.topics();
        Properties p = kafka.common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "fedgan-watch-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, GanProgress> progress = new LinkedHashMap<>();
        List<String> deadLetters = new ArrayList<>();
        String verdict = null;
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(t.rounds(), t.images(), t.deadLetter()));
            while (!allFinished(progress)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalArgumentException("experiment " + experimentId + " did not finish within "
                            + timeoutSeconds + " s (seen: " + progress.values() + ")");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        if (r.topic().equals(t.rounds())) {
                            RoundCompleted m = Messages.decode(r.value(), RoundCompleted.class);
                            if (m.experimentId().equals(experimentId)) {
                                GanProgress old = progress.get(m.gan());
                                progress.put(m.gan(), new GanProgress(m.gan(), m.round(), m.epsilon(), m.finished(),
                                        m.stoppedBecause(), old == null ? null : old.polarity(), old == null ? null : old.meanPixel()));
                                human(String.format(Locale.ROOT, "%-14s round %4d  ε %.4g  %d/%d updates  %.1f s%s", m.gan(),
                                        m.round(), m.epsilon(), m.received(), m.clients().size(), m.seconds(),
                                        m.finished() ? "  finished: " + m.stoppedBecause() : ""));
                            }
                        } else if (r.topic().equals(t.images())) {
                            ImagesReady m = Messages.decode(r.value(), ImagesReady.class);
                            if (m.experimentId().equals(experimentId)) {
                                GanProgress old = progress.getOrDefault(m.gan(),
                                        new GanProgress(m.gan(), m.round(), 0, false, null, null, null));
                                progress.put(m.gan(), new GanProgress(old.gan(), old.round(), old.epsilon(), old.finished(),
                                        old.stoppedBecause(), m.polarity(), m.meanPixel()));
                                human(String.format(Locale.ROOT, "%-14s images of round %d: mean pixel %+.2f (%s) %s", m.gan(),
                                        m.round(), m.meanPixel(), m.polarity(), m.grid().uri()));
                                if (m.verdict() != null) {
                                    verdict = m.verdict();
                                    human("verdict: " + verdict);
                                }
                            }
                        } else {
                            DeadLetter m = Messages.decode(r.value(), DeadLetter.class);
                            if (m.experimentId().equals(experimentId)) {
                                deadLetters.add(m.service() + ": " + m.reason());
                                human("dead letter from " + m.service() + ": " + m.reason());
                            }
                        }
                    } catch (MessageException e) {
                        human("skipped an unreadable message on " + r.topic() + ": " + e.getMessage());
                    }
                }
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("experiment_id", experimentId);
        result.put("gans", progress.values());
        result.put("verdict", verdict);
        result.put("dead_letters", deadLetters);
        output.print(result, "experiment " + experimentId + " finished" + (verdict != null ? ": " + verdict : ""));
        return 0;
    }

    private boolean allFinished(Map<String, GanProgress> progress) {
        for (String g : gans) {
            GanProgress p = progress.get(g);
            if (p == null || !p.finished()) {
                return false;
            }
        }
        return true;
    }

    private void human(String line) {
        if (!output.json) {
            System.out.println(line);
        } else if (!output.quiet) {
            System.err.println(line);
        }
    }
}
