package dev.fedgan.imagerender;

import dev.fedgan.core.gan.GanExperiment;
import java.util.ArrayList;
import java.util.List;

/**
 * What the renderer knows about one GAN of an experiment, kept in the object store
 * ({@code experiments/<id>/render/<gan>/state.json}) so that a restarted renderer goes on where it stopped: the
 * evaluations drawn so far (rounds, metrics, grid paths), the rounds seen, and how the GAN ended.
 */
public final class GanState {

    /** The evaluations drawn, in round order (the one-JVM run's {@code evaluations.json}). */
    public List<GanExperiment.Evaluation> evaluations = new ArrayList<>();
    /** The highest round announced so far. */
    public int lastRound;
    /** Sum of the announced rounds' wall times, seconds. */
    public double seconds;
    /** ε (improved conversion), ε (original conversion) and δ of the last announced round. */
    public double epsilon;
    public double epsilonOriginal;
    public double delta;
    /** The final round, once announced; null while training. */
    public Integer finishedRound;
    public String stoppedBecause;
    /** Whether {@code grids.gif} was written. */
    public boolean gif;
    /** Whether the experiment's report (both GANs) was written. */
    public boolean reported;

    public boolean rendered(int round) {
        return evaluations.stream().anyMatch(e -> e.round() == round);
    }

    public GanExperiment.Evaluation last() {
        return evaluations.isEmpty() ? null : evaluations.get(evaluations.size() - 1);
    }

    public GanExperiment.Evaluation at(int round) {
        return evaluations.stream().filter(e -> e.round() == round).findFirst().orElse(null);
    }
}
