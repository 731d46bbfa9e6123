package dev.fedgan.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting directory trees: checkpoints replaced, temporary work directories of the services. */
public final class FileTrees {

    private FileTrees() {
    }

    /** Deletes a file or directory tree; nothing if it does not exist. */
    public static void delete(Path p) throws IOException {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /** {@link #delete}, ignoring failures: for temporary directories, where one left behind is harmless. */
    public static void deleteQuietly(Path p) {
        try {
            delete(p);
        } catch (IOException | RuntimeException ignored) {
            // a temporary tree left behind is harmless
        }
    }
}
