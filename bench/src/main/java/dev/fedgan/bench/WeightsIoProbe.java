package dev.fedgan.bench;

import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.NetworkWeights;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The weights' file format at the reference preset (a generator of 53 MB, a critic of 26 MB): {@link NetworkWeights#write}
 * into memory as the object store's puts do, SHA-256 of the bytes, and {@link NetworkWeights#read} with its layout and
 * finite checks, as a client-update loads a round's broadcast. 15 repetitions, the last 3 printed. Run:
 * {@code bench/run.sh --main dev.fedgan.bench.WeightsIoProbe}; results in bench/results/changes.csv.
 */
public final class WeightsIoProbe {

    public static void main(String[] args) throws Exception {
        NetworkWeights g = GanNetworks.initialGenerator(GanPreset.REFERENCE, 1);
        NetworkWeights c = GanNetworks.initialCritic(GanPreset.REFERENCE, 2);
        for (int rep = 0; rep < 15; rep++) {
            for (NetworkWeights w : new NetworkWeights[] {g, c}) {
                long t0 = System.nanoTime();
                ByteArrayOutputStream out = new ByteArrayOutputStream(Math.toIntExact(4 * w.length() + 64 * 1024));
                w.write(out);
                byte[] bytes = out.toByteArray();
                long t1 = System.nanoTime();
                MessageDigest.getInstance("SHA-256").digest(bytes);
                long t2 = System.nanoTime();
                NetworkWeights.read(new ByteArrayInputStream(bytes), w, "probe");
                long t3 = System.nanoTime();
                if (rep >= 12) {
                    System.out.printf(Locale.ROOT, "%s, %d bytes: write %.3f s, sha256 %.3f s, read %.3f s%n",
                            w == g ? "generator" : "critic", bytes.length, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                            (t3 - t2) / 1e9);
                }
            }
        }
    }
}
