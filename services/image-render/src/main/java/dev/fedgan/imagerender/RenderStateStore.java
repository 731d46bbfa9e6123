package dev.fedgan.imagerender;

import dev.fedgan.core.io.Json;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The renderer's own state in the object store, under {@code experiments/<id>/render/<gan>/}: the population
 * message ({@code population.json}), the {@link GanState} ({@code state.json}), and the rounds announced before
 * their population was known ({@code pending/}). Everything a renderer needs to go on after a restart is here,
 * none of it in memory only.
 */
final class RenderStateStore {

    static final String POPULATION = "population.json";
    static final String STATE = "state.json";

    /** State written by a newer renderer may carry fields this one does not know: they are ignored, not fatal. */

    private final ObjectStore objects;

    RenderStateStore(ObjectStore objects) {
        this.objects = objects;
    }

    /** Keeps a population message as received, so the GAN is known again after a restart. */
    void putPopulation(PopulationReady p, String json) {
        objects.put(ExperimentLayout.render(p.experimentId(), p.gan(), POPULATION), utf8(json), "application/json");
    }

    /** The stored population message of a GAN, null if none was received. */
    PopulationReady population(String experiment, String gan) {
        String k = ExperimentLayout.render(experiment, gan, POPULATION);
        return objects.exists(k) ? Messages.decode(objects.get(k), PopulationReady.class) : null;
    }

    /** The stored state of a GAN, null if it has none yet. */
    GanState state(String experiment, String gan) {
        String k = ExperimentLayout.render(experiment, gan, STATE);
        if (!objects.exists(k)) {
            return null;
        }
        try {
            return StoredFiles.READER.readValue(objects.get(k), GanState.class);
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.INVALID, k, objects.uri(k) + ": unreadable state: "
                    + e.getMessage(), e);
        }
    }

    void save(RenderedGan gan) {
        objects.put(ExperimentLayout.render(gan.experiment(), gan.name(), STATE), utf8(Json.toString(gan.state)),
                "application/json");
    }

    /** Keeps a round announced before its population, as received, until the population arrives. */
    void park(RoundCompleted r, String json) {
        objects.put(ExperimentLayout.parkedRound(r.experimentId(), r.gan(), r.round()), utf8(json), "application/json");
    }

    /**
     * Hands each parked round of a GAN to {@code handler} in round order (the keys' order), deleting each once
     * handled; {@code handler} deals with its own failures, a parked round being acknowledged already.
     */
    void drainParked(String experiment, String gan, Consumer<String> handler) {
        List<String> keys = new ArrayList<>(objects.list(ExperimentLayout.parkedRounds(experiment, gan)));
        keys.sort(Comparator.naturalOrder());
        for (String k : keys) {
            handler.accept(new String(objects.get(k), StandardCharsets.UTF_8));
            objects.delete(k);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
