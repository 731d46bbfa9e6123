package dev.fedgan.bench;

import dev.fedgan.cli.LocalServices;
import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.RoundShare;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ObjectRef;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * What an aggregator shard spends per client update, and the owner per share, on this machine, against the dev
 * stack's S3 server: the numbers the capacity model (docs/scale.md) scales. Per preset, {@code updates} deltas of the
 * critic's size are stored, then read the way a shard reads them ({@code ModelStore.getDelta}: GET, size and SHA-256
 * check, decode; the NaN check), clipped and added exactly ({@link RoundShare#add}); then the share is stored and read
 * back ({@code putShare}, {@code getShare}) and added by the owner ({@link FederatedGanTraining#addShare}). Wall time
 * and this thread's CPU time per step; bytes per delta and per share.
 *
 * <p>Run: {@code bench/run.sh --main dev.fedgan.bench.ShardCostBenchmark [presets=tiny,compact,reference]
 * [updates=200,100,20]} after {@code ./mvnw -DskipTests package}; nothing else should run on the machine. Rows go to
 * {@code bench/results/shard-cost.csv} (with {@code FEDGAN_COMMIT} as the commit column).
 */
public final class ShardCostBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        String[] presets = (args.length > 0 ? args[0] : "tiny,compact,reference").split(",");
        String[] counts = (args.length > 1 ? args[1] : "200,100,20").split(",");
        if (counts.length != presets.length) {
            throw new IllegalArgumentException("give one update count per preset: " + presets.length + " presets, "
                    + counts.length + " counts");
        }
        Path home = Path.of(System.getenv().getOrDefault("FEDGAN_HOME", "."));
        Path csv = home.resolve("bench/results/shard-cost.csv");
        String commit = System.getenv().getOrDefault("FEDGAN_COMMIT", "");
        try (LocalServices s = new LocalServices(home, home.resolve("bench/target/shard-cost-logs"),
                System.err::println)) {
            s.startStack(1);
            ObjectStore store = s.objectStore();
            ModelStore models = new ModelStore(store);
            for (int p = 0; p < presets.length; p++) {
                Row row = measure(models, GanPreset.named(presets[p].strip()), Integer.parseInt(counts[p].strip()));
                System.out.println(row.describe());
                append(csv, LocalDate.now() + "," + commit + "," + row.csv());
            }
        }
    }

    /** One preset's costs. */
    record Row(String preset, int length, int updates, double deltaMb, double fetchMs, double fetchCpuMs,
            double addMs, double addCpuMs, double shareMb, double putShareS, double getShareS, double mergeS) {

        String describe() {
            return String.format(Locale.ROOT, "%s critic (%,d weights, delta %.2f MB): per update fetch+check %.2f ms"
                    + " (CPU %.2f ms), clip+add %.2f ms (CPU %.2f ms); share %.2f MB: store %.3f s, read %.3f s,"
                    + " owner's add %.3f s (%d updates)", preset, length, deltaMb, fetchMs, fetchCpuMs, addMs,
                    addCpuMs, shareMb, putShareS, getShareS, mergeS, updates);
        }

        String csv() {
            return String.format(Locale.ROOT, "%s,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f", preset, length,
                    updates, deltaMb, fetchMs, fetchCpuMs, addMs, addCpuMs, shareMb, putShareS, getShareS, mergeS);
        }
    }

    static Row measure(ModelStore models, GanPreset preset, int updates) {
        GanTrainingConfig config = GanTrainingConfig.REFERENCE.withPreset(preset).withClients(updates, 1)
                .withRounds(1, 1);
        List<String> ids = IntStream.range(0, updates).mapToObj(i -> String.format(Locale.ROOT, "c%05d", i)).toList();
        FederatedGanTraining owner = FederatedGanTraining.startRemote(config, ids, null, 1L);
        FederatedGanTraining.RoundPlan plan = owner.beginRound();
        int length = Math.toIntExact(owner.critic().length());
        String namespace = "shard-cost-" + preset.name();
        List<ObjectRef> refs = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(7);
        float[] delta = new float[length];
        for (String id : plan.clients()) {
            double scale = rnd.nextDouble() < 0.3 ? 1e-2 : 1e-4; // some above the clip, most below
            for (int i = 0; i < length; i++) {
                delta[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
            }
            refs.add(models.putDelta(namespace, 0, id, delta));
        }
        RoundShare share = owner.newShare(plan);
        long fetchNs = 0;
        long fetchCpu = 0;
        long addNs = 0;
        long addCpu = 0;
        for (int k = 0; k < refs.size(); k++) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            float[] d = models.getDelta(refs.get(k), length);
            int bad = 0;
            for (float v : d) {
                bad += Float.isFinite(v) ? 0 : 1;
            }
            if (bad > 0) {
                throw new IllegalStateException("non-finite delta");
            }
            long t1 = System.nanoTime();
            long c1 = THREADS.getCurrentThreadCpuTime();
            share.add(new ClientUpdate(plan.clients().get(k), 0, d, 10, 1, false, 0));
            fetchNs += t1 - t0;
            fetchCpu += c1 - c0;
            addNs += System.nanoTime() - t1;
            addCpu += THREADS.getCurrentThreadCpuTime() - c1;
        }
        long t0 = System.nanoTime();
        ObjectRef stored = models.putShare(namespace, "bench", 0, share);
        long t1 = System.nanoTime();
        RoundShare read = models.getShare(stored);
        long t2 = System.nanoTime();
        owner.addShare(plan, read);
        long t3 = System.nanoTime();
        models.deleteDeltas(namespace, 0);
        int n = refs.size();
        return new Row(preset.name(), length, n, 4.0 * length / 1e6, fetchNs / 1e6 / n, fetchCpu / 1e6 / n,
                addNs / 1e6 / n, addCpu / 1e6 / n, stored.size() / 1e6, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                (t3 - t2) / 1e9);
    }

    private static void append(Path csv, String line) throws java.io.IOException {
        if (!Files.exists(csv)) {
            Files.writeString(csv, "date,commit,preset,critic_weights,updates,delta_mb,fetch_ms,fetch_cpu_ms,add_ms,"
                    + "add_cpu_ms,share_mb,put_share_s,get_share_s,owner_add_s\n");
        }
        Files.writeString(csv, line + "\n", StandardOpenOption.APPEND);
    }
}
