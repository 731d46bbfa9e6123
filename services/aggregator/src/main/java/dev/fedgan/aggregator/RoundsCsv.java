package dev.fedgan.aggregator;

import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;

/**
 * A run's {@code rounds.csv} in the experiment's files, as {@code fedgan debug} writes it (what the report links
 * to): one row per round, rewritten whole after every round from the rows the {@link Run} keeps.
 */
@ApplicationScoped
public class RoundsCsv {

    private final ModelStore models;
    private final ObjectStore objects;

    public RoundsCsv(ModelStore models, ObjectStore objects) {
        this.models = models;
        this.objects = objects;
    }

    private static String path(Run run) {
        return PopulationComparison.ganFile(run.population.gan(), GanRunFiles.ROUNDS_CSV);
    }

    /** Stores the run's rows so far. */
    void store(Run run) {
        models.putFile(run.population.experimentId(), path(run), run.roundsCsv.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * After a restart: takes back the stored rows up to the checkpoint's round, in today's columns; a row of a later
     * round is dropped, since that round is redone, and the file is stored again without it (the row of a round
     * stored but never announced, as the round's weights are deleted). A file of an earlier version, with columns
     * that are no longer released (client ids, client losses and counts), is stored again in today's columns.
     */
    void restore(Run run) {
        String key = ExperimentLayout.file(run.population.experimentId(), path(run));
        if (!objects.exists(key)) {
            return;
        }
        String stored = new String(objects.get(key), StandardCharsets.UTF_8);
        boolean rewrite = !stored.startsWith(GanRunFiles.ROUNDS_CSV_HEADER);
        for (String row : GanRunFiles.roundsCsvRows(stored)) {
            String round = row.substring(0, Math.max(0, row.indexOf(',')));
            if (round.matches("\\d+") && Integer.parseInt(round) <= run.training.round()) {
                run.roundsCsv.append(row);
            } else {
                rewrite = true;
            }
        }
        if (rewrite) {
            store(run);
        }
    }
}
