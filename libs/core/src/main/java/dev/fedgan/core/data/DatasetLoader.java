package dev.fedgan.core.data;

import java.nio.file.Path;

/**
 * One entry point for every data source. A spec is {@code bundled}, {@code bundled:lab}, {@code bundled:field},
 * or a path to a TFF HDF5 file, a LEAF JSON file or directory, or an IDX image file (labels beside it).
 * The format is detected from the content. Data without writer ids is split by {@link WriterPartition}.
 */
public final class DatasetLoader {

    private DatasetLoader() {
    }

    /**
     * Checks a spec without loading the data: a known bundled part, or an existing file or directory whose format
     * is recognised from its first bytes. Cheap; for rejecting a request before any work starts.
     *
     * @throws DatasetException naming the spec and what is wrong with it
     */
    public static void check(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new DatasetException(null, null, "no data given");
        }
        if (bundledPart(spec) != null) {
            return;
        }
        Path path;
        try {
            path = Path.of(spec);
        } catch (java.nio.file.InvalidPathException e) {
            throw new DatasetException(spec, null, "not a valid path: " + e.getMessage(), e);
        }
        DatasetFormat.detect(path);
    }

    /**
     * The bundled part a spec names ({@code bundled} is all of it), or null if the spec is not a bundled one.
     *
     * @throws DatasetException for {@code bundled:} with an unknown part
     */
    private static BundledDigits.Part bundledPart(String spec) {
        if (!spec.equals(BundledDigits.SPEC) && !spec.startsWith(BundledDigits.SPEC + ":")) {
            return null;
        }
        String part = spec.equals(BundledDigits.SPEC) ? "all" : spec.substring(BundledDigits.SPEC.length() + 1);
        for (BundledDigits.Part p : BundledDigits.Part.values()) {
            if (p.name().equalsIgnoreCase(part)) {
                return p;
            }
        }
        throw new DatasetException(spec, null, "unknown part '" + part + "'; use bundled, bundled:lab or bundled:field");
    }

    public static FederatedDataset load(String spec, WriterPartition.Options partition) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no data given");
        }
        BundledDigits.Part bundled = bundledPart(spec);
        if (bundled != null) {
            return BundledDigits.load(bundled, partition);
        }
        Path path = Path.of(spec);
        return switch (DatasetFormat.detect(path)) {
            case TFF_HDF5 -> TffHdf5Reader.read(path);
            case LEAF_JSON -> LeafJsonReader.read(path);
            case IDX -> WriterPartition.partition(path.getFileName().toString(), DatasetFormat.IDX,
                    IdxReader.read(path, IdxReader.labelsFor(path)), partition);
            case BUNDLED -> throw new IllegalStateException("not a file format");
        };
    }
}
