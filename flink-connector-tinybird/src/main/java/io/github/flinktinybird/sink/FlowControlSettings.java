package io.github.flinktinybird.sink;

import java.time.Duration;

/**
 * The knobs of {@link FlowController}, immutable and validated once. Defaults are chosen to reach
 * Tinybird's documented quota (100 requests/s per Data Source) within seconds and to share it
 * fairly among subtasks that do not talk to each other.
 */
final class FlowControlSettings {

    /** The rate a Data Source starts at, before any answer says more. */
    static final double DEFAULT_INITIAL_RATE = 4.0;
    /** The rate never falls below this, so that a throttled Data Source still probes. */
    static final double DEFAULT_MIN_RATE = 0.5;
    /** The rate never exceeds this, nor the {@code X-RateLimit-Limit} Tinybird announces. */
    static final double DEFAULT_MAX_RATE = 1_000.0;
    /**
     * After the first sign of the quota, the rate grows each second by this share of the quota
     * ({@code X-RateLimit-Limit}) right after a sign of it, more the longer none comes.
     */
    static final double DEFAULT_INCREASE_SHARE = 0.003;
    /** Seconds without a sign of the quota after which the increase is twice the initial one. */
    static final double DEFAULT_INCREASE_DOUBLING_SECONDS = 10;
    /** On 429 (or 503 with Retry-After) the rate is multiplied by this, at most once a second. */
    static final double DEFAULT_DECREASE_FACTOR = 0.85;
    /** Requests in flight before any latency is known. */
    static final int DEFAULT_INITIAL_IN_FLIGHT = 4;
    /** Requests in flight at most, whatever latency and rate ask for: bounds the sink's memory. */
    static final int DEFAULT_MAX_IN_FLIGHT = 32;
    /** Margin over Little's law, so that latency jitter does not leave the rate unused. */
    static final double DEFAULT_IN_FLIGHT_HEADROOM = 1.5;
    /** How long a Data Source may stay throttled, with no request committed, before the job fails. */
    static final Duration DEFAULT_WAIT_BUDGET = Duration.ofMinutes(5);

    final double initialRate;
    final double minRate;
    final double maxRate;
    final double increaseShare;
    final double increaseDoublingSeconds;
    final double decreaseFactor;
    final int initialInFlight;
    final int maxInFlight;
    final double inFlightHeadroom;
    final long waitBudgetNanos;

    FlowControlSettings(double initialRate, double minRate, double maxRate, double increaseShare,
            double increaseDoublingSeconds, double decreaseFactor, int initialInFlight, int maxInFlight, double inFlightHeadroom, Duration waitBudget) {
        if (!(minRate > 0 && minRate <= initialRate && initialRate <= maxRate)) {
            throw new IllegalArgumentException("flow control rates must satisfy 0 < min (" + minRate + ") <= initial ("
                    + initialRate + ") <= max (" + maxRate + ")");
        }
        if (!(increaseShare > 0) || !(increaseDoublingSeconds > 0)) {
            throw new IllegalArgumentException("flow control increase must be positive, got " + increaseShare
                    + " of the quota, doubling every " + increaseDoublingSeconds + " s");
        }
        if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
            throw new IllegalArgumentException("flow control decrease factor must be in (0, 1), got " + decreaseFactor);
        }
        if (maxInFlight < 1 || initialInFlight < 1 || initialInFlight > maxInFlight) {
            throw new IllegalArgumentException("requests in flight must satisfy 1 <= initial (" + initialInFlight
                    + ") <= max (" + maxInFlight + ")");
        }
        if (!(inFlightHeadroom >= 1)) {
            throw new IllegalArgumentException("in-flight headroom must be at least 1, got " + inFlightHeadroom);
        }
        if (waitBudget.isNegative() || waitBudget.isZero()) {
            throw new IllegalArgumentException("the wait budget must be positive, got " + waitBudget);
        }
        this.initialRate = initialRate;
        this.minRate = minRate;
        this.maxRate = maxRate;
        this.increaseShare = increaseShare;
        this.increaseDoublingSeconds = increaseDoublingSeconds;
        this.decreaseFactor = decreaseFactor;
        this.initialInFlight = initialInFlight;
        this.maxInFlight = maxInFlight;
        this.inFlightHeadroom = inFlightHeadroom;
        this.waitBudgetNanos = waitBudget.toNanos();
    }

    static FlowControlSettings defaults() {
        return withMaxInFlight(DEFAULT_MAX_IN_FLIGHT);
    }

    /** The defaults with a user's cap on requests in flight. */
    static FlowControlSettings withMaxInFlight(int maxInFlight) {
        return withMaxInFlight(maxInFlight, DEFAULT_WAIT_BUDGET);
    }

    /** The defaults with a user's cap on requests in flight and wait budget. */
    static FlowControlSettings withMaxInFlight(int maxInFlight, Duration waitBudget) {
        return new FlowControlSettings(DEFAULT_INITIAL_RATE, DEFAULT_MIN_RATE, DEFAULT_MAX_RATE,
                DEFAULT_INCREASE_SHARE, DEFAULT_INCREASE_DOUBLING_SECONDS, DEFAULT_DECREASE_FACTOR, Math.min(DEFAULT_INITIAL_IN_FLIGHT, maxInFlight),
                maxInFlight, DEFAULT_IN_FLIGHT_HEADROOM, waitBudget);
    }
}
