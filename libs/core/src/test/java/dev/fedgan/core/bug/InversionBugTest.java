package dev.fedgan.core.bug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InversionBugTest {

    @Test
    void affectsAboutAFractionPOfWritersStablyById() {
        InversionBug bug = new InversionBug(0.3, 11);
        int hit = 0;
        for (int i = 0; i < 10_000; i++) {
            hit += bug.affects("writer_" + i) ? 1 : 0;
        }
        assertEquals(3000, hit, 150); // binomial sd ~46
        assertEquals(bug.affects("f0000_14"), new InversionBug(0.3, 11).affects("f0000_14"));
        assertEquals(0, countAffected(new InversionBug(0, 11)));
        assertEquals(1000, countAffected(new InversionBug(1, 11)));
    }

    @Test
    void invertedWritersHaveEveryPixelNegatedAndOthersAreUntouched() {
        FederatedDataset field = DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT);
        InversionBug bug = new InversionBug(0.5, 7);
        FederatedDataset buggy = bug.apply(field);
        Map<String, Boolean> truth = bug.groundTruth(field);
        int inverted = 0;
        for (WriterData w : field.writers()) {
            WriterData b = buggy.byId().get(w.id());
            boolean inv = truth.get(w.id());
            inverted += inv ? 1 : 0;
            for (int i = 0; i < w.pixels().length; i += 97) {
                assertEquals(inv ? -w.pixels()[i] : w.pixels()[i], b.pixels()[i], w.id());
            }
            assertEquals(inv, b.meanPixel() > 0, "polarity of " + w.id());
        }
        assertEquals(50, inverted, 15);
        assertSame(field, new InversionBug(0, 7).apply(field));
    }

    @Test
    void probabilityOutsideUnitIntervalIsRejected() {
        for (double p : List.of(-0.1, 1.5, Double.NaN)) {
            assertThrows(IllegalArgumentException.class, () -> new InversionBug(p, 1), "p = " + p);
        }
    }

    private static int countAffected(InversionBug bug) {
        int n = 0;
        for (int i = 0; i < 1000; i++) {
            n += bug.affects("w" + i) ? 1 : 0;
        }
        return n;
    }
}
