package dev.fedgan.aggregator;

import dev.fedgan.modelstore.ModelStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Deletes the client deltas of finished rounds in the background, on a thread of its own so that no round waits for
 * it, counting them as {@code fedgan_deltas_deleted_total}. The deltas are the unnoised
 * per-client updates that differential privacy protects, so they are not kept once no restart reads them again
 * (docs/storage.md, Retention). A singleton, so that the counter is exported from start-up.
 */
@Singleton
public class DeltaRetention {

    private static final Logger LOG = Logger.getLogger(DeltaRetention.class);

    private final ModelStore models;
    private final Counter deltasDeleted;
    private final ExecutorService deletion = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fedgan-delta-deletion");
        t.setDaemon(true);
        return t;
    });

    public DeltaRetention(ModelStore models, MeterRegistry registry) {
        this.models = models;
        deltasDeleted = Counter.builder("fedgan.deltas.deleted")
                .description("Client deltas deleted from the object store once their round was checkpointed")
                .register(registry);
    }

    /**
     * Deletes the client deltas of the GAN {@code namespace} through {@code round} (0-based, as the deltas' keys
     * count) in the background. Call it once the round's checkpoint and run record are stored. A failure is logged;
     * the next round's deletion takes what this one left.
     */
    void deleteThrough(String namespace, int round) {
        deletion.execute(() -> {
            try {
                deltasDeleted.increment(models.deleteDeltas(namespace, round));
            } catch (RuntimeException e) {
                LOG.warnf("%s: deleting the client deltas through round %d failed (the next round's deletion retries):"
                        + " %s", namespace, round + 1, e.getMessage());
            }
        });
    }
}
