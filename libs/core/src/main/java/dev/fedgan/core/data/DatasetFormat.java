package dev.fedgan.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The federated data formats fedgan reads, and their detection from a file's first bytes. */
public enum DatasetFormat {
    /** TFF Federated EMNIST HDF5: {@code examples/<writer>/{pixels,label}}. */
    TFF_HDF5("TFF Federated EMNIST (HDF5)"),
    /** LEAF FEMNIST JSON: {@code users, num_samples, user_data{x,y}}; a file or a directory of them. */
    LEAF_JSON("LEAF FEMNIST (JSON)"),
    /** IDX image + label files (raw or gzip): MNIST, EMNIST, Fashion-MNIST; no writer ids. */
    IDX("IDX images + labels (MNIST-style)"),
    /** The 10,000 MNIST digits shipped inside fedgan (IDX inside the jar). */
    BUNDLED("bundled MNIST digits (IDX)");

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private final String description;

    DatasetFormat(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Detects the format of a file or directory from its content, never from its name alone. */
    public static DatasetFormat detect(Path path) {
        if (!Files.exists(path)) {
            throw new DatasetException(path.toString(), null, "no such file or directory");
        }
        if (Files.isDirectory(path)) {
            return LEAF_JSON;
        }
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new DatasetException(path.toString(), null, "cannot read: " + e.getMessage(), e);
        }
        if (n == 8 && Arrays.equals(head, HDF5_SIGNATURE)) {
            return TFF_HDF5;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return IDX; // gzip: only IDX files are read compressed
        }
        if (n >= 4 && head[0] == 0 && head[1] == 0 && (head[2] == 0x08)) {
            return IDX;
        }
        for (int i = 0; i < n; i++) {
            if (!Character.isWhitespace(head[i])) {
                if (head[i] == '{') {
                    return LEAF_JSON;
                }
                break;
            }
        }
        throw new DatasetException(path.toString(), null, "unrecognised format (first bytes "
                + hex(head, n) + "); expected TFF HDF5, LEAF JSON or an IDX file");
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
