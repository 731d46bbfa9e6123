package dev.fedgan.core.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects writers as a reader decodes them, checks every value, maps pixels to the internal form and folds
 * labels; {@link #build} then fixes the number of classes. Shared by all readers so that every format gets the
 * same checks and the same error messages.
 */
final class DatasetAssembler {

    private final String source;
    private final PixelConvention convention;
    private final List<String> ids = new ArrayList<>();
    private final List<float[]> pixels = new ArrayList<>();
    private final List<int[]> labels = new ArrayList<>();
    private final Map<String, String> seenIn = new HashMap<>();
    private int maxLabel = -1;

    DatasetAssembler(String source, PixelConvention convention) {
        this.source = source;
        this.convention = convention;
    }

    /**
     * Adds one writer. {@code unitPixels} are the stored values scaled to [0, 1] (bytes / 255), row-major,
     * 784 per example; they are converted in place to the internal form.
     */
    void add(String where, String id, float[] unitPixels, long[] rawLabels) {
        String first = seenIn.putIfAbsent(id, where);
        if (first != null) {
            throw new DatasetException(where, id, "duplicate writer id" + (first.equals(where) ? "" : " (also in " + first + ")"));
        }
        if (rawLabels.length == 0) {
            throw new DatasetException(where, id, "writer has no examples");
        }
        if (unitPixels.length != rawLabels.length * WriterData.PIXELS) {
            throw new DatasetException(where, id, rawLabels.length + " labels but " + unitPixels.length
                    + " pixel values (expected " + rawLabels.length + " x 784)");
        }
        for (int i = 0; i < unitPixels.length; i++) {
            float v = unitPixels[i];
            if (!(v >= -1e-6f && v <= 1f + 1e-6f)) { // also false for NaN
                int ex = i / WriterData.PIXELS;
                int p = i % WriterData.PIXELS;
                throw new DatasetException(where, id, "pixel (" + p / WriterData.SIDE + "," + p % WriterData.SIDE
                        + ") of example " + ex + " is " + v + ", expected a finite value in [0, 1]");
            }
            unitPixels[i] = convention.toInternal(Math.min(1f, Math.max(0f, v)));
        }
        int[] folded = new int[rawLabels.length];
        for (int i = 0; i < rawLabels.length; i++) {
            folded[i] = Labels.fold(rawLabels[i], where, id, i);
            maxLabel = Math.max(maxLabel, folded[i]);
        }
        ids.add(id);
        pixels.add(unitPixels);
        labels.add(folded);
    }

    FederatedDataset build(String name, DatasetFormat format) {
        if (ids.isEmpty()) {
            throw new DatasetException(source, null, "contains no writers");
        }
        List<WriterData> writers = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            writers.add(new WriterData(ids.get(i), pixels.get(i), labels.get(i)));
        }
        return new FederatedDataset(name, source, format, convention, Labels.classesFor(maxLabel), writers);
    }
}
