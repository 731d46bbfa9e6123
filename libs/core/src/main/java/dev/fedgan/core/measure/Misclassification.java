package dev.fedgan.core.measure;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures the primary classifier on every writer of the field data with the bug applied. All writers'
 * examples go through the classifier in large batches (the result per example is the same as one-by-one
 * classification, the reference's way, only faster).
 */
public final class Misclassification {

    /** Writers per inference chunk: bounds the memory of one chunk while keeping batches large. */
    private static final int CHUNK_EXAMPLES = 10 * PrimaryClassifier.INFERENCE_BATCH;

    private Misclassification() {
    }

    public static Measurement measure(PrimaryClassifier classifier, FederatedDataset field, InversionBug bug, Progress progress) {
        if (field.numClasses() != classifier.numClasses()) {
            throw new IllegalArgumentException("data " + field.name() + " has " + field.numClasses()
                    + " classes but the classifier has " + classifier.numClasses());
        }
        FederatedDataset buggy = bug.apply(field);
        List<WriterData> writers = buggy.writers();
        List<WriterAccuracy> out = new ArrayList<>(writers.size());
        progress.start("measuring writers", buggy.numExamples(), "examples");
        long correctSoFar = 0;
        long doneSoFar = 0;
        int next = 0;
        while (next < writers.size()) {
            int end = next;
            int examples = 0;
            while (end < writers.size() && (end == next || examples + writers.get(end).size() <= CHUNK_EXAMPLES)) {
                examples += writers.get(end++).size();
            }
            float[] chunk = new float[examples * WriterData.PIXELS];
            int at = 0;
            for (int w = next; w < end; w++) {
                float[] px = writers.get(w).pixels();
                System.arraycopy(px, 0, chunk, at, px.length);
                at += px.length;
            }
            int[] predicted = classifier.predict(chunk);
            int offset = 0;
            for (int w = next; w < end; w++) {
                WriterData wd = writers.get(w);
                boolean[] correct = new boolean[wd.size()];
                for (int i = 0; i < wd.size(); i++) {
                    correct[i] = predicted[offset + i] == wd.labels()[i];
                    correctSoFar += correct[i] ? 1 : 0;
                }
                offset += wd.size();
                out.add(new WriterAccuracy(wd.id(), correct, bug.affects(wd.id())));
            }
            doneSoFar += examples;
            progress.advance(examples, String.format(Locale.ROOT, "accuracy so far %.1f%%", 100.0 * correctSoFar / doneSoFar));
            next = end;
        }
        Measurement m = new Measurement(out);
        progress.finish(String.format(Locale.ROOT, "%d writers, overall accuracy %.2f%%, 25th/75th percentile %.3f/%.3f",
                out.size(), 100 * m.overallAccuracy(), m.lowThreshold(), m.highThreshold()));
        return m;
    }
}
