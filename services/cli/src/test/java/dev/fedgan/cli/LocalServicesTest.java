package dev.fedgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The local stack's sizing of service JVMs. */
class LocalServicesTest {

    @Test
    void readsJvmMemorySizes() {
        assertEquals(1L << 30, LocalServices.parseBytes("1g"));
        assertEquals(3L << 30, LocalServices.parseBytes("3G"));
        assertEquals(512L << 20, LocalServices.parseBytes("512m"));
        assertEquals(1048576L, LocalServices.parseBytes("1048576"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalServices.parseBytes("2 GB"));
        assertTrue(e.getMessage().contains("'2 GB'"), e.getMessage());
    }

    @Test
    void nativesGetRoomBeyondTheHeap() {
        // A reference-preset client-update holds about 2.5 GB of natives beside its heap (docs/benchmarks.md).
        assertTrue(LocalServices.NATIVE_MEMORY >= 5L << 29);
    }
}
