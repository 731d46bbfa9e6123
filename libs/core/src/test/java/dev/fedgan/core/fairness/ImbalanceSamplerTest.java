package dev.fedgan.core.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.dpsgd.Examples;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Training sets have exactly the asked share, draw from the right candidates and nest across shares. */
class ImbalanceSamplerTest {

    /** 100 one-pixel examples: example i has label i % 10 and pixel value i + 1 (so each is recognisable). */
    static Examples hundred() {
        float[] x = new float[100];
        int[] y = new int[100];
        for (int i = 0; i < 100; i++) {
            x[i] = i + 1;
            y[i] = i % 10;
        }
        return new Examples("hundred", "fp", new long[] {1, 1, 1}, x, y, 10);
    }

    @Test
    void aRareClassSetHasTheShareAndTheLargestSizeAllSharesAllow() {
        Examples train = hundred();
        MinorityGroup eight = MinorityGroup.parse("class:8");
        // 90 majority, 10 minority candidates: min(90/1, 90/.9, 10/.1, 90/.5, 10/.5) = 20.
        assertEquals(20, ImbalanceSampler.largestSize(eight, train, List.of(1.0, 0.9, 0.5)));
        Set<Float> minorityAt09 = new HashSet<>();
        for (double share : new double[] {0.95, 0.9, 0.5}) {
            ImbalanceSampler.TrainingSet s = ImbalanceSampler.sample(eight, train, share, 20, 3);
            int expectedMinority = 20 - (int) Math.round(share * 20);
            assertEquals(expectedMinority, s.minorityCount(), "share " + share);
            Set<Float> minority = new HashSet<>();
            for (int k = 0; k < 20; k++) {
                assertEquals(s.minority()[k], s.examples().labels()[k] == 8, "example " + k + " at share " + share);
                if (s.minority()[k]) {
                    minority.add(s.examples().features()[k]);
                }
            }
            if (share == 0.9) {
                minorityAt09 = minority;
            }
            if (share == 0.5) {
                assertTrue(minority.containsAll(minorityAt09), "the minority at 0.9 is among that at 0.5");
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImbalanceSampler.sample(eight, train, 0.5, 30, 3));
        assertEquals("the minority (class 8) group has 10 examples in hundred, but majority share 0.5 needs 15: choose"
                + " a smaller training set size", e.getMessage());
    }

    @Test
    void invertedExamplesAreNegatedAndNeverAlsoInTheMajority() {
        Examples train = hundred();
        MinorityGroup inverted = MinorityGroup.parse("inverted");
        assertEquals(100, ImbalanceSampler.largestSize(inverted, train, List.of(1.0, 0.5)));
        ImbalanceSampler.TrainingSet s = ImbalanceSampler.sample(inverted, train, 0.8, 100, 5);
        assertEquals(20, s.minorityCount());
        Set<Float> seen = new HashSet<>();
        for (int k = 0; k < 100; k++) {
            float v = s.examples().features()[k];
            assertEquals(s.minority()[k], v < 0, "the minority's pixels are negated: example " + k);
            assertTrue(seen.add(Math.abs(v)), "each image once");
            assertEquals(((int) Math.abs(v) - 1) % 10, s.examples().labels()[k], "labels travel with their images");
        }
        ImbalanceSampler.TrainingSet test = ImbalanceSampler.test(inverted, train);
        assertEquals(200, test.examples().size());
        assertEquals(-1f, test.examples().features()[100]);
        assertTrue(test.minority()[100] && !test.minority()[99]);
    }

    /** Writer i / 10 wrote example i: ten writers of ten examples. */
    static Examples hundredByTenWriters() {
        Examples h = hundred();
        String[] writers = new String[100];
        for (int i = 0; i < 100; i++) {
            writers[i] = "w" + i / 10;
        }
        return new Examples(h.name(), h.fingerprint(), h.shape(), h.features(), h.labels(), h.numClasses(), writers);
    }

    @Test
    void listedWritersAreTheMinorityInTrainingAndTest(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path list = tmp.resolve("client_ids.csv");
        java.nio.file.Files.writeString(list, "client_id\nw2,True\n\n# a comment\nw7,False\nw99\n");
        MinorityGroup listed = MinorityGroup.parse("writers:" + list);
        assertEquals(Set.of("w2", "w7", "w99"), ((MinorityGroup.ListedWriters) listed).ids());
        assertEquals("writers:" + list, listed.spec());
        Examples train = hundredByTenWriters();
        // 80 majority, 20 minority candidates: min(80/0.8, 20/0.2, 80/0.5, 20/0.5) = 40.
        assertEquals(40, ImbalanceSampler.largestSize(listed, train, List.of(0.8, 0.5)));
        ImbalanceSampler.TrainingSet s = ImbalanceSampler.sample(listed, train, 0.8, 40, 1);
        assertEquals(8, s.minorityCount());
        for (int k = 0; k < 40; k++) {
            int i = (int) s.examples().features()[k] - 1;
            assertEquals(s.minority()[k], i / 10 == 2 || i / 10 == 7, "example " + i + " of writer w" + i / 10);
            assertEquals("w" + i / 10, s.examples().writers()[k], "writers travel with their examples");
        }
        ImbalanceSampler.TrainingSet test = ImbalanceSampler.test(listed, train);
        assertEquals(20, java.util.stream.IntStream.range(0, 100).filter(i -> test.minority()[i]).count());
        assertTrue(test.minority()[25] && !test.minority()[35]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImbalanceSampler.test(listed, hundred()))
                .getMessage().contains("does not say who wrote its examples"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MinorityGroup.parse("writers:" + tmp
                .resolve("none.csv"))).getMessage().startsWith("cannot read the writer list"));
        java.nio.file.Files.writeString(list, "client_id\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MinorityGroup.parse("writers:" + list))
                .getMessage().endsWith("names no writer"));
    }

    @Test
    void writersWithAValueInAColumnAreTheMinority(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path table = tmp.resolve("users.csv");
        java.nio.file.Files.writeString(table, "writer_id,region,device\nw1,south,a\nw2,north,\"b, rev 2\"\n\n"
                + "w3,south,b\nw7, north ,a\nw8,\"north-east\",a\n");
        MinorityGroup north = MinorityGroup.parse("column:" + table + ":region=north");
        assertEquals(Set.of("w2", "w7"), ((MinorityGroup.WritersWhere) north).ids());
        assertEquals("column:" + table + ":region=north", north.spec());
        assertEquals(north, MinorityGroup.parse(north.spec()));
        assertEquals(Set.of("w2"), ((MinorityGroup.OfWriters) MinorityGroup.parse("column:" + table
                + ":device=b, rev 2")).ids(), "a quoted field with a comma");
        // The same sampling as a list of those writers: 80 majority and 20 minority candidates.
        ImbalanceSampler.TrainingSet s = ImbalanceSampler.sample(north, hundredByTenWriters(), 0.8, 40, 1);
        assertEquals(8, s.minorityCount());
        for (int k = 0; k < 40; k++) {
            int i = (int) s.examples().features()[k] - 1;
            assertEquals(s.minority()[k], i / 10 == 2 || i / 10 == 7, "example " + i + " of writer w" + i / 10);
        }
        assertTrue(ImbalanceSampler.test(north, hundredByTenWriters()).minority()[75]);

        String noColumn = assertThrows(IllegalArgumentException.class,
                () -> MinorityGroup.parse("column:" + table + ":country=fr")).getMessage();
        assertTrue(noColumn.contains("no column 'country'") && noColumn.contains("[writer_id, region, device]"),
                noColumn);
        String noValue = assertThrows(IllegalArgumentException.class,
                () -> MinorityGroup.parse("column:" + table + ":region=west")).getMessage();
        assertTrue(noValue.contains("region = 'west'") && noValue.contains("[north, north-east, south]"), noValue);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MinorityGroup.parse("column:" + table
                + ":region")).getMessage().contains("needs a file, a column name and a value"));
        java.nio.file.Files.writeString(table, "writer_id,region\nw1,south,extra\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MinorityGroup.parse("column:" + table
                + ":region=south")).getMessage().endsWith("row 2: 3 fields, the header has 2"));
    }

    @Test
    void badGroupsAndSharesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> MinorityGroup.parse("class:x"));
        assertThrows(IllegalArgumentException.class, () -> MinorityGroup.parse("left-handed"));
        assertThrows(IllegalArgumentException.class,
                () -> ImbalanceSampler.sample(new MinorityGroup.RareClass(12), hundred(), 0.9, 10, 1));
        assertThrows(IllegalArgumentException.class,
                () -> ImbalanceSampler.sample(new MinorityGroup.InvertedImages(), hundred(), 1.5, 10, 1));
    }
}
