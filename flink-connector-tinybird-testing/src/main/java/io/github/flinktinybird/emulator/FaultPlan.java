package io.github.flinktinybird.emulator;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which faults the emulator injects at random, how often, and how the timed faults behave.
 *
 * <p>For each request one number is drawn from a {@link java.util.Random} seeded with
 * {@link #seed()}, so a run with the same plan and the same sequence of requests meets the same
 * sequence of faults. Probabilities are per request and their sum must not exceed 1; the rest is
 * the chance of a normal answer. Instances are immutable.
 */
public final class FaultPlan {

    /** Seed used when the builder is given none. */
    public static final long DEFAULT_SEED = 42L;

    private static final FaultPlan NONE = builder().build();

    private final long seed;
    private final Map<Fault, Double> probabilities;
    private final Duration slowDelay;
    private final int retryAfterSeconds;

    private FaultPlan(Builder builder) {
        this.seed = builder.seed;
        this.probabilities = Collections.unmodifiableMap(new EnumMap<>(builder.probabilities));
        this.slowDelay = builder.slowDelay;
        this.retryAfterSeconds = builder.retryAfterSeconds;
    }

    /** A plan that injects nothing at random; queued faults still use its 2 s delay and 1 s Retry-After. */
    public static FaultPlan none() {
        return NONE;
    }

    /** Starts a plan with no random faults, seed {@value #DEFAULT_SEED}, 2 s slow delay and 1 s Retry-After. */
    public static Builder builder() {
        return new Builder();
    }

    /** The seed of the random source that draws faults. */
    public long seed() {
        return seed;
    }

    /** The probability of {@code fault} per request, 0 when the plan does not inject it. */
    public double probability(Fault fault) {
        return probabilities.getOrDefault(Objects.requireNonNull(fault, "fault"), 0.0);
    }

    /** Whether any fault has a probability above 0. */
    public boolean injectsAtRandom() {
        return !probabilities.isEmpty();
    }

    /** How long a {@link Fault#SLOW} request waits before it is answered. */
    public Duration slowDelay() {
        return slowDelay;
    }

    /** The {@code Retry-After} value, in seconds, of a {@link Fault#RATE_LIMITED} answer. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /**
     * Maps one uniform draw in [0, 1) to a fault, walking the faults in declaration order so that
     * the mapping does not depend on the order the builder was called in.
     */
    Fault pick(double draw) {
        double cumulative = 0.0;
        for (Fault fault : Fault.values()) {
            Double p = probabilities.get(fault);
            if (p == null) {
                continue;
            }
            cumulative += p;
            if (draw < cumulative) {
                return fault;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "FaultPlan{seed=" + seed + ", probabilities=" + probabilities + ", slowDelay=" + slowDelay
                + ", retryAfterSeconds=" + retryAfterSeconds + '}';
    }

    /** Builds a {@link FaultPlan}. */
    public static final class Builder {
        private long seed = DEFAULT_SEED;
        private final Map<Fault, Double> probabilities = new EnumMap<>(Fault.class);
        private Duration slowDelay = Duration.ofSeconds(2);
        private int retryAfterSeconds = 1;

        private Builder() {
        }

        /** Seeds the random source, so that runs are reproducible. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the per-request probability of {@code fault}, replacing an earlier value; 0 removes it.
         *
         * @throws IllegalArgumentException if {@code probability} is not within [0, 1]
         */
        public Builder probability(Fault fault, double probability) {
            Objects.requireNonNull(fault, "fault");
            if (!(probability >= 0.0 && probability <= 1.0)) {
                throw new IllegalArgumentException("probability of " + fault + " must be within [0, 1]: " + probability);
            }
            if (probability == 0.0) {
                probabilities.remove(fault);
            } else {
                probabilities.put(fault, probability);
            }
            return this;
        }

        /** How long {@link Fault#SLOW} holds the answer back. */
        public Builder slowDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("slow delay must not be negative: " + delay);
            }
            this.slowDelay = delay;
            return this;
        }

        /** The {@code Retry-After} seconds sent with {@link Fault#RATE_LIMITED}. */
        public Builder retryAfterSeconds(int seconds) {
            if (seconds < 0) {
                throw new IllegalArgumentException("Retry-After must not be negative: " + seconds);
            }
            this.retryAfterSeconds = seconds;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the probabilities add up to more than 1
         */
        public FaultPlan build() {
            double sum = 0.0;
            for (double p : probabilities.values()) {
                sum += p;
            }
            // A small tolerance so that e.g. ten faults at 0.1 each are accepted despite rounding.
            if (sum > 1.0 + 1e-9) {
                throw new IllegalArgumentException("fault probabilities add up to more than 1: " + sum);
            }
            return new FaultPlan(this);
        }
    }
}
