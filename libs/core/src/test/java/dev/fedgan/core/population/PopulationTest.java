package dev.fedgan.core.population;

import static dev.fedgan.core.measure.MeasurementTest.writer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.measure.Measurement;
import dev.fedgan.core.measure.WriterAccuracy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PopulationTest {

    @TempDir
    Path tmp;

    final Measurement m = new Measurement(List.of(
            writer("inv_low", 1, 10, true),      // 0.1
            writer("inv_edge", 5, 10, true),     // 0.5, exactly on the low threshold
            writer("norm_low", 4, 10, false),    // 0.4: a normal writer the classifier fails on
            writer("norm_mid", 8, 10, false),    // 0.8
            writer("norm_edge", 9, 10, false),   // 0.9, exactly on the high threshold
            writer("norm_top", 10, 10, false))); // 1.0

    @Test
    void byUserUsesStrictInequalitiesAndScoresPurity() {
        List<Population> pops = PopulationFilters.byUser(m, 0.5, 0.9);
        Population low = pops.get(0);
        Population high = pops.get(1);
        assertEquals("by_user/acc_lt0p5", low.path());
        assertEquals("by_user/acc_gt0p9", high.path());
        assertEquals(List.of("inv_low", "norm_low"), List.copyOf(low.inversion().keySet()), "0.5 is not < 0.5");
        assertEquals(List.of("norm_top"), List.copyOf(high.inversion().keySet()), "0.9 is not > 0.9");
        assertEquals(0.5, low.summary().precision(), 1e-12);  // 1 of 2 selected is inverted
        assertEquals(0.5, low.summary().recall(), 1e-12);     // 1 of 2 inverted writers found
        assertEquals(1.0, high.summary().precision(), 1e-12);
        assertEquals(0.25, high.summary().recall(), 1e-12);   // 1 of 4 normal writers
        assertEquals(20, low.summary().examples());
        assertEquals("inverted", low.summary().expected());
        assertEquals("normal", high.summary().expected());
    }

    @Test
    void anEmptyPopulationCarriesAWarningInsteadOfAPrecision() {
        Population high = PopulationFilters.byUser(m, 0.5, 1.0).get(1);
        assertEquals(0, high.summary().writers());
        assertNull(high.summary().precision());
        assertNotNull(high.summary().warning());
        assertTrue(high.summary().warning().contains("accuracy > 1.0"), high.summary().warning());
    }

    @Test
    void byExampleKeepsWritersWithEnoughMatchingExamples() {
        List<Population> pops = PopulationFilters.byExample(m, 5);
        Population correct = pops.get(0);
        Population incorrect = pops.get(1);
        assertEquals("by_example/min_num_examples_5/correct", correct.path());
        assertEquals(List.of("inv_edge", "norm_mid", "norm_edge", "norm_top"), List.copyOf(correct.inversion().keySet()));
        assertEquals(List.of("inv_low", "inv_edge", "norm_low"), List.copyOf(incorrect.inversion().keySet()));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, incorrect.exampleIndices().get("inv_low"));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, correct.exampleIndices().get("inv_edge"));
        assertEquals(9 + 5 + 6, incorrect.summary().examples());
        assertThrows(IllegalArgumentException.class, () -> PopulationFilters.byExample(m, 0));
    }

    @Test
    void thresholdTagsFollowTheReferenceNaming() {
        assertEquals("0p882", PopulationFilters.tag(0.882));
        assertEquals("0p939", PopulationFilters.tag(0.939));
        assertEquals("1p0", PopulationFilters.tag(1.0));
        assertEquals("0p8826", PopulationFilters.tag(0.88255102));
        for (double bad : new double[] {-0.1, 1.01, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> PopulationFilters.byUser(m, bad, 0.9));
        }
    }

    @Test
    void csvFilesAreByteForByteWhatPythonsCsvWriterProduces() throws Exception {
        Population incorrect = PopulationFilters.byExample(m, 5).get(1);
        Path dir = PopulationFiles.write(tmp, incorrect);
        assertEquals(tmp.resolve("by_example/min_num_examples_5/incorrect"), dir);
        assertEquals("inv_low,True\r\ninv_edge,True\r\nnorm_low,False\r\n", Files.readString(dir.resolve("client_ids.csv")));
        assertEquals("inv_low,\"[1, 2, 3, 4, 5, 6, 7, 8, 9]\"\r\ninv_edge,\"[5, 6, 7, 8, 9]\"\r\nnorm_low,\"[4, 5, 6, 7, 8, 9]\"\r\n",
                Files.readString(dir.resolve("example_indices_map.csv")));
        Population back = PopulationFiles.read(dir);
        assertEquals(incorrect.inversion(), back.inversion());
        assertArrayEquals(incorrect.exampleIndices().get("inv_edge"), back.exampleIndices().get("inv_edge"));
        assertEquals(incorrect.summary(), back.summary());
    }

    @Test
    void readsReferenceStyleFilesWithUnixLineEndsAndRejectsBadRows() throws Exception {
        Path ref = Files.createDirectories(tmp.resolve("acc_lt0p882"));
        Files.writeString(ref.resolve("client_ids.csv"), "f0000_14,True\nf0001_41,False\n");
        Population p = PopulationFiles.read(ref);
        Map<String, Boolean> expected = new LinkedHashMap<>();
        expected.put("f0000_14", true);
        expected.put("f0001_41", false);
        assertEquals(expected, p.inversion());
        assertNull(p.exampleIndices());

        Files.writeString(ref.resolve("client_ids.csv"), "f0000_14,True\r\nf0001_41,yes\r\n");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> PopulationFiles.read(ref));
        assertTrue(bad.getMessage().endsWith("client_ids.csv:2: inversion flag is 'yes', expected True or False"), bad.getMessage());

        Files.writeString(ref.resolve("client_ids.csv"), "a,True\r\nb,False\r\n");
        Files.writeString(ref.resolve("example_indices_map.csv"), "a,\"[0, 2]\"\r\nc,\"[1]\"\r\n");
        IllegalArgumentException keys = assertThrows(IllegalArgumentException.class, () -> PopulationFiles.read(ref));
        assertTrue(keys.getMessage().contains("list different client ids"), keys.getMessage());

        Files.writeString(ref.resolve("example_indices_map.csv"), "a,\"[0, x]\"\r\nb,\"[]\"\r\n");
        IllegalArgumentException idx = assertThrows(IllegalArgumentException.class, () -> PopulationFiles.read(ref));
        assertTrue(idx.getMessage().contains("example_indices_map.csv:1: index list '[0, x]' has a non-integer entry"), idx.getMessage());
    }

    @Test
    void quotingFollowsQuoteMinimal() {
        assertEquals("plain", PopulationCsv.field("plain"));
        assertEquals("\"a,b\"", PopulationCsv.field("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", PopulationCsv.field("say \"hi\""));
        WriterAccuracy w = writer("x", 1, 1, false);
        assertEquals(1.0, w.accuracy());
    }
}
