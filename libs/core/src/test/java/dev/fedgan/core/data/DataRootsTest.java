package dev.fedgan.core.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request's data only under the roots: neither {@code ..} nor a symbolic link climbs out. */
class DataRootsTest {

    @TempDir
    Path tmp;

    @Test
    void pathsOutsideTheRootsAreRefusedByName() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("datasets"));
        Files.writeString(root.resolve("users.json"), "{}");
        Path outside = Files.writeString(tmp.resolve("secret.txt"), "x");
        Files.createSymbolicLink(root.resolve("link"), outside);
        DataRoots roots = DataRoots.of(List.of(root.toString()));
        assertDoesNotThrow(() -> roots.check("data", root.resolve("users.json").toString()));
        assertDoesNotThrow(() -> roots.check("data", root.resolve("not-yet/there.h5").toString()));
        assertDoesNotThrow(() -> roots.check("data", "bundled:field"));
        assertDoesNotThrow(() -> roots.check("data", "shapes"));
        String m = assertThrows(IllegalArgumentException.class, () -> roots.check("data", "/etc/passwd")).getMessage();
        assertTrue(m.startsWith("data '/etc/passwd' is outside the data roots [" + root.toRealPath() + "]"), m);
        assertThrows(IllegalArgumentException.class, () -> roots.check("data", root + "/../secret.txt"));
        assertThrows(IllegalArgumentException.class, () -> roots.check("test_data", root.resolve("link").toString()),
                "a symbolic link out of the root");
        assertThrows(IllegalArgumentException.class, () -> DataRoots.of(List.of()).check("data", root.toString()),
                "no roots: no paths");
    }
}
