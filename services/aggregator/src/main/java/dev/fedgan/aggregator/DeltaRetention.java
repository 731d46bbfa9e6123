package dev.fedgan.aggregator;

import dev.fedgan.modelstore.ModelStore;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Deletes the client deltas of finished rounds in the background, on a thread of its own so that no round waits for
 * it. The deltas are the unnoised per-client updates that differential privacy protects, so they are not kept once
 * no restart reads them again (docs/storage.md, Retention). How many were deleted is logged at DEBUG, not exported:
 * it is the number of clients that answered (metrics are released, docs/privacy.md).
 */
@Singleton
public class DeltaRetention {

    private static final Logger LOG = Logger.getLogger(DeltaRetention.class);

    private final ModelStore models;
    private final ExecutorService deletion = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fedgan-delta-deletion");
        t.setDaemon(true);
        return t;
    });

    public DeltaRetention(ModelStore models) {
        this.models = models;
    }

    /**
     * Deletes the client deltas of the GAN {@code namespace} through {@code round} (0-based, as the deltas' keys
     * count) in the background. Call it once the round's checkpoint and run record are stored. A failure is logged;
     * the next round's deletion takes what this one left.
     */
    void deleteThrough(String namespace, int round) {
        deletion.execute(() -> {
            try {
                int deleted = models.deleteDeltas(namespace, round);
                LOG.debugf("%s: %d client deltas through round %d deleted", namespace, deleted, round + 1);
            } catch (RuntimeException e) {
                LOG.warnf("%s: deleting the client deltas through round %d failed (the next round's deletion retries):"
                        + " %s", namespace, round + 1, e.getMessage());
            }
        });
    }
}
