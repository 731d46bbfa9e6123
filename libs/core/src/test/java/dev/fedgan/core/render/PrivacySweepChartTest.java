package dev.fedgan.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sweep's picture puts each GAN's mean pixel at its ε and the verdict above it, in ε order. */
class PrivacySweepChartTest {

    private static boolean near(int rgb, Color c) {
        Color p = new Color(rgb);
        return Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
                + Math.abs(p.getBlue() - c.getBlue()) < 60;
    }

    private static int count(BufferedImage img, int x0, int y0, int x1, int y1, Color c) {
        int n = 0;
        for (int y = Math.max(0, y0); y < Math.min(img.getHeight(), y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x1); x++) {
                n += near(img.getRGB(x, y), c) ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void eachGansMeanPixelSitsAtItsEpsilonUnderItsVerdict() throws Exception {
        List<PrivacySweepChart.Point> points = List.of(
                new PrivacySweepChart.Point(Double.POSITIVE_INFINITY, 0.6, -0.6, 2.5, 2.6, 60, 50, "right"),
                new PrivacySweepChart.Point(1, -0.5, -0.45, 1.1, 1.2, 190, 180, "inconclusive"),
                new PrivacySweepChart.Point(10, 0.4, -0.35, 1.8, 2.0, 114, 100, "right"));
        BufferedImage img = PrivacySweepChart.draw("test", points, 0.21, -0.43);
        Path dir = Path.of("target", "privacy-sweep-chart-test");
        Files.createDirectories(dir);
        ImageGrid.writePng(img, dir.resolve("sweep.png"));
        // The first panel's geometry, as the chart lays it out: ε 1, ε 10, ∞ left to right.
        LinePanel first = new LinePanel(80, 110, 960 - 80 - 30, 220, 3, true);
        double[] low = {-0.5, 0.4, 0.6};
        double[] high = {-0.45, -0.35, -0.6};
        for (int i = 0; i < 3; i++) {
            int x = first.x(i);
            assertTrue(count(img, x - 2, first.y(low[i], -1, 1) - 2, x + 3, first.y(low[i], -1, 1) + 3,
                    PrivacySweepChart.LOW) >= 9, "the low GAN's dot at position " + i);
            assertTrue(count(img, x - 2, first.y(high[i], -1, 1) - 2, x + 3, first.y(high[i], -1, 1) + 3,
                    PrivacySweepChart.HIGH) >= 9, "the high GAN's dot at position " + i);
        }
        // The verdict row: inconclusive (red) over ε 1, right (green) over ε 10 and ∞.
        assertTrue(count(img, first.x(0) - 40, 48, first.x(0) + 40, 66, PrivacySweepChart.LOW) > 10);
        assertEquals(0, count(img, first.x(0) - 40, 48, first.x(0) + 40, 66, PrivacySweepChart.RIGHT));
        for (int i = 1; i < 3; i++) {
            assertTrue(count(img, first.x(i) - 25, 48, first.x(i) + 25, 66, PrivacySweepChart.RIGHT) > 10);
            assertEquals(0, count(img, first.x(i) - 25, 48, first.x(i) + 25, 66, PrivacySweepChart.LOW));
        }
        assertEquals("\u03b5 3", PrivacySweepChart.label(3));
        assertEquals("\u221e (no noise)", PrivacySweepChart.label(Double.POSITIVE_INFINITY));
    }
}
