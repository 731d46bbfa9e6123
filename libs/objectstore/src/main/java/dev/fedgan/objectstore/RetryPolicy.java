package dev.fedgan.objectstore;

import java.time.Duration;

/**
 * How {@link ObjectStore} retries a request that failed transiently: a connection error (refused, reset, timed
 * out, cut short) or an HTTP 5xx answer. Client errors (4xx: missing object, access denied) and checksum
 * failures are never retried. The wait doubles after each failed attempt, from {@code initialBackoff} up to
 * {@code maxBackoff}.
 *
 * @param attempts       how many times a request is tried in all (at least 1)
 * @param initialBackoff the wait after the first failure
 * @param maxBackoff     the longest wait between attempts
 */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff) {

    /** Four attempts, waiting 0.2 s, 0.4 s and 0.8 s between them (about 1.4 s of waiting at most). */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(2));

    /**
     * A policy that rides out an outage of the store of up to {@code patience}: waits from 0.2 s doubling up to 5 s,
     * as many attempts as it takes for the waits to add up to at least {@code patience}. The services use it: a
     * request that gives up after a second turns a store restart into lost work (a client's task dead-lettered, a
     * round short of a client), while one that waits finishes the same work once the store is back.
     *
     * @throws IllegalArgumentException if {@code patience} is negative
     */
    public static RetryPolicy within(Duration patience) {
        if (patience == null || patience.isNegative()) {
            throw new IllegalArgumentException("retry patience must be zero or positive, got " + patience);
        }
        RetryPolicy p = new RetryPolicy(1, Duration.ofMillis(200), Duration.ofSeconds(5));
        long waited = 0;
        int attempts = 1;
        while (waited < patience.toMillis()) {
            waited += p.backoff(attempts).toMillis();
            attempts++;
        }
        return new RetryPolicy(attempts, p.initialBackoff(), p.maxBackoff());
    }

    /** The longest this policy waits in all before giving up. */
    public Duration patience() {
        Duration d = Duration.ZERO;
        for (int a = 1; a < attempts; a++) {
            d = d.plus(backoff(a));
        }
        return d;
    }

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("retry attempts must be at least 1, got " + attempts);
        }
        if (initialBackoff == null || initialBackoff.isNegative() || maxBackoff == null || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("retry backoffs must be zero or positive, got " + initialBackoff
                    + " and " + maxBackoff);
        }
    }

    /** The wait after failed attempt {@code attempt} (1-based). */
    Duration backoff(int attempt) {
        Duration d = initialBackoff;
        for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
