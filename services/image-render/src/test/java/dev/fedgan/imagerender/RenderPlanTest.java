package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.imagerender.RenderPlan.Action;
import org.junit.jupiter.api.Test;

/** What the renderer does with an announced round, from the GAN's state alone; images every 4 rounds. */
class RenderPlanTest {

    static final int EVERY = 4;

    /** A state with these rounds drawn. */
    static GanState drawn(int... rounds) {
        GanState s = new GanState();
        for (int r : rounds) {
            s.record(new GanExperiment.Evaluation(r, -0.7, GanMetrics.Polarity.NORMAL, null, null, 0, "g" + r + ".png"));
        }
        return s;
    }

    @Test
    void aRoundBetweenDrawingsIsSkipped() {
        assertEquals(Action.SKIP, RenderPlan.decide(drawn(0, 1), EVERY, 3, false));
        assertEquals(Action.SKIP, RenderPlan.decide(drawn(0, 1), EVERY, 2, false));
    }

    @Test
    void everyImagesEveryRoundIsDrawn() {
        assertEquals(Action.DRAW, RenderPlan.decide(drawn(0, 1), EVERY, 4, false));
        assertEquals(Action.DRAW, RenderPlan.decide(drawn(0, 1, 4), EVERY, 8, false));
    }

    @Test
    void roundOneIsDrawnWhateverTheInterval() {
        assertEquals(Action.DRAW, RenderPlan.decide(drawn(0), EVERY, 1, false));
    }

    @Test
    void aDrawnRoundAnnouncedAgainIsADuplicate() {
        assertEquals(Action.DUPLICATE, RenderPlan.decide(drawn(0, 1, 4), EVERY, 4, false));
    }

    @Test
    void theLastRoundIsDrawnAndFinishedEvenBetweenDrawings() {
        assertEquals(Action.DRAW_AND_FINISH, RenderPlan.decide(drawn(0, 1, 4), EVERY, 6, true));
    }

    @Test
    void theLastRoundOnADrawingRoundIsDrawnAndFinished() {
        assertEquals(Action.DRAW_AND_FINISH, RenderPlan.decide(drawn(0, 1, 4), EVERY, 8, true));
    }

    @Test
    void theLastRoundDrawnWithoutItsGifIsFinishedOnly() {
        GanState s = drawn(0, 1, 4, 6);
        assertEquals(Action.FINISH, RenderPlan.decide(s, EVERY, 6, true));
    }

    @Test
    void theLastRoundWithItsGifButNoReportIsFinishedOnly() {
        GanState s = drawn(0, 1, 4, 6);
        s.gif = true;
        assertEquals(Action.FINISH, RenderPlan.decide(s, EVERY, 6, true));
    }

    @Test
    void theLastRoundWithItsGifAndReportIsADuplicate() {
        GanState s = drawn(0, 1, 4, 6);
        s.gif = true;
        s.reported = true;
        assertEquals(Action.DUPLICATE, RenderPlan.decide(s, EVERY, 6, true));
    }

    @Test
    void anIntervalOfOneDrawsEveryRound() {
        assertEquals(Action.DRAW, RenderPlan.decide(drawn(0, 1), 1, 2, false));
        assertEquals(Action.DRAW, RenderPlan.decide(drawn(0, 1, 2), 1, 3, false));
    }
}
