package dev.fedgan.core.measure;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.progress.Progress;
import java.nio.file.Path;

/**
 * A measurement and the summary written with it: what {@code fedgan measure} does, and what {@code fedgan debug}
 * and the filter service do to simulate the devices of the private selection (written under {@code simulation/}).
 */
public record MeasurementRun(Measurement measurement, MeasurementFiles.Summary summary) {

    /**
     * Measures {@code classifier} on every writer of {@code field} with {@code bug} applied and writes all
     * measurement files ({@link MeasurementFiles#write}) into {@code out}.
     *
     * @param classifierName what the summary names as the classifier (a directory, an object URI)
     */
    public static MeasurementRun run(PrimaryClassifier classifier, String classifierName, FederatedDataset field,
                                     InversionBug bug, Path out, Progress progress) {
        long t0 = System.nanoTime();
        Measurement m = Misclassification.measure(classifier, field, bug, progress);
        MeasurementFiles.Summary s = MeasurementFiles.Summary.of(m, field.name(), field.fingerprint(), classifierName,
                bug.probability(), bug.seed(), (System.nanoTime() - t0) / 1e9);
        MeasurementFiles.write(out, m, s);
        return new MeasurementRun(m, s);
    }
}
