package dev.fedgan.core.gan;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients' own data in a simulation: what a phone would hold. A client-update worker names the dataset, the
 * bug and the client; the dataset is loaded once per spec and kept, and the bug is applied to that one writer.
 */
public final class SimulatedClients {

    private static final Map<String, FederatedDataset> LOADED = new ConcurrentHashMap<>();

    private SimulatedClients() {
    }

    /** Client {@code clientId}'s examples in dataset {@code spec}, inverted if the bug affects the writer. */
    public static WriterData client(String spec, InversionBug bug, String clientId) {
        FederatedDataset data = LOADED.computeIfAbsent(spec, s -> DatasetLoader.load(s, WriterPartition.Options.DEFAULT));
        WriterData w = data.byId().get(clientId);
        if (w == null) {
            throw new IllegalArgumentException("client " + clientId + " is not in dataset " + spec
                    + " (" + data.numWriters() + " writers)");
        }
        return bug.affects(clientId) ? w.inverted() : w;
    }
}
