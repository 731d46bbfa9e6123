package dev.fedgan.imagerender;

import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.gan.GanEvaluator;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.ObjectRef;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The {@link GanEvaluator} of each GAN, built as the one-JVM run builds it (same fixed noise, classifier and real
 * images: the classifier's lab data, not the users'), with the classifiers and real images shared by the GANs that
 * use the same ones: both GANs of an experiment are judged by one classifier against one set of real images,
 * loaded once.
 *
 * <p>What cannot be loaded only drops the metrics that need it (classifier score, FCD), as in the one-JVM run
 * without a classifier: the grids and the mean pixel are still drawn. Not thread-safe: used on the compute thread.
 */
final class Evaluators {

    private static final Logger LOG = Logger.getLogger(Evaluators.class);

    private final ModelStore models;
    private final Map<String, PrimaryClassifier> classifiers = new HashMap<>();
    private final Map<String, float[]> realImages = new HashMap<>();

    Evaluators(ModelStore models) {
        this.models = models;
    }

    /** The GAN's evaluator, built on first use. */
    GanEvaluator of(RenderedGan gan) {
        if (gan.evaluator == null) {
            ExperimentRequest q = gan.population.request();
            PrimaryClassifier classifier = null;
            float[] real = null;
            if (q.classifier() != null) {
                try {
                    classifier = classifiers.computeIfAbsent(q.classifier().sha256(), k -> models.getClassifier(q.classifier()));
                } catch (RuntimeException e) {
                    LOG.warnf("experiment=%s gan=%s: classifier %s unusable (%s); no classifier score or FCD",
                            gan.experiment(), gan.name(), q.classifier().uri(), e.getMessage());
                }
                if (classifier != null) {
                    String lab = q.trainDataOrDefault();
                    try {
                        real = realImages.computeIfAbsent(lab, GanEvaluator::labImages);
                    } catch (RuntimeException e) {
                        LOG.warnf("experiment=%s gan=%s: the lab data %s is not readable here (%s); no FCD",
                                gan.experiment(), gan.name(), lab, e.getMessage());
                    }
                }
            } else {
                LOG.infof("experiment=%s gan=%s: no classifier in the request; no classifier score or FCD",
                        gan.experiment(), gan.name());
            }
            gan.evaluator = new GanEvaluator(gan.config.preset(), gan.config.seed(), classifier, real);
        }
        return gan.evaluator;
    }

    /** The classifier already loaded for this reference, null if none was. */
    PrimaryClassifier loaded(ObjectRef classifier) {
        return classifier == null ? null : classifiers.get(classifier.sha256());
    }
}
