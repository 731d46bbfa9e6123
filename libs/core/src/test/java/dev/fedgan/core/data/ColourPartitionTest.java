package dev.fedgan.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Dirichlet partition of colour images: sizes, every image once, and how alpha skews the clients' kinds. */
class ColourPartitionTest {

    private static final ColourImages SHAPES = ColourShapes.generate(600, 1, 16, 5);
    private static final List<String> BY_SHAPE = List.of("circle", "square");

    /** The mean over clients of the share of each client's most frequent shape. */
    private static double meanTopShare(ColourImages d) {
        int circle = d.attributeNames().indexOf("circle");
        int square = d.attributeNames().indexOf("square");
        double sum = 0;
        for (String id : d.clientIds()) {
            int[] counts = new int[3];
            int[] own = d.imagesOf(id);
            for (int i : own) {
                byte[] a = d.attributes()[i];
                counts[a[circle] > 0 ? 0 : a[square] > 0 ? 1 : 2]++;
            }
            sum += (double) Arrays.stream(counts).max().getAsInt() / own.length;
        }
        return sum / d.clientIds().size();
    }

    @Test
    void everyImageGoesToOneOfClientsOfEqualSize() {
        ColourImages d = ColourPartition.dirichlet(SHAPES, 7, 0.3, BY_SHAPE, 1);
        assertEquals(7, d.clientIds().size());
        int total = 0;
        for (String id : d.clientIds()) {
            int n = d.imagesOf(id).length;
            assertTrue(n == 85 || n == 86, id + " has " + n);
            total += n;
        }
        assertEquals(600, total);
        assertEquals(Arrays.toString(d.clients()), Arrays.toString(ColourPartition.dirichlet(SHAPES, 7, 0.3, BY_SHAPE, 1)
                .clients()), "the same seed gives the same partition");
    }

    /**
     * Three shapes in equal numbers: i.i.d. clients of 60 have a top share near 1/3 (about 0.41), clients drawn at
     * alpha 0.05 are mostly of one shape.
     */
    @Test
    void aSmallAlphaGivesClientsOfOneKindALargeOneMixedClients() {
        double skewed = meanTopShare(ColourPartition.dirichlet(SHAPES, 10, 0.05, BY_SHAPE, 2));
        double mixed = meanTopShare(ColourPartition.dirichlet(SHAPES, 10, 1000, BY_SHAPE, 2));
        assertTrue(skewed > 0.8, "alpha 0.05: mean top share " + skewed);
        assertTrue(mixed < 0.5, "alpha 1000: mean top share " + mixed);
    }

    @Test
    void badParametersAreRejectedNamingWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ColourPartition.dirichlet(SHAPES, 3, 0.5, List.of("Male"), 1));
        assertTrue(e.getMessage().contains("'Male'") && e.getMessage().contains("circle"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ColourPartition.dirichlet(SHAPES, 3, 0, BY_SHAPE, 1));
        assertThrows(IllegalArgumentException.class, () -> ColourPartition.dirichlet(SHAPES, 601, 1, BY_SHAPE, 1));
        assertThrows(IllegalArgumentException.class, () -> ColourPartition.dirichlet(SHAPES, 3, 1, List.of(), 1));
    }
}
