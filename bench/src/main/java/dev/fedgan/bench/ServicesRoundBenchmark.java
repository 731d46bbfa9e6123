package dev.fedgan.bench;

import dev.fedgan.cli.LocalServices;
import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.Topics;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The cost of the services' plumbing (issue 4's target: ≤ 10% of the round time at the reference configuration).
 * The same GAN (the same 40 writers of {@code writerSize} bundled digits with the bug, same configuration, secure
 * noise; with the default 200 digits every client takes the paper's 6 critic steps) is trained for {@code rounds}
 * rounds: in this JVM ({@link FederatedGanTraining#runRound}, clients one after another), then through the
 * packaged aggregator and client-update services as separate JVMs over the dev stack's Kafka and S3, this program
 * playing the filter (it publishes the population), then in this JVM again; the services are compared with the mean
 * of the one-JVM runs before and after them, as this VM's speed drifts by several per cent over minutes. A round's
 * time through the services is the time between two consecutive round announcements as this program receives
 * them: tasks out, weights and deltas through S3, checkpoint, announcement. The first {@code warmUp} rounds of each (default 1) are left out of the means: every
 * JVM's first rounds run while its JIT compiles (the services warm their step code up at start, StepWarmUp). Run
 * once per replica count of client-update. Each run ends with the CPU budget: every process's CPU seconds and page
 * faults per round, and the round time that much CPU allows at best on this machine's cores.
 *
 * <p>Many light clients: with {@code clients} other than 40, that many writers form the population and every one of
 * them is in every round (m = N, q = 1), e.g. 1,000 writers of 8 digits at the tiny preset; {@code aggregators}
 * aggregator replicas (1 or 2, the dev stack's partitions of client-updates) share the shards. With {@code seed}, the
 * noise and the sampling are seeded (reproducible, not private): every run draws the same samples, so runs with one
 * and two aggregators compare like with like, and the last round's critic, printed as a hash of its weights, must be
 * the same.
 *
 * <p>Run: {@code bench/services-round.sh [rounds=4] [preset=reference] [replicas=1,2] [writerSize=200] [warmUp=1]
 * [clients=40] [aggregators=1] [seed]} after {@code ./mvnw -DskipTests package}; nothing else should run on the machine.
 */
public final class ServicesRoundBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        GanPreset preset = args.length > 1 ? GanPreset.named(args[1]) : GanPreset.REFERENCE;
        List<Integer> replicas = new ArrayList<>();
        for (String r : (args.length > 2 ? args[2] : "1,2").split(",")) {
            replicas.add(Integer.parseInt(r.strip()));
        }
        int writerSize = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        int clients = args.length > 5 ? Integer.parseInt(args[5]) : 40;
        int aggregators = args.length > 6 ? Integer.parseInt(args[6]) : 1;
        Long seed = args.length > 7 ? Long.valueOf(args[7]) : null;
        if (aggregators < 1 || aggregators > Topics.SHARDS) {
            throw new IllegalArgumentException("aggregator replicas must be 1.." + Topics.SHARDS
                    + " (the dev stack's partitions of client-updates), got " + aggregators);
        }
        if (warmUp < 1 || warmUp >= rounds) {
            throw new IllegalArgumentException("warm-up rounds must be at least 1 and fewer than the " + rounds
                    + " rounds, got " + warmUp);
        }
        GanTrainingConfig config = GanTrainingConfig.REFERENCE.withPreset(preset).withRounds(rounds, 1000);
        if (clients != 40) { // every client in every round (q = 1): the round's size is the population's
            config = config.toBuilder().clientsPerRound(clients).build();
        }
        InversionBug bug = new InversionBug(0.5, 7);
        Path home = Path.of(System.getenv().getOrDefault("FEDGAN_HOME", "."));
        // The bundled digits as writers of writerSize digits, in a LEAF JSON file both runs read (the services load
        // a client's data by spec): with 200, every client takes the paper's 6 critic steps of 32.
        String dataSpec = writeLeafJson(home.resolve("bench/target/services-round-writers-" + writerSize + ".json"),
                DatasetLoader.load("bundled", new WriterPartition.Options(writerSize, Double.POSITIVE_INFINITY, 0,
                        Math.min(10, writerSize), 1)));
        List<String> ids = DatasetLoader.load(dataSpec, WriterPartition.Options.DEFAULT).writers().stream()
                .map(WriterData::id).limit(clients).toList();
        if (ids.size() < clients) {
            throw new IllegalArgumentException(clients + " clients asked, the bundled digits make " + ids.size()
                    + " writers of " + writerSize);
        }

        List<WriterData> data = ids.stream().map(id -> SimulatedClients.client(dataSpec, bug, id)).toList();
        OneJvmPass before = oneJvm(config, data, rounds, warmUp, seed);
        int cores = Runtime.getRuntime().availableProcessors();

        for (int n : replicas) {
            List<Double> services = new ArrayList<>();
            Map<String, Usage> afterFirst = Map.of();
            Map<String, Usage> afterLast = Map.of();
            try (LocalServices s = new LocalServices(home, home.resolve("bench/target/services-logs-" + n), System.err::println)) {
                s.startStack(n);
                for (int k = 1; k <= aggregators; k++) {
                    s.startService(aggregators == 1 ? "aggregator" : "aggregator-" + k, s.app("aggregator"), "3g");
                }
                for (int k = 1; k <= n; k++) {
                    s.startClientUpdate("client-update-" + k, s.app("client-update"), "1g", n);
                }
                s.awaitReady(Progress.NONE, Duration.ofSeconds(240));
                String id = "bench-" + n + "-" + UUID.randomUUID().toString().substring(0, 8);
                ExperimentRequest request = ExperimentRequest.builder().experimentId(id).data(dataSpec)
                        .invertProbability(0.5).bugSeed(7).gan(GanSettingsMapping.settings(config, null, seed))
                        .roundDeadlineSeconds(3600).build();
                PopulationReady population = new PopulationReady(Messages.SCHEMA, id, "low_accuracy", ids, ids.size(),
                        1e-5, new ObjectRef("fedgan", "none", 0, "0".repeat(64)), null, request);
                Topics topics = Topics.withPrefix(Topics.DEFAULT_PREFIX);
                try (KafkaConsumer<String, String> consumer = consumer(topics.rounds());
                     KafkaProducer<String, String> producer = producer()) {
                    consumer.poll(Duration.ofMillis(500)); // join the group before the first announcement
                    producer.send(new ProducerRecord<>(topics.populations(), id, Messages.encode(population))).get();
                    long last = System.nanoTime();
                    while (services.size() < rounds) {
                        s.checkAlive();
                        for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(200))) {
                            RoundCompleted m = Messages.decode(rec.value(), RoundCompleted.class);
                            if (!m.experimentId().equals(id)) {
                                continue;
                            }
                            long now = System.nanoTime();
                            services.add((now - last) / 1e9);
                            last = now;
                            System.out.printf(Locale.ROOT, "services(%d) round %d: %.2f s between announcements%n", n,
                                    m.round(), services.get(services.size() - 1));
                            if (m.finished()) { // the result, to compare between runs (seeded: equal to the bit)
                                float[] critic = new ModelStore(s.objectStore()).getWeights(m.critic(),
                                        GanNetworks.criticLayout(config.preset())).flatten();
                                System.out.printf(Locale.ROOT, "services(%d) last critic: hash %08x%n", n,
                                        Arrays.hashCode(critic));
                            }
                            if (services.size() == warmUp) {
                                afterFirst = usage(s);
                            } else if (services.size() == rounds) {
                                afterLast = usage(s);
                            }
                        }
                    }
                }
                s.saveMetrics(home.resolve("bench/target/services-metrics-" + n));
            }
            // The one JVM again: the machine's speed drifts (a VM; ±5% over minutes), and the services are compared
            // with the mean of the one-JVM runs just before and just after them.
            OneJvmPass after = oneJvm(config, data, rounds, warmUp, seed);
            double a = (before.seconds() + after.seconds()) / 2;
            double b = steady(services, warmUp);
            printCpuBudget(afterFirst, afterLast, warmUp, rounds, before.usage().mean(after.usage()), cores, a);
            System.out.printf(Locale.ROOT, "%s preset, %d writers of %d digits (m = %d), %d client-update replica(s),"
                    + " %d aggregator(s): one JVM %.2f s/round (%.2f before the services, %.2f after), services %.2f"
                    + " s/round (rounds %d..%d): overhead %+.1f%%%n", preset.name(), ids.size(), writerSize,
                    config.clientsPerRound(), n, aggregators, a, before.seconds(), after.seconds(), b, warmUp + 1,
                    rounds, 100 * (b - a) / a);
            before = after;
        }
    }

    /** A one-JVM run's steady round time and its CPU and page faults over the rounds after the warm-up. */
    record OneJvmPass(double seconds, Usage usage) {
    }

    /** The GAN trained for {@code rounds} rounds in this JVM ({@link FederatedGanTraining#runRound}). */
    private static OneJvmPass oneJvm(GanTrainingConfig config, List<WriterData> data, int rounds, int warmUp,
            Long seed) {
        List<Double> inJvm = new ArrayList<>();
        FederatedGanTraining local = FederatedGanTraining.start(config, data, null, seed);
        Usage from = null;
        for (int r = 0; r < rounds; r++) {
            if (r == warmUp) {
                from = Usage.of(ProcessHandle.current());
            }
            long t0 = System.nanoTime();
            FederatedGanTraining.RoundReport report = local.runRound();
            inJvm.add((System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "one JVM     round %d: %.2f s (clients %.2f, aggregation %.2f, generator %.2f)%n",
                    report.round(), inJvm.get(r), report.clientSeconds(), report.aggregationSeconds(),
                    report.generatorSeconds());
        }
        System.out.printf(Locale.ROOT, "one JVM     last critic: hash %08x%n", Arrays.hashCode(local.critic().flatten()));
        return new OneJvmPass(steady(inJvm, warmUp), Usage.of(ProcessHandle.current()).since(from));
    }

    /** Writes {@code data} as LEAF JSON (pixels in [0,1], 1 = background) and returns the file's path as a data spec. */
    static String writeLeafJson(Path file, FederatedDataset data) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        try (java.io.Writer out = Files.newBufferedWriter(file)) {
            StringBuilder users = new StringBuilder();
            StringBuilder sizes = new StringBuilder();
            for (WriterData w : data.writers()) {
                users.append(users.isEmpty() ? "" : ",").append('"').append(w.id()).append('"');
                sizes.append(sizes.isEmpty() ? "" : ",").append(w.size());
            }
            out.write("{\"users\":[" + users + "],\"num_samples\":[" + sizes + "],\"user_data\":{");
            boolean firstWriter = true;
            for (WriterData w : data.writers()) {
                out.write((firstWriter ? "" : ",") + "\"" + w.id() + "\":{\"x\":[");
                firstWriter = false;
                for (int i = 0; i < w.size(); i++) {
                    StringBuilder x = new StringBuilder(i == 0 ? "[" : ",[");
                    for (int k = 0; k < WriterData.PIXELS; k++) {
                        x.append(k == 0 ? "" : ",").append((1f - w.pixels()[i * WriterData.PIXELS + k]) / 2f);
                    }
                    out.write(x.append(']').toString());
                }
                StringBuilder y = new StringBuilder();
                for (int label : w.labels()) {
                    y.append(y.isEmpty() ? "" : ",").append(label);
                }
                out.write("],\"y\":[" + y + "]}");
            }
            out.write("}}");
        }
        return file.toAbsolutePath().toString();
    }

    /** A process's CPU time and minor page faults (-1: unknown) so far, or between two readings. */
    record Usage(Duration cpu, long pageFaults) {
        static Usage of(ProcessHandle p) {
            return new Usage(p.info().totalCpuDuration().orElse(Duration.ZERO), pageFaults(p.pid()));
        }

        /** The mean of this and {@code other}. */
        Usage mean(Usage other) {
            return new Usage(cpu.plus(other.cpu).dividedBy(2),
                    pageFaults < 0 || other.pageFaults < 0 ? -1 : (pageFaults + other.pageFaults) / 2);
        }

        /** What was used between {@code earlier} and this reading. */
        Usage since(Usage earlier) {
            return new Usage(cpu.minus(earlier.cpu),
                    pageFaults < 0 || earlier.pageFaults < 0 ? -1 : pageFaults - earlier.pageFaults);
        }

        /** Minor page faults from {@code /proc/PID/stat} (field 10); -1 where there is no such file. */
        private static long pageFaults(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
            } catch (java.io.IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    /**
     * Where the services' rounds spend CPU: each process's CPU seconds and page faults per round (after the warm-up,
     * as the OS counts them) against the one-JVM run's, and the round time those seconds allow at best on this machine's
     * cores (every core busy all the time). When the services need more CPU than the target allows, no scheduling
     * can meet it here. Page faults in the hundreds of thousands per round mean memory given back and taken again
     * (e.g. natives past JavaCPP's physical-memory cap, freed by collections and allocated anew).
     */
    private static void printCpuBudget(Map<String, Usage> before, Map<String, Usage> after, int warmUp, int last,
                                       Usage inJvm, int cores, double inJvmSeconds) {
        int rounds = last - warmUp;
        StringBuilder parts = new StringBuilder();
        double total = 0;
        for (Map.Entry<String, Usage> e : after.entrySet()) {
            Usage used = e.getValue().since(before.getOrDefault(e.getKey(), new Usage(Duration.ZERO, 0)));
            double seconds = used.cpu().toMillis() / 1e3 / rounds;
            total += seconds;
            parts.append(parts.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f (%s)", e.getKey(),
                    seconds, faults(used.pageFaults(), rounds)));
        }
        double bound = total / cores;
        System.out.printf(Locale.ROOT, "CPU per round (rounds %d..%d): one JVM %.2f s (%s); services %.2f s (%s); on"
                + " %d cores the services' rounds take at least %.2f s (%+.1f%% over the one JVM's %.2f s)%n", warmUp + 1,
                last, inJvm.cpu().toMillis() / 1e3 / rounds, faults(inJvm.pageFaults(), rounds), total, parts, cores, bound,
                100 * (bound - inJvmSeconds) / inJvmSeconds, inJvmSeconds);
    }

    private static String faults(long count, int rounds) {
        return count < 0 ? "page faults unknown" : String.format(Locale.ROOT, "%,d page faults", count / rounds);
    }

    /** CPU and page faults so far of every process {@code s} runs and of this JVM ("benchmark"). */
    private static Map<String, Usage> usage(LocalServices s) {
        Map<String, Usage> usage = new LinkedHashMap<>();
        s.running().forEach((name, p) -> usage.put(name, Usage.of(p)));
        usage.put("benchmark", Usage.of(ProcessHandle.current()));
        return usage;
    }

    /** Mean of the rounds after the first {@code warmUp}. */
    static double steady(List<Double> seconds, int warmUp) {
        return seconds.subList(warmUp, seconds.size()).stream().mapToDouble(Double::doubleValue).average()
                .orElse(Double.NaN);
    }

    private static KafkaConsumer<String, String> consumer(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalServices.BOOTSTRAP);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(topic));
        return c;
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalServices.BOOTSTRAP);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
