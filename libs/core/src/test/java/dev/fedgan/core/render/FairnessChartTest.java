package dev.fedgan.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dots sit where the accuracies and gaps put them, in the setting's colours. */
class FairnessChartTest {

    @Test
    void eachGroupsAccuracyAndTheGapAreDrawnAtTheirValues() {
        BufferedImage img = FairnessChart.draw("t", new String[] {"1.0", "0.9"}, "minority",
                List.of(new FairnessChart.Setting("DP", new double[] {0.9, 0.8}, new double[] {0.9, 0.5})));
        int dark = FairnessChart.colours(0)[0].getRGB();
        int light = FairnessChart.colours(0)[1].getRGB();
        // Panels: 890 wide from x 80, two padded positions at 80 + (i + 0.5) * 445.
        int x0 = 80 + 223;
        int x1 = 80 + 668;
        // Accuracy panel (top 70, height 300, 0-100%): 50% at y 220; the minority's dot over the majority's at 90%.
        assertEquals(light, img.getRGB(x1, 220));
        assertEquals(light, img.getRGB(x0, 100));
        assertEquals(dark, img.getRGB(x1, 370 - 240), "the majority's 80%");
        // Gap panel (top 450, height 300): gaps 0 and 30 points on 0-30 (steps of 6): the bottom and top lines.
        assertEquals(dark, img.getRGB(x0, 750));
        assertEquals(dark, img.getRGB(x1, 450));
    }

    @Test
    void theGapAxisTakesTheSmallestRoundStepThatCoversTheGapsWithZeroOnAGridLine() {
        assertEquals(6, FairnessChart.gridStep(0, 30), "0 to 30");
        assertEquals(30, FairnessChart.gridStep(-36.4, 83.5), "-60 to 90 (25 would reach 75 from -50)");
        assertEquals(2.5, FairnessChart.gridStep(-1.2, 9.9), "-2.5 to 10");
    }
}
