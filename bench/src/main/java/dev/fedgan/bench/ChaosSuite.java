package dev.fedgan.bench;

import dev.fedgan.cli.LocalServices;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The chaos suite: one seeded experiment run twice on the packaged services over the dev stack (Kafka and S3 as two
 * processes), once undisturbed and once under faults, and what must hold checked after both.
 *
 * <p>Faults of the disturbed run, each at a round of the experiment (the largest round either GAN has announced):
 * the filter SIGKILLed while it trains the classifier and measures the users; the aggregator, each client-update
 * replica and image-render SIGKILLed (the aggregator three times), each restarted two seconds later as Kubernetes
 * would; Kafka stopped for {@code outage} seconds and started again on its data, then SIGKILLed (a crash: no clean
 * shutdown) for as long; S3 the same; S3 slow (each chunk
 * delayed a second) for as long; S3's disk full for as long (its data on a file system of its own, filled up and
 * then freed: mounting it needs root, without which the fault is skipped and says so); and
 * {@link HostileRecords} records across every consumed topic before the experiment. What must hold: every round of
 * both GANs announced exactly once; each GAN's ε equal to the accountant's for its released population size; the
 * final generators of the two runs bit-identical (same SHA-256); the same verdict; every hostile record on the
 * dead-letter topic with its reason; every service process alive at the end except those killed (which were
 * restarted); no client delta left in the bucket. Each fault's recovery time is the time from the fault to the next
 * round announced (the outage or the restart included).
 *
 * <p>Run: {@code bench/chaos.sh [rounds=40] [outage seconds=30] [hostile records=1000]} after
 * {@code ./mvnw -DskipTests package}, nothing else on the dev stack's ports. Rows go to
 * {@code bench/results/chaos.csv}; exit status 1 if a check failed.
 */
public final class ChaosSuite {

    static final String EXPERIMENT = "chaos";
    static final List<String> GANS = List.of("low_accuracy", "high_accuracy");
    static final int CLIENTS_PER_ROUND = 3;
    static final double NOISE_MULTIPLIER = 0.5;
    static final long SEED = 11;
    /** The delay per forwarded chunk while S3 is slow. */
    static final long SLOW_MILLIS = 1000;
    /** The size of the file system S3's data lives on in the disturbed run (filled up by the "full" fault). */
    static final long DISK_BYTES = 2L << 30;
    /** Where S3 runs; the services reach it through a {@link SlowProxy} on the dev stack's S3 port. */
    static final int S3_BEHIND_PROXY = 19001;

    /**
     * A fault: {@code kind} kill (SIGKILL, restart after 2 s), outage (SIGTERM, restart after the outage) or slow (every
     * chunk between the services and S3 delayed by {@link #SLOW_MILLIS} for the outage's length).
     */
    record Fault(String kind, String process, int atRound) {
    }

    /** What a fault did: when it struck, how long the process was down, the time from the fault to the next round. */
    record Struck(Fault fault, int roundAtFault, double downSeconds, double recoverySeconds) {
    }

    /** What one run showed. */
    record Outcome(Map<String, Map<Integer, List<RoundCompleted>>> announcements, Map<String, RoundCompleted> last,
            Map<String, Integer> populationSizes, String verdict, List<Struck> faults, int hostileSent,
            int hostileDeadLettered, Map<String, Integer> deadLetterReasons, List<String> diedUnkilled,
            int deltasLeft, double seconds) {
    }

    public static void main(String[] args) throws Exception {
        // The suite's own Kafka clients retry through the outages it causes: their warnings are expected.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int outage = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int hostile = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        if (rounds < 40 || outage < 1 || outage > 600 || hostile < 0) {
            throw new IllegalArgumentException("rounds must be at least 40 (the faults' schedule), outage in [1, 600] s, "
                    + "hostile records >= 0; got " + rounds + ", " + outage + ", " + hostile);
        }
        Path home = Path.of(System.getenv().getOrDefault("FEDGAN_HOME", ".")).toAbsolutePath().normalize();
        Path work = home.resolve("bench/target/chaos");
        FileTrees.delete(work);
        ExperimentRequest request = request(rounds);
        List<Fault> schedule = List.of(
                new Fault("kill", "aggregator", 4), new Fault("kill", "client-update-1", 8),
                new Fault("outage", "kafka", 12), new Fault("crash", "kafka", 14),
                new Fault("kill", "image-render", 16), new Fault("outage", "s3", 20), new Fault("crash", "s3", 22),
                new Fault("kill", "aggregator", 24),
                new Fault("kill", "client-update-2", 28), new Fault("slow", "s3", 30),
                new Fault("kill", "aggregator", 32), new Fault("full", "s3", 34));
        Outcome calm = new Run(home, work.resolve("undisturbed"), request, List.of(), 0, 0, false).go();
        Outcome rough = new Run(home, work.resolve("disturbed"), request, schedule, outage, hostile, true).go();
        List<String[]> checks = checks(calm, rough, rounds);
        write(home.resolve("bench/results/chaos.csv"), rounds, outage, calm, rough, checks);
        boolean ok = checks.stream().allMatch(c -> c[1].equals("pass"));
        System.out.println(ok ? "chaos suite: every check passed" : "chaos suite: a check FAILED");
        System.exit(ok ? 0 : 1);
    }

    /** The experiment: the demo's bundled field users with the bug, the tiny GANs, seeded noise and sampling. */
    static ExperimentRequest request(int rounds) {
        GanTrainingConfig config = GanTrainingConfig.CPU_DEMO.withPreset(GanPreset.TINY).withRounds(rounds, 8)
                .toBuilder().clientsPerRound(CLIENTS_PER_ROUND).noiseMultiplier(NOISE_MULTIPLIER).build();
        return ExperimentRequest.builder().experimentId(EXPERIMENT).data("bundled:field").invertProbability(0.5)
                .bugSeed(7).classifierEpochs(1).selectionNoiseMultiplier(5.0)
                .gan(GanSettingsMapping.settings(config, null, SEED)).build();
    }

    static List<String[]> checks(Outcome calm, Outcome rough, int rounds) {
        List<String[]> c = new ArrayList<>();
        for (var o : List.of(Map.entry("undisturbed", calm), Map.entry("disturbed", rough))) {
            for (String gan : GANS) {
                // A round is released once when every announcement of it is the same (a restarted aggregator
                // announces its last checkpointed round again, at least once, with the same weights and ε); a round
                // trained twice would differ.
                Map<Integer, List<RoundCompleted>> seen = o.getValue().announcements().getOrDefault(gan, Map.of());
                List<String> wrong = new ArrayList<>();
                int repeated = 0;
                for (int r = 1; r <= rounds; r++) {
                    List<RoundCompleted> of = seen.getOrDefault(r, List.of());
                    if (of.isEmpty()) {
                        wrong.add("round " + r + " never announced");
                    } else if (of.stream().map(m -> m.generator().sha256() + m.epsilon()).distinct().count() > 1) {
                        wrong.add("round " + r + " announced with different weights or ε");
                    }
                    repeated += Math.max(0, of.size() - 1);
                }
                c.add(check(o.getKey() + " " + gan + ": every round released once", wrong.isEmpty(),
                        wrong.isEmpty() ? rounds + " rounds (" + repeated + " announced again unchanged)"
                                : String.join("; ", wrong)));
                RoundCompleted last = o.getValue().last().get(gan);
                Integer n = o.getValue().populationSizes().get(gan);
                if (last == null || n == null) {
                    c.add(check(o.getKey() + " " + gan + ": epsilon", false, "no last round or population"));
                    continue;
                }
                double expected = PrivacyCalculator.forPopulation(n, CLIENTS_PER_ROUND, NOISE_MULTIPLIER, last.round(),
                        last.delta()).epsilonImproved();
                c.add(check(o.getKey() + " " + gan + ": epsilon equals the accountant's",
                        Math.abs(expected - last.epsilon()) <= 1e-9 * expected,
                        String.format(Locale.ROOT, "%.6f vs %.6f (N^ %d, m %d, z %.2f, %d rounds)", last.epsilon(),
                                expected, n, CLIENTS_PER_ROUND, NOISE_MULTIPLIER, last.round())));
            }
        }
        for (String gan : GANS) {
            RoundCompleted a = calm.last().get(gan);
            RoundCompleted b = rough.last().get(gan);
            boolean same = a != null && b != null && a.generator().sha256().equals(b.generator().sha256());
            c.add(check(gan + ": final generator identical to the undisturbed run's", same,
                    a == null || b == null ? "missing" : a.generator().sha256().substring(0, 12) + " vs "
                            + b.generator().sha256().substring(0, 12)));
        }
        c.add(check("same verdict", calm.verdict() != null && calm.verdict().equals(rough.verdict()),
                String.valueOf(rough.verdict())));
        c.add(check("every hostile record dead-lettered with a reason",
                rough.hostileDeadLettered() == rough.hostileSent(),
                rough.hostileDeadLettered() + " of " + rough.hostileSent() + "; reasons " + rough.deadLetterReasons()));
        for (var o : List.of(Map.entry("undisturbed", calm), Map.entry("disturbed", rough))) {
            c.add(check(o.getKey() + ": no service died unless killed", o.getValue().diedUnkilled().isEmpty(),
                    String.join("; ", o.getValue().diedUnkilled())));
            c.add(check(o.getKey() + ": no client delta left", o.getValue().deltasLeft() == 0,
                    o.getValue().deltasLeft() + " left"));
        }
        return c;
    }

    private static String[] check(String name, boolean pass, String detail) {
        System.out.printf(Locale.ROOT, "  %-4s %s: %s%n", pass ? "ok" : "FAIL", name, detail);
        return new String[] {name, pass ? "pass" : "FAIL", detail};
    }

    static void write(Path csv, int rounds, int outage, Outcome calm, Outcome rough, List<String[]> checks)
            throws IOException {
        String commit = System.getenv().getOrDefault("FEDGAN_COMMIT", "");
        String date = LocalDate.now().toString();
        StringBuilder rows = new StringBuilder();
        if (!Files.exists(csv)) {
            rows.append("date,commit,rounds,outage_s,row,name,result,detail\n");
        }
        String prefix = String.join(",", date, commit, Integer.toString(rounds), Integer.toString(outage)) + ",";
        rows.append(prefix).append("run,undisturbed,").append(String.format(Locale.ROOT, "%.0f", calm.seconds()))
                .append(",seconds\n");
        rows.append(prefix).append("run,disturbed,").append(String.format(Locale.ROOT, "%.0f", rough.seconds()))
                .append(",seconds\n");
        for (Struck s : rough.faults()) {
            rows.append(prefix).append("fault,").append(s.fault().kind()).append(' ').append(s.fault().process())
                    .append(String.format(Locale.ROOT, ",%.1f,round %d; down %.1f s; next round %.1f s after the fault",
                            s.recoverySeconds(), s.roundAtFault(), s.downSeconds(), s.recoverySeconds())).append('\n');
        }
        for (String[] c : checks) {
            rows.append(prefix).append("check,").append(c[0].replace(',', ';')).append(',').append(c[1]).append(',')
                    .append(c[2].replace(',', ';')).append('\n');
        }
        Files.writeString(csv, rows, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println("rows appended to " + csv);
    }

    /** One run of the experiment on fresh services and a fresh stack in {@code dir}. */
    static final class Run {
        private final Path home;
        private final Path dir;
        private final ExperimentRequest request;
        private final List<Fault> schedule;
        private final int outage;
        private final int hostile;
        private final boolean killFilter;
        private final Topics topics = Topics.withPrefix(Topics.DEFAULT_PREFIX);
        private final Map<String, Map<Integer, List<RoundCompleted>>> announcements = new ConcurrentHashMap<>();
        private final Map<String, RoundCompleted> last = new ConcurrentHashMap<>();
        private final Map<String, Integer> populations = new ConcurrentHashMap<>();
        private final List<String> deadLetterKeys = new CopyOnWriteArrayList<>();
        private final Map<String, Integer> reasons = new ConcurrentHashMap<>();
        private volatile String verdict;
        private volatile boolean following = true;
        private volatile long lastAnnouncementNanos;

        Run(Path home, Path dir, ExperimentRequest request, List<Fault> schedule, int outage, int hostile,
                boolean killFilter) {
            this.home = home;
            this.dir = dir;
            this.request = request;
            this.schedule = schedule;
            this.outage = outage;
            this.hostile = hostile;
            this.killFilter = killFilter;
        }

        Outcome go() throws Exception {
            long t0 = System.nanoTime();
            String name = dir.getFileName().toString();
            System.out.println("chaos suite: " + name + " run (logs in " + dir.resolve("logs") + ")");
            List<Struck> struck = new ArrayList<>();
            List<String> diedUnkilled = new ArrayList<>();
            int deltasLeft;
            SmallDisk disk = schedule.stream().anyMatch(f -> f.kind().equals("full"))
                    ? SmallDisk.mount(dir.resolve("stack/s3"), DISK_BYTES) : null;
            try (LocalServices local = new LocalServices(home, dir.resolve("logs"), line -> System.out.println("  " + line));
                 SlowProxy s3 = new SlowProxy(19000, S3_BEHIND_PROXY); SmallDisk unmounted = disk) {
                local.startStackApart(dir.resolve("stack"), 2, S3_BEHIND_PROXY);
                List<String> services = List.of("filter", "aggregator", "client-update-1", "client-update-2",
                        "image-render");
                for (String s : services) {
                    String app = s.replaceFirst("-[0-9]$", "");
                    if (app.equals("client-update")) {
                        local.startClientUpdate(s, local.app(app), "768m", 2);
                    } else {
                        local.startService(s, local.app(app), "768m");
                    }
                }
                local.awaitReady(dev.fedgan.core.progress.Progress.NONE, Duration.ofSeconds(240));
                Thread follower = new Thread(this::follow, "chaos-follow");
                follower.setDaemon(true);
                follower.start();
                List<String> hostileKeys = hostile > 0 ? HostileRecords.send(producer(), topics, hostile) : List.of();
                try (KafkaProducer<String, String> p = producer()) {
                    p.send(new ProducerRecord<>(topics.experiments(), EXPERIMENT, Messages.encode(request))).get();
                }
                if (killFilter) {
                    // The filter trains the classifier and measures every user for several seconds after the request.
                    Thread.sleep(4000);
                    boolean midSelection = populations.isEmpty();
                    long k = System.nanoTime();
                    local.end("filter", true);
                    Thread.sleep(2000);
                    local.restart("filter");
                    struck.add(new Struck(new Fault("kill", "filter" + (midSelection ? " (measuring)" : ""), 0), 0,
                            (System.nanoTime() - k) / 1e9, untilNextRound(0, k)));
                }
                for (Fault f : schedule) {
                    while (round() < f.atRound()) {
                        local.checkAlive();
                        Thread.sleep(100);
                    }
                    int at = round();
                    long k = System.nanoTime();
                    System.out.println("  round " + at + ": " + f.kind() + " " + f.process());
                    if (f.kind().equals("slow")) {
                        s3.delay(SLOW_MILLIS);
                        Thread.sleep(outage * 1000L);
                        s3.delay(0);
                    } else if (f.kind().equals("full")) {
                        if (disk == null || !disk.mounted()) {
                            System.out.println("  skipped: S3's disk could not be mounted apart (needs root)");
                            continue;
                        }
                        disk.fill();
                        Thread.sleep(outage * 1000L);
                        disk.free();
                    } else {
                        local.end(f.process(), !f.kind().equals("outage")); // an outage is a clean stop
                        Thread.sleep(f.kind().equals("kill") ? 2000 : outage * 1000L);
                        local.restart(f.process());
                        if (!f.kind().equals("kill")) {
                            local.awaitStack();
                        }
                    }
                    struck.add(new Struck(f, at, (System.nanoTime() - k) / 1e9, untilNextRound(at, k)));
                }
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(40);
                while (!(finished() && verdict != null)) {
                    try {
                        local.checkAlive();
                    } catch (IllegalStateException e) {
                        diedUnkilled.add(e.getMessage());
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(name + " run did not finish within 40 minutes: rounds "
                                + announcements);
                    }
                    Thread.sleep(500);
                }
                // Late dead letters (the hostile records of the topics read last) arrive within seconds.
                long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!deadLetterKeys.containsAll(hostileKeys) && System.nanoTime() < wait) {
                    Thread.sleep(500);
                }
                try {
                    local.checkAlive();
                } catch (IllegalStateException e) {
                    if (diedUnkilled.isEmpty()) {
                        diedUnkilled.add(e.getMessage());
                    }
                }
                deltasLeft = deltasLeft();
                following = false;
                follower.join(10_000);
                int matched = (int) hostileKeys.stream().filter(deadLetterKeys::contains).count();
                return new Outcome(Map.copyOf(announcements), Map.copyOf(last), Map.copyOf(populations), verdict,
                        struck, hostileKeys.size(), matched, new TreeMap<>(reasons), diedUnkilled, deltasLeft,
                        (System.nanoTime() - t0) / 1e9);
            }
        }

        private int deltasLeft() throws IOException {
            int n = 0;
            try (ObjectStore store = ObjectStore.connect(LocalServices.S3, LocalServices.ACCESS_KEY,
                    LocalServices.SECRET_KEY, LocalServices.BUCKET)) {
                for (String gan : GANS) {
                    n += store.list(ExperimentLayout.deltas(ExperimentLayout.namespace(EXPERIMENT, gan))).size();
                }
            }
            return n;
        }

        private int round() {
            return last.values().stream().mapToInt(RoundCompleted::round).max().orElse(0);
        }

        private boolean finished() {
            return GANS.stream().allMatch(g -> last.containsKey(g) && last.get(g).finished());
        }

        /** Seconds from {@code since} until a round after {@code round} is announced (waits for it). */
        private double untilNextRound(int round, long since) throws InterruptedException {
            while (round() <= round && !finished()) {
                Thread.sleep(100);
            }
            return Math.max(0, (lastAnnouncementNanos - since) / 1e9);
        }

        private KafkaProducer<String, String> producer() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalServices.BOOTSTRAP);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(1 << 20));
            return new KafkaProducer<>(p);
        }

        /** Reads rounds, populations, images and dead letters from the beginning until the run is over. */
        private void follow() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalServices.BOOTSTRAP);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
                c.subscribe(List.of(topics.rounds(), topics.populations(), topics.images(), topics.deadLetter()));
                while (following) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                        take(r);
                    }
                }
            }
        }

        private void take(ConsumerRecord<String, String> r) {
            if (r.topic().equals(topics.deadLetter())) {
                deadLetterKeys.add(String.valueOf(r.key()));
                Header h = r.headers().lastHeader("dead-letter-reason");
                String reason = h == null ? "(none)" : new String(h.value(), StandardCharsets.UTF_8);
                reasons.merge(reason.replaceFirst(":.*", ""), 1, Integer::sum);
                return;
            }
            try {
                if (r.topic().equals(topics.rounds())) {
                    RoundCompleted m = Messages.decode(r.value(), RoundCompleted.class);
                    if (m.experimentId().equals(EXPERIMENT)) {
                        announcements.computeIfAbsent(m.gan(), g -> new ConcurrentHashMap<>())
                                .computeIfAbsent(m.round(), k -> new CopyOnWriteArrayList<>()).add(m);
                        last.merge(m.gan(), m, (a, b) -> b.round() >= a.round() ? b : a);
                        lastAnnouncementNanos = System.nanoTime();
                    }
                } else if (r.topic().equals(topics.populations())) {
                    PopulationReady m = Messages.decode(r.value(), PopulationReady.class);
                    if (m.experimentId().equals(EXPERIMENT)) {
                        populations.put(m.gan(), m.populationSize());
                    }
                } else {
                    ImagesReady m = Messages.decode(r.value(), ImagesReady.class);
                    if (m.experimentId().equals(EXPERIMENT) && m.verdict() != null) {
                        verdict = m.verdict();
                    }
                }
            } catch (RuntimeException e) {
                // a hostile record on rounds or populations: image-render or the aggregator dead-letters it
            }
        }
    }
}
