package io.github.flinktinybird.http;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * How often and how patiently a request that failed for a passing reason (429, 500, 502, 503, 504,
 * an I/O error or a timeout) is sent again.
 *
 * <p>The wait before attempt {@code n + 1} is {@code initialBackoff * 2^(n-1)}, capped at {@code
 * maxBackoff}, shortened by a random fraction of at most {@code jitter} so that many subtasks do not
 * retry in step. A {@code Retry-After} or {@code X-RateLimit-Reset} answer from Tinybird replaces
 * the computed wait (still capped at {@code maxBackoff}). After {@code maxAttempts} sends in all, the
 * records are undeliverable and the sink's error policy decides what happens to them.
 *
 * <p>Immutable and validated on construction.
 */
public final class RetryPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Sends in all (first attempt included) before the error policy takes over. Twelve sends wait
     * 31 to 63 s in all with the default backoff and jitter, so a 30 s outage is always ridden out.
     */
    public static final int DEFAULT_MAX_ATTEMPTS = 12;

    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    public static final double DEFAULT_JITTER = 0.5;

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double jitter;

    private RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException(
                    "retry maxAttempts must be at least 1 (1 = never retry), got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "retry initialBackoff must not be null");
        Objects.requireNonNull(maxBackoff, "retry maxBackoff must not be null");
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException(
                    "retry initialBackoff must be positive, got " + initialBackoff);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "retry maxBackoff ("
                            + maxBackoff
                            + ") must not be shorter than initialBackoff ("
                            + initialBackoff
                            + ")");
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException(
                    "retry jitter must be between 0.0 and 1.0, got " + jitter);
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.jitter = jitter;
    }

    /** The defaults: 12 attempts, 200 ms doubling up to 10 s, jitter 0.5. */
    public static RetryPolicy defaults() {
        return builder().build();
    }

    /** A policy that never sends a request twice: every failure goes to the error policy. */
    public static RetryPolicy noRetries() {
        return builder().maxAttempts(1).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public Duration getInitialBackoff() {
        return initialBackoff;
    }

    public Duration getMaxBackoff() {
        return maxBackoff;
    }

    public double getJitter() {
        return jitter;
    }

    /**
     * The wait before the next send of a request that has failed {@code failedAttempts} times.
     *
     * @param failedAttempts how many sends have failed so far (at least 1)
     * @param serverDelay the wait Tinybird asked for, or {@code null}
     * @param random uniform values in [0, 1), injected so that tests are deterministic
     */
    public Duration backoff(int failedAttempts, Duration serverDelay, DoubleSupplier random) {
        if (serverDelay != null) {
            return serverDelay.compareTo(maxBackoff) > 0 ? maxBackoff : serverDelay;
        }
        // Doubles cannot overflow here, and anything past maxBackoff is capped anyway.
        double exponential =
                initialBackoff.toMillis() * Math.pow(2, Math.max(failedAttempts - 1, 0));
        double capped = Math.min(exponential, (double) maxBackoff.toMillis());
        long shortened = Math.round(capped * (1.0 - jitter * random.getAsDouble()));
        return Duration.ofMillis(Math.max(1, shortened));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RetryPolicy)) {
            return false;
        }
        RetryPolicy that = (RetryPolicy) o;
        return maxAttempts == that.maxAttempts
                && Double.compare(jitter, that.jitter) == 0
                && initialBackoff.equals(that.initialBackoff)
                && maxBackoff.equals(that.maxBackoff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialBackoff, maxBackoff, jitter);
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxAttempts="
                + maxAttempts
                + ", initialBackoff="
                + initialBackoff
                + ", maxBackoff="
                + maxBackoff
                + ", jitter="
                + jitter
                + '}';
    }

    /** Builds a {@link RetryPolicy}; unset values keep their defaults. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double jitter = DEFAULT_JITTER;

        private Builder() {}

        /** Sends in all, the first included; 1 disables retries. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** Fraction in [0, 1] by which each wait may be randomly shortened. */
        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, jitter);
        }
    }
}
