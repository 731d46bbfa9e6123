package dev.fedgan.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The accuracy histogram: threshold labels stay inside the picture wherever the thresholds are. */
class HistogramChartTest {

    private static int[] twoGroups() {
        int[] h = new int[100];
        for (int b = 0; b < 100; b++) {
            h[b] = b < 20 ? 3 : b > 85 ? 12 : 1;
        }
        return h;
    }

    /** Pixels clearly of the high threshold's green (the label's text and the dashed line, anti-aliased). */
    private static boolean green(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        return g > r + 40 && g > b + 40;
    }

    private static boolean red(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        return r > g + 60 && r > b + 60;
    }

    @Test
    void aHighThresholdNearOneKeepsItsLabelInsideTheImage() throws Exception {
        for (double high : new double[] {0.95, 0.99, 1.0}) {
            BufferedImage img = HistogramChart.draw(twoGroups(), 0.2, high, "accuracy per writer");
            Path dir = Path.of("target", "histogram-chart-test");
            Files.createDirectories(dir);
            ImageGrid.writePng(img, dir.resolve("high-" + high + ".png"));
            int line = HistogramChart.xOf(high, img.getWidth() - 100);
            int labelPixels = 0;
            for (int y = 0; y < img.getHeight(); y++) {
                // nothing green in the right margin beyond the line: the label was not cut off at the edge
                for (int x = line + 3; x < img.getWidth(); x++) {
                    assertTrue(!green(img.getRGB(x, y)), "high " + high + ": green at x " + x + ", y " + y);
                }
                for (int x = 0; x < line - 2; x++) {
                    labelPixels += green(img.getRGB(x, y)) ? 1 : 0;
                }
            }
            assertTrue(labelPixels > 30, "high " + high + ": the label is drawn left of its line: " + labelPixels);
        }
    }

    @Test
    void aLowThresholdNearZeroKeepsItsLabelInsideTheImage() {
        BufferedImage img = HistogramChart.draw(twoGroups(), 0.0, 0.9, "accuracy per writer");
        int line = HistogramChart.xOf(0.0, img.getWidth() - 100);
        int right = 0;
        for (int y = 0; y < 60; y++) {
            assertTrue(!red(img.getRGB(0, y)), "red in the leftmost column at y " + y);
            for (int x = line + 3; x < img.getWidth(); x++) {
                right += red(img.getRGB(x, y)) ? 1 : 0;
            }
        }
        assertTrue(right > 30, "the low label is drawn right of its line: " + right);
    }

    @Test
    void labelsSitBesideTheirLineAndInsideTheWidthForEveryThreshold() {
        int width = 960;
        int labelWidth = 80;
        for (int p = 0; p <= 1000; p++) {
            int line = HistogramChart.xOf(p / 1000.0, width - 100);
            for (boolean left : new boolean[] {true, false}) {
                int x = HistogramChart.labelX(line, labelWidth, left, width);
                assertTrue(x >= 2 && x + labelWidth <= width - 2, "threshold " + p / 1000.0 + ": label at " + x);
                assertTrue(x + labelWidth <= line - 4 || x >= line + 4, "the label covers its line at " + line);
            }
        }
        // Where it fits, the label sits where it always did: low on the left of its line, high on the right.
        assertEquals(500 - 4 - labelWidth, HistogramChart.labelX(500, labelWidth, true, width));
        assertEquals(504, HistogramChart.labelX(500, labelWidth, false, width));
    }
}
