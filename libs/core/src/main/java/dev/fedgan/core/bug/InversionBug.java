package dev.fedgan.core.bug;

import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The reference bug (section 1 step 2): each writer is independently "updated" with probability p, and every
 * image of an updated writer is inverted (multiplied by -1 after preprocessing). Each writer's draw depends only
 * on (seed, writer id), so the same writer gets the same fate in any subset or order of the data.
 *
 * @param probability p, the chance that a writer has the bug
 * @param seed        the draw's seed
 */
public record InversionBug(double probability, long seed) {

    public InversionBug {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("inversion probability must be in [0, 1], got " + probability);
        }
    }

    /** Whether this writer's images are inverted. */
    public boolean affects(String writerId) {
        if (probability == 0) {
            return false;
        }
        long h = seed;
        for (byte b : writerId.getBytes(StandardCharsets.UTF_8)) {
            h = h * 0x100000001B3L ^ (b & 0xff);
        }
        return new SplittableRandom(h).nextDouble() < probability;
    }

    /** The ground truth: writer id to inverted, in id order. For evaluation only, never for filtering. */
    public Map<String, Boolean> groundTruth(FederatedDataset data) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (WriterData w : data.writers()) {
            m.put(w.id(), affects(w.id()));
        }
        return m;
    }

    /** The data as the phones see it after the app update. */
    public FederatedDataset apply(FederatedDataset data) {
        if (probability == 0) {
            return data;
        }
        return data.mapWriters(data.name() + "+bug", w -> affects(w.id()) ? w.inverted() : w);
    }
}
