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
