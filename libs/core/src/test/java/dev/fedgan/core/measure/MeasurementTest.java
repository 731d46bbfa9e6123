package dev.fedgan.core.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class MeasurementTest {

    @TempDir
    Path tmp;

    public static WriterAccuracy writer(String id, int correct, int total, boolean inverted) {
        boolean[] c = new boolean[total];
        for (int i = 0; i < correct; i++) {
            c[i] = true;
        }
        return new WriterAccuracy(id, c, inverted);
    }

    @Test
    void histogramBinsAreExactIntegerFloorsWithPerfectWritersInTheLastBin() {
        // 29/100: floor(100 * 0.29) in floating point is 28; the reference's intent (and ours) is bin 29.
        Measurement m = new Measurement(List.of(writer("a", 29, 100, false), writer("b", 100, 100, false),
                writer("c", 0, 7, true), writer("d", 99, 100, false), writer("e", 1, 3, true)));
        int[] h = m.histogram();
        assertEquals(1, h[29]);
        assertEquals(2, h[99], "1.0 and 0.99 both land in the last bin");
        assertEquals(1, h[0]);
        assertEquals(1, h[33]);
        assertEquals(5, java.util.Arrays.stream(h).sum());
    }

    @Test
    void percentilesInterpolateLinearlyLikeNumpy() {
        // numpy.percentile([0.1, 0.2, 0.3, 0.4, 1.0], [25, 75]) = [0.2, 0.4]
        assertEquals(0.2, Measurement.percentile(new double[] {0.1, 0.2, 0.3, 0.4, 1.0}, 25), 1e-12);
        assertEquals(0.4, Measurement.percentile(new double[] {0.1, 0.2, 0.3, 0.4, 1.0}, 75), 1e-12);
        // numpy.percentile([1, 2, 3, 4], [25, 75]) = [1.75, 3.25]
        assertEquals(1.75, Measurement.percentile(new double[] {1, 2, 3, 4}, 25), 1e-12);
        assertEquals(3.25, Measurement.percentile(new double[] {1, 2, 3, 4}, 75), 1e-12);
        assertEquals(7, Measurement.percentile(new double[] {7}, 25));
        assertThrows(IllegalArgumentException.class, () -> Measurement.percentile(new double[] {1}, 101));
    }

    @Test
    void overallAccuracyCountsExamplesNotWriters() {
        Measurement m = new Measurement(List.of(writer("a", 9, 10, false), writer("b", 0, 90, true)));
        assertEquals(0.09, m.overallAccuracy(), 1e-12);
        assertEquals(0.45, (m.writers().get(0).accuracy() + m.writers().get(1).accuracy()) / 2, 1e-12);
    }

    @Test
    void filesRoundTripAndCorruptRowsAreNamed() throws Exception {
        List<WriterAccuracy> ws = new ArrayList<>();
        ws.add(new WriterAccuracy("f0000_14", new boolean[] {true, false, true}, true));
        ws.add(writer("f0001_15", 4, 5, false));
        Measurement m = new Measurement(ws);
        MeasurementFiles.write(tmp, m, MeasurementFiles.Summary.of(m, "test", "sha256:x", "clf", 0.5, 7, 0.1));
        List<String> lines = Files.readAllLines(tmp.resolve(MeasurementFiles.PER_WRITER));
        assertEquals("f0000_14,3,2,0.666667,True,101", lines.get(1));
        Measurement back = MeasurementFiles.read(tmp);
        assertArrayEquals(ws.get(0).correct(), back.writers().get(0).correct());
        assertEquals(m.overallAccuracy(), back.overallAccuracy());
        assertEquals("f0000_14,True\r\nf0001_15,False\r\n", Files.readString(tmp.resolve(MeasurementFiles.GROUND_TRUTH)));
        assertTrue(Files.size(tmp.resolve(MeasurementFiles.HISTOGRAM_PNG)) > 1000);

        Files.writeString(tmp.resolve(MeasurementFiles.PER_WRITER), MeasurementFiles.HEADER + "\nw,3,3,1.0,True,1x1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MeasurementFiles.read(tmp));
        assertTrue(e.getMessage().contains(":2: correct_mask may hold only 0 and 1"), e.getMessage());
    }
}
