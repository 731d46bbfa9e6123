package dev.fedgan.filter;

import dev.fedgan.core.progress.Progress;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleConsumer;
import org.jboss.logging.Logger;

/**
 * The core's progress (classifier epochs, measurement) as INFO log lines naming the experiment: the start, every
 * tenth of the task with its live status (e.g. {@code epoch 2/5 loss 0.0831}) and the outcome; the done fraction
 * also goes to {@code fraction} (a gauge).
 */
final class LoggingProgress implements Progress {

    private static final Logger LOG = Logger.getLogger(LoggingProgress.class);
    private static final int STEPS = 10;

    private final String experimentId;
    private final DoubleConsumer fraction;
    private String task = "";
    private String unit = "";
    private long total;
    private final AtomicLong done = new AtomicLong();
    private int reported;

    LoggingProgress(String experimentId, DoubleConsumer fraction) {
        this.experimentId = experimentId;
        this.fraction = fraction;
    }

    @Override
    public void start(String task, long total, String unit) {
        this.task = task;
        this.unit = unit;
        this.total = total;
        this.done.set(0);
        this.reported = 0;
        fraction.accept(0);
        LOG.infof("experiment %s: %s (%d %s)", experimentId, task, total, unit);
    }

    @Override
    public void advance(long amount, String status) {
        long d = done.addAndGet(amount);
        double f = total <= 0 ? 1 : Math.min(1, (double) d / total);
        fraction.accept(f);
        int step = (int) Math.floor(f * STEPS);
        if (step > reported) {
            reported = step;
            LOG.infof("experiment %s: %s %3.0f%% (%d/%d %s)%s", experimentId, task, 100 * f, d, total, unit,
                    status == null ? "" : ", " + status);
        }
    }

    @Override
    public void finish(String summary) {
        fraction.accept(1);
        LOG.infof("experiment %s: %s done: %s", experimentId, task, summary);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "progress of %s: %s %d/%d", experimentId, task, done.get(), total);
    }
}
