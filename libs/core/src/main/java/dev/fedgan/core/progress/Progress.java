package dev.fedgan.core.progress;

/**
 * Progress of long work (training epochs, measurement), reported by the core and drawn by whoever runs it: a
 * terminal bar in the CLI, metrics in a service, nothing in tests.
 */
public interface Progress {

    /** Nothing is reported. */
    Progress NONE = new Progress() {
        @Override
        public void start(String task, long total, String unit) {
        }

        @Override
        public void advance(long amount, String status) {
        }

        @Override
        public void finish(String summary) {
        }
    };

    /** A new task of {@code total} units (e.g. 5000 "examples") begins. */
    void start(String task, long total, String unit);

    /**
     * A new task of {@code total} units that come few and unevenly (e.g. 4 "services" becoming ready) begins: it is
     * shown as a count and the elapsed time, without a rate or an ETA, which would mean nothing. By default the same
     * as {@link #start}.
     */
    default void startCount(String task, long total, String unit) {
        start(task, total, unit);
    }

    /** {@code amount} more units are done; {@code status} is a short live figure such as "loss 0.213", or null. */
    void advance(long amount, String status);

    /** The task is over; {@code summary} is its one-line outcome. */
    void finish(String summary);
}
