package dev.fedgan.aggregator;

import dev.fedgan.core.io.Json;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The aggregator's {@link RunRecord}s in the object store, one per GAN under {@link ExperimentLayout#RUNS}: what a
 * restarted aggregator resumes from. The aggregator writes a record only after storing the checkpoint it names, so
 * that a record never names a checkpoint that is not there.
 */
@ApplicationScoped
public class RunRecords {

    private final ObjectStore objects;

    public RunRecords(ObjectStore objects) {
        this.objects = objects;
    }

    /** The keys of every stored record, finished runs included. */
    List<String> keys() {
        return objects.list(ExperimentLayout.RUNS);
    }

    /** The record of the GAN {@code namespace} ({@code <experiment>.<gan>}), or null if it has none. */
    RunRecord find(String namespace) {
        String key = ExperimentLayout.runRecord(namespace);
        return objects.exists(key) ? read(key) : null;
    }

    /** The record stored under {@code key}. */
    RunRecord read(String key) {
        try {
            return Json.MAPPER.readValue(objects.get(key), RunRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable run record " + objects.uri(key), e);
        }
    }

    /** Stores the record of the GAN {@code namespace}, replacing the previous one. */
    void write(String namespace, PopulationReady population, ObjectRef checkpoint, String lastRound,
            RunRecord.Outcome lastOutcome, boolean finished) {
        RunRecord r = new RunRecord(1, Messages.encode(population), checkpoint, lastRound, lastOutcome, finished);
        objects.put(ExperimentLayout.runRecord(namespace), Json.toString(r).getBytes(StandardCharsets.UTF_8),
                "application/json");
    }

    /** Where {@code key} is, for log lines. */
    String uri(String key) {
        return objects.uri(key);
    }
}
