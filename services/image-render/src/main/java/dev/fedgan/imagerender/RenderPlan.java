package dev.fedgan.imagerender;

import dev.fedgan.protocol.RoundCompleted;

/**
 * What the renderer does with an announced round of a GAN, decided from the GAN's state alone (no store, no
 * broker), so that every redelivery, duplicate and restart is answered the same way.
 *
 * <p>A round is due when the one-JVM run would draw it: every {@code imagesEvery} rounds, round 1 (the first trained
 * generator), and the last round. A due round already drawn is a duplicate, except the last round while its GIF
 * or report is missing: a renderer stopped between drawing the last grid and writing those finishes them when the
 * round is delivered again.
 */
final class RenderPlan {

    /** The outcome for one announced round. */
    enum Action {
        /** Not due: only accounted (wall time, ε); nothing drawn. */
        SKIP,
        /** Due and already drawn, nothing left to finish: counted as a duplicate, nothing stored or announced. */
        DUPLICATE,
        /** Due and not drawn yet: draw it, store it and announce it. */
        DRAW,
        /** The last round, not drawn yet: draw it, then write the GIF and (both GANs done) the report. */
        DRAW_AND_FINISH,
        /** The last round again, drawn but its GIF or report not written: write them and announce again. */
        FINISH
    }

    private RenderPlan() {
    }

    /** {@link #decide(GanState, int, int, boolean)} for an announcement. */
    static Action decide(GanState state, int imagesEvery, RoundCompleted round) {
        return decide(state, imagesEvery, round.round(), round.finished());
    }

    /**
     * @param state       what was drawn and written so far for the GAN
     * @param imagesEvery the GAN's drawing interval in rounds (at least 1)
     * @param round       the announced round
     * @param finished    whether it is the GAN's last round
     */
    static Action decide(GanState state, int imagesEvery, int round, boolean finished) {
        if (!due(imagesEvery, round, finished)) {
            return Action.SKIP;
        }
        boolean drawn = state.rendered(round);
        boolean unfinished = finished && (!state.gif || !state.reported);
        if (drawn) {
            return unfinished ? Action.FINISH : Action.DUPLICATE;
        }
        return finished ? Action.DRAW_AND_FINISH : Action.DRAW;
    }

    /** Whether the one-JVM run draws this round: every {@code imagesEvery} rounds, round 1 and the last round. */
    static boolean due(int imagesEvery, int round, boolean finished) {
        return round % imagesEvery == 0 || round == 1 || finished;
    }
}
