package dev.fedgan.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a request's data may come from on the services: the bundled data sets, the generated shapes, or a path under
 * one of the configured roots. Any Kafka producer can write a request, so without this a request could make the
 * filter read any file on its pod. A path is compared after {@code ..} and symbolic links are resolved, so neither
 * climbs out of a root.
 */
public record DataRoots(List<Path> roots) {

    public DataRoots {
        List<Path> real = new ArrayList<>();
        for (Path r : roots) {
            real.add(resolved(r));
        }
        roots = List.copyOf(real);
    }

    /** The roots named by a configuration's strings. */
    public static DataRoots of(List<String> roots) {
        return new DataRoots(roots.stream().filter(s -> !s.isBlank()).map(Path::of).toList());
    }

    /**
     * @param field what the reference is (a request's field), for the error
     * @throws IllegalArgumentException naming the field, the reference and the roots, if it is a path outside them
     */
    public void check(String field, String reference) {
        if (reference == null || reference.startsWith("bundled:") || reference.equals("shapes")) {
            return;
        }
        Path p = resolved(Path.of(reference));
        for (Path r : roots) {
            if (p.startsWith(r)) {
                return;
            }
        }
        throw new IllegalArgumentException(field + " '" + reference + "' is outside the data roots " + roots
                + ": the services read data only under fedgan.data.roots, bundled:*, or shapes");
    }

    /** Absolute, normalised, and with symbolic links resolved as far as the path exists. */
    private static Path resolved(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }
}
