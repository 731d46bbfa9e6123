package dev.fedgan.imagerender;

import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.protocol.RoundCompleted;
import java.util.ArrayList;
import java.util.Comparator;
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

    /**
     * Accounts an announced round once: its ε and δ are kept only if it is later than every round seen, so a
     * redelivered or out-of-order round does not roll the privacy back.
     */
    public void seen(RoundCompleted r) {
        if (r.round() > lastRound) {
            lastRound = r.round();
            epsilon = r.epsilon();
            epsilonOriginal = r.epsilonOriginal();
            delta = r.delta();
        }
    }

    /** Keeps an evaluation, replacing one of the same round, the list staying in round order. */
    public void record(GanExperiment.Evaluation e) {
        evaluations.removeIf(x -> x.round() == e.round());
        evaluations.add(e);
        evaluations.sort(Comparator.comparingInt(GanExperiment.Evaluation::round));
    }
}
