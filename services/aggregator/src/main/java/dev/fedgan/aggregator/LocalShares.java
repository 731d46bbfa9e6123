package dev.fedgan.aggregator;

import dev.fedgan.core.gan.RoundShare;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares summed by this replica for runs it owns itself: handed over in memory instead of through the object store
 * (a share is 16 bytes per critic weight, four times a delta). Their announcement still goes through
 * {@code round-shares}, so the owner counts them by the same rules as any other. Were this replica to die, the
 * shares would go with the round, which its next owner redraws.
 */
@ApplicationScoped
public class LocalShares {

    private final Map<String, RoundShare> held = new ConcurrentHashMap<>();

    private static String key(String namespace, String plan, int partition) {
        return namespace + "/" + plan + "/" + partition;
    }

    void put(String namespace, String plan, int partition, RoundShare share) {
        held.put(key(namespace, plan, partition), share);
    }

    /** The share held for the plan's partition, removed; null if none is. */
    RoundShare take(String namespace, String plan, int partition) {
        return held.remove(key(namespace, plan, partition));
    }

    /** Drops every share held of {@code namespace}'s rounds up to {@code round} (0-based): they can no longer count. */
    void dropThrough(String namespace, int round) {
        held.entrySet().removeIf(e -> e.getKey().startsWith(namespace + "/") && e.getValue().round() <= round);
    }
}
