package dev.fedgan.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BundledAndPartitionTest {

    @Test
    void bundledDigitsSplitIntoDisjointLabAndFieldOf100Writers() {
        FederatedDataset all = DatasetLoader.load("bundled", WriterPartition.Options.DEFAULT);
        FederatedDataset lab = DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT);
        FederatedDataset field = DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT);
        assertEquals(10_000, all.numExamples());
        long[] perClass = all.classCounts();
        assertArrayEquals(new long[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, perClass);
        assertEquals(6_000, lab.numExamples());
        assertEquals(4_000, field.numExamples());
        assertEquals(100, field.numWriters());
        assertEquals(10, field.numClasses());
        assertEquals(-0.74, field.meanPixel(), 0.03);
        // disjoint: no lab image appears in the field
        Set<Integer> labImages = new HashSet<>();
        for (WriterData w : lab.writers()) {
            for (int i = 0; i < w.size(); i++) {
                labImages.add(Arrays.hashCode(Arrays.copyOfRange(w.pixels(), i * 784, (i + 1) * 784)));
            }
        }
        int shared = 0;
        for (WriterData w : field.writers()) {
            for (int i = 0; i < w.size(); i++) {
                shared += labImages.contains(Arrays.hashCode(Arrays.copyOfRange(w.pixels(), i * 784, (i + 1) * 784))) ? 1 : 0;
            }
        }
        assertTrue(shared < 5, "lab and field share " + shared + " images (only exact duplicates in MNIST may)");
        assertEquals(field.fingerprint(), DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT).fingerprint(),
                "the bundled split is fixed");
    }

    @Test
    void partitionSizesAddUpRespectTheMinimumAndFollowTheSeed() {
        SplittableRandom rng = new SplittableRandom(5);
        int[] sizes = WriterPartition.sizes(4000, 100, 10, 0.5, rng);
        assertEquals(4000, Arrays.stream(sizes).sum());
        assertTrue(Arrays.stream(sizes).min().getAsInt() >= 10);
        assertTrue(Arrays.stream(sizes).max().getAsInt() > 70, "spread 0.5 gives some large writers");
        assertArrayEquals(new int[] {50, 50, 50}, WriterPartition.sizes(150, 3, 10, 0, rng));

        WriterPartition.Options a = new WriterPartition.Options(50, Double.POSITIVE_INFINITY, 0.5, 10, 1);
        WriterPartition.Options b = new WriterPartition.Options(50, Double.POSITIVE_INFINITY, 0.5, 10, 2);
        assertEquals(DatasetLoader.load("bundled:field", a).fingerprint(), DatasetLoader.load("bundled:field", a).fingerprint());
        assertNotEquals(DatasetLoader.load("bundled:field", a).fingerprint(), DatasetLoader.load("bundled:field", b).fingerprint());
    }

    @Test
    void labelSkewGivesWritersFewerClasses() {
        double iid = meanDistinctClasses(DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT));
        double skewed = meanDistinctClasses(DatasetLoader.load("bundled:field",
                new WriterPartition.Options(40, 0.1, 0.5, 10, 1)));
        assertTrue(iid > 8.5, "iid writers of ~40 digits see almost all 10 classes: " + iid);
        assertTrue(skewed < 5, "Dirichlet(0.1) writers concentrate on few classes: " + skewed);
    }

    @Test
    void absurdPartitionParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WriterPartition.Options(0, 1, 0.5, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new WriterPartition.Options(50, -1, 0.5, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new WriterPartition.Options(50, Double.NaN, 0.5, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new WriterPartition.Options(50, 1, 9, 10, 1));
    }

    private static double meanDistinctClasses(FederatedDataset d) {
        return d.writers().stream().mapToLong(w -> Arrays.stream(w.labels()).distinct().count()).average().orElse(0);
    }
}
