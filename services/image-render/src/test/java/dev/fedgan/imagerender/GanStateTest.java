package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundCompleted;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the renderer's state accounts announced rounds and keeps evaluations. */
class GanStateTest {

    static final ObjectRef WEIGHTS = new ObjectRef("fedgan", "weights", 0, "0".repeat(64));

    static RoundCompleted announced(int round, double epsilon) {
        return RoundCompleted.builder().experimentId("r1").gan("low_accuracy").round(round)
                .epsilon(epsilon).epsilonOriginal(epsilon * 2).delta(1e-5).generator(WEIGHTS).critic(WEIGHTS)
                .finished(false).build();
    }

    static GanExperiment.Evaluation evaluation(int round, double mean) {
        return new GanExperiment.Evaluation(round, mean, GanMetrics.polarityOf(mean), null, null, 0, "g.png");
    }

    @Test
    void aLaterRoundSetsThePrivacySpent() {
        GanState s = new GanState();
        s.seen(announced(1, 0.3));
        s.seen(announced(2, 0.4));
        assertEquals(2, s.lastRound);
        assertEquals(0.4, s.epsilon, 1e-12);
        assertEquals(0.8, s.epsilonOriginal, 1e-12);
        assertEquals(1e-5, s.delta, 1e-18);
    }

    @Test
    void aRedeliveredOrEarlierRoundIsNotCountedAgain() {
        GanState s = new GanState();
        s.seen(announced(2, 0.4));
        s.seen(announced(2, 0.4));
        s.seen(announced(1, 0.3));
        assertEquals(2, s.lastRound);
        assertEquals(0.4, s.epsilon, 1e-12);
    }

    @Test
    void evaluationsStayInRoundOrderWithOnePerRound() {
        GanState s = new GanState();
        s.record(evaluation(4, 0.1));
        s.record(evaluation(0, -0.7));
        s.record(evaluation(4, 0.2));
        s.record(evaluation(2, -0.1));
        assertEquals(List.of(0, 2, 4), s.evaluations.stream().map(GanExperiment.Evaluation::round).toList());
        assertEquals(0.2, s.at(4).meanPixel(), 1e-12);
        assertEquals(4, s.last().round());
    }
}
