package dev.fedgan.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A client's colour images as bytes: read back equal, and every kind of damage named with where it is. */
class ColourImageFileTest {

    @Test
    void readsBackEqualWithAttributesAndClients() {
        ColourImages shapes = ColourPartition.evenly(ColourShapes.generate(6, 1, 8, 2), 2, 2);
        ColourImages back = ColourImageFile.read(ColourImageFile.write(shapes), "x");
        assertArrayEquals(shapes.pixels(), back.pixels());
        assertArrayEquals(shapes.files(), back.files());
        assertArrayEquals(shapes.clients(), back.clients());
        assertEquals(shapes.attributeNames(), back.attributeNames());
        assertTrue(Arrays.deepEquals(shapes.attributes(), back.attributes()));
        assertEquals(shapes.fingerprint(), back.fingerprint());
        assertEquals(shapes.side(), back.side());
    }

    @Test
    void damageIsNamedWithWhereItIs() {
        byte[] good = ColourImageFile.write(ColourShapes.generate(2, 1, 8, 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ColourImageFile.read(new byte[] {1, 2, 3},
                "k1")).getMessage().startsWith("k1: not a fedgan colour image file"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ColourImageFile.read(Arrays.copyOf(good,
                good.length - 3), "k2")).getMessage().startsWith("k2: a colour image file cut short"));
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ColourImageFile.read(longer, "k3"))
                .getMessage().contains("bytes after the end"));
        byte[] nan = good.clone();
        int firstPixel = indexOfPixels(good);
        ByteBuffer.wrap(nan).putFloat(firstPixel, Float.NaN);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ColourImageFile.read(nan, "k4")).getMessage()
                .contains("value NaN of image 0 is not in [-1, 1]"));
    }

    /** The first pixel's offset: after magic, version, name, fingerprint, side and count. */
    private static int indexOfPixels(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        int at = 8;
        for (int s = 0; s < 2; s++) { // two UTF strings: a 2-byte length each
            at += 2 + (buf.getShort(at) & 0xFFFF);
        }
        return at + 8;
    }
}
