package dev.fedgan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.cli.LocalServices;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fairness point whose worker dies runs again: two packaged client-update replicas on the packaged dev stack take
 * a 2-point sweep's tasks; the first replica to start a point is killed (SIGKILL) while the point trains, and every
 * point's result must still arrive, the killed one from the other replica. It holds because a worker acknowledges a
 * task only once its result is announced, and the group hands a dead member's partitions on.
 */
class FairnessWorkerKillTest {

    static final String SWEEP = "e2e-kill";
    static final List<String> REPLICAS = List.of("client-update-1", "client-update-2");
    static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);
    static final Duration KILL_AFTER = Duration.ofSeconds(7);

    @TempDir
    Path tmp;

    @Test
    void aPointWhoseWorkerIsKilledRunsAgainOnTheOtherReplica() throws Exception {
        Path logs = tmp.resolve("logs");
        try (LocalServices local = new LocalServices(DemoEndToEndTest.ROOT, logs, s -> { }).warmUp(false)) {
            local.startStack(REPLICAS.size());
            for (String replica : REPLICAS) {
                local.startClientUpdate(replica, local.app("client-update"), "768m", REPLICAS.size());
            }
            local.awaitReady(Progress.NONE, Duration.ofMinutes(4));

            SweepSpec spec = slowSweep();
            List<FairnessPointTask> tasks;
            try (ObjectStore store = store()) {
                tasks = new FairnessSweeps(store).submit(new FairnessSweepRequest(Messages.SCHEMA, SWEEP,
                        Json.MAPPER.readTree(spec.toJson())), dev.fedgan.core.data.DataRoots.of(List.of()));
            }
            assertEquals(2, tasks.size());
            try (KafkaProducer<String, String> producer = producer()) {
                for (FairnessPointTask t : tasks) { // keyed as the filter keys them
                    producer.send(new ProducerRecord<>(TOPICS.fairnessPoints(), SWEEP + "/" + t.point(),
                            Messages.encode(t))).get();
                }
            }

            // The first point started is killed with its worker while it trains, after the worker's commits of what
            // it acknowledged (every 5 s) would have taken it (a worker that acknowledged on receipt loses it).
            String killed = null;
            int point = -1;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (killed == null) {
                for (String replica : REPLICAS) {
                    Matcher m = started(-1).matcher(Files.readString(logs.resolve(replica + ".log")));
                    if (killed == null && m.find()) {
                        killed = replica;
                        point = Integer.parseInt(m.group(1));
                    }
                }
                if (killed == null) {
                    assertTrue(System.nanoTime() < deadline, "no point started within 3 minutes");
                    Thread.sleep(50);
                }
            }
            Thread.sleep(KILL_AFTER.toMillis());
            ProcessHandle worker = local.running().get(killed);
            worker.destroyForcibly(); // SIGKILL: no clean leave of the group, no commit
            worker.onExit().get(30, TimeUnit.SECONDS);
            String killedLog = Files.readString(logs.resolve(killed + ".log"));
            assertFalse(done(point).matcher(killedLog).find(), "point " + point + " took under "
                    + KILL_AFTER.toSeconds() + " s, too short to be killed mid-point:\n" + killedLog);

            // Every point's result arrives, the killed one too, and the other replica ran the killed point.
            Set<Integer> results = new TreeSet<>();
            try (KafkaConsumer<String, String> consumer = consumer()) {
                long until = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                while (results.size() < tasks.size() && System.nanoTime() < until) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        FairnessPointDone d = Messages.decode(r.value(), FairnessPointDone.class);
                        if (d.experimentId().equals(SWEEP)) {
                            results.add(d.point());
                        }
                    }
                }
            }
            String survivor = REPLICAS.get(1 - REPLICAS.indexOf(killed));
            String survivorLog = Files.readString(logs.resolve(survivor + ".log"));
            if (results.size() < tasks.size()) {
                fail("results of points " + results + " only; " + survivor + "'s log:\n" + survivorLog);
            }
            assertEquals(Set.of(0, 1), results);
            assertTrue(started(point).matcher(survivorLog).find() && done(point).matcher(survivorLog).find(),
                    "point " + point + " not run again by " + survivor + ":\n" + survivorLog);
            try (ObjectStore store = store()) {
                for (int p = 0; p < tasks.size(); p++) {
                    assertTrue(store.exists(ExperimentLayout.fairnessPoint(SWEEP, p)), "point " + p + " not stored");
                }
            }
            assertTrue(local.running().containsKey(survivor), survivor + " died too");
        }
    }

    /**
     * The demo sweep's DP-SGD setting at its two shares, trained for 200 epochs of its 180 examples: a point trains
     * for tens of seconds on one thread, long enough to be killed mid-point.
     */
    static SweepSpec slowSweep() {
        SweepSpec demo = SweepSpec.demo(200);
        FairnessSweep.Setting dpSgd = demo.sweep().settings().get(0);
        DpSgdTraining.Options o = dpSgd.training();
        DpSgdTraining.Options slow = new DpSgdTraining.Options(o.clipNorm(), o.noiseMultiplier(), o.targetEpsilon(),
                o.delta(), o.conversion(), o.expectedBatch(), 200, o.learningRate(), o.momentum(), o.physicalBatch(),
                o.seed(), o.reproducible(), o.nonPrivate());
        FairnessSweep.Options s = demo.sweep();
        return new SweepSpec(demo.data(), demo.testData(), demo.testFraction(), demo.testExamples(), demo.partition(),
                new FairnessSweep.Options(s.group(), s.shares(), List.of(new FairnessSweep.Setting(dpSgd.name(), slow,
                        false, null)), s.size(), s.model(), s.activation(), s.seed(), s.examplesPerUser()));
    }

    /** The worker's line as point {@code point} (counted from 1; -1 for any) starts; group 1: the point. */
    static Pattern started(int point) {
        return line(point, "started");
    }

    static Pattern done(int point) {
        return line(point, "done");
    }

    private static Pattern line(int point, String what) {
        return Pattern.compile("fairness sweep " + SWEEP + ": point (" + (point < 0 ? "\\d+" : point) + ") of 2 " + what);
    }

    private static ObjectStore store() {
        return ObjectStore.connect(LocalServices.S3, LocalServices.ACCESS_KEY, LocalServices.SECRET_KEY,
                LocalServices.BUCKET);
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalServices.BOOTSTRAP);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalServices.BOOTSTRAP,
                ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(TOPICS.fairnessResults()));
        return c;
    }
}
