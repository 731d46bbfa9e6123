package dev.fedgan.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class GridSheetTest {

    /** The sheet keeps each grid's gray levels exactly, enlarged, in its row and column. */
    @Test
    void theGridSheetKeepsEachRowsGridsInPlace() {
        BufferedImage dark = ImageGrid.grid(new float[6 * 6 * 784], 6, 6);
        float[] ones = new float[6 * 6 * 784];
        java.util.Arrays.fill(ones, 1f);
        BufferedImage light = ImageGrid.grid(ones, 6, 6);
        BufferedImage sheet = GridSheet.draw("t", "low", "high", List.of(
                new GridSheet.Row("\u03b5 1", "wrong", dark, light), new GridSheet.Row("\u221e", null, light, dark)));
        int gw = 168 * GridSheet.SCALE + 2;
        int firstRow = 24 + 68;
        int leftX = 24 + 230;
        int rightX = leftX + gw + 24;
        // centre of each grid: row 1 dark | light, row 2 light | dark (values 0 → 127, 1 → 255)
        int c = 1 + 168 * GridSheet.SCALE / 2;
        assertEquals(127, ImageGrid.grayAt(sheet, leftX + c, firstRow + c));
        assertEquals(255, ImageGrid.grayAt(sheet, rightX + c, firstRow + c));
        assertEquals(255, ImageGrid.grayAt(sheet, leftX + c, firstRow + gw + 24 + c));
        assertEquals(127, ImageGrid.grayAt(sheet, rightX + c, firstRow + gw + 24 + c));
    }
}
