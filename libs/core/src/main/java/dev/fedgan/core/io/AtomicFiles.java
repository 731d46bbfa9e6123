package dev.fedgan.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files written whole or not at all: a reader never sees half a PNG, JSON or report. */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes through {@code body} into a temporary sibling of {@code file}, then moves it into place. */
    public static void write(Path file, String kind, IoBody body) {
        if (file == null) {
            throw new IllegalArgumentException(kind + " file must not be null");
        }
        Path abs = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
            body.write(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write " + kind + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the failure above is what matters
                }
            }
        }
    }

    /** Writes the content into the temporary file. */
    @FunctionalInterface
    public interface IoBody {
        void write(Path tmp) throws IOException;
    }
}
