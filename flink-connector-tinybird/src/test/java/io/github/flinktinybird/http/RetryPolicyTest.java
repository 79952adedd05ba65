package io.github.flinktinybird.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

class RetryPolicyTest {

    /** No jitter effect: the full computed wait. */
    private static final DoubleSupplier NO_SHORTENING = () -> 0.0;

    private static RetryPolicy policy(long initialMs, long maxMs, double jitter) {
        return RetryPolicy.builder()
                .maxAttempts(5)
                .initialBackoff(Duration.ofMillis(initialMs))
                .maxBackoff(Duration.ofMillis(maxMs))
                .jitter(jitter)
                .build();
    }

    @Test
    void backoffDoublesFromInitialUpToMax() {
        RetryPolicy policy = policy(100, 1_000, 0.0);

        assertThat(policy.backoff(1, null, NO_SHORTENING)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoff(2, null, NO_SHORTENING)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.backoff(3, null, NO_SHORTENING)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.backoff(4, null, NO_SHORTENING)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.backoff(5, null, NO_SHORTENING)).isEqualTo(Duration.ofMillis(1_000));
        assertThat(policy.backoff(6, null, NO_SHORTENING)).isEqualTo(Duration.ofMillis(1_000));
    }

    @Test
    void backoffStaysCappedForHugeAttemptCounts() {
        RetryPolicy policy = policy(200, 10_000, 0.0);

        assertThat(policy.backoff(64, null, NO_SHORTENING)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.backoff(5_000, null, NO_SHORTENING)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.backoff(Integer.MAX_VALUE, null, NO_SHORTENING)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void jitterOnlyShortensWithinItsFraction() {
        RetryPolicy policy = policy(100, 1_000, 0.5);

        // random 0 -> the full wait; random close to 1 -> half of it
        assertThat(policy.backoff(3, null, () -> 0.0)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.backoff(3, null, () -> 0.5)).isEqualTo(Duration.ofMillis(300));
        assertThat(policy.backoff(3, null, () -> 0.999_999)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void jitteredWaitsStayInsideTheirBandForManyDraws() {
        double jitter = 0.3;
        RetryPolicy policy = policy(100, 3_000, jitter);
        Random random = new Random(7);

        for (int attempt = 1; attempt <= 8; attempt++) {
            long base = Math.min(100L << (attempt - 1), 3_000L);
            long lowest = Long.MAX_VALUE;
            long highest = Long.MIN_VALUE;
            for (int draw = 0; draw < 500; draw++) {
                long millis = policy.backoff(attempt, null, random::nextDouble).toMillis();
                assertThat(millis)
                        .as("attempt %d, base %d ms", attempt, base)
                        .isBetween((long) Math.floor(base * (1 - jitter)), base);
                lowest = Math.min(lowest, millis);
                highest = Math.max(highest, millis);
            }
            // The jitter actually spreads the waits: subtasks do not retry in step.
            assertThat(highest - lowest).as("spread at attempt %d", attempt).isGreaterThan(0);
        }
    }

    @Test
    void fullJitterNeverWaitsLessThanAMillisecond() {
        RetryPolicy policy = policy(1, 10, 1.0);

        assertThat(policy.backoff(1, null, () -> 0.999_999)).isGreaterThanOrEqualTo(Duration.ofMillis(1));
    }

    @Test
    void serverDelayReplacesTheComputedWait() {
        RetryPolicy policy = policy(100, 10_000, 0.5);
        AtomicInteger draws = new AtomicInteger();

        Duration wait = policy.backoff(1, Duration.ofSeconds(3), () -> {
            draws.incrementAndGet();
            return 0.9;
        });

        assertThat(wait).isEqualTo(Duration.ofSeconds(3));
        assertThat(draws).as("Tinybird's wait is not shortened by jitter").hasValue(0);
    }

    @Test
    void serverDelayIsCappedAtMaxBackoff() {
        RetryPolicy policy = policy(100, 10_000, 0.5);

        assertThat(policy.backoff(1, Duration.ofSeconds(3_600), NO_SHORTENING)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.backoff(1, Duration.ofSeconds(10), NO_SHORTENING)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void defaultsAreDocumentedValues() {
        RetryPolicy defaults = RetryPolicy.defaults();

        assertThat(defaults.getMaxAttempts()).isEqualTo(12);
        assertThat(defaults.getInitialBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(defaults.getMaxBackoff()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.getJitter()).isEqualTo(0.5);
        assertThat(defaults).isEqualTo(RetryPolicy.builder().build());
    }

    @Test
    void noRetriesSendsOnce() {
        RetryPolicy policy = RetryPolicy.noRetries();

        assertThat(policy.getMaxAttempts()).isEqualTo(1);
        assertThat(policy).isNotEqualTo(RetryPolicy.defaults());
    }

    @Test
    void builderKeepsWhatWasSet() {
        RetryPolicy policy =
                RetryPolicy.builder()
                        .maxAttempts(3)
                        .initialBackoff(Duration.ofMillis(50))
                        .maxBackoff(Duration.ofSeconds(2))
                        .jitter(0.25)
                        .build();

        assertThat(policy.getMaxAttempts()).isEqualTo(3);
        assertThat(policy.getInitialBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(policy.getMaxBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.getJitter()).isEqualTo(0.25);
        assertThat(policy.toString()).contains("maxAttempts=3").contains("PT2S").contains("0.25");
    }

    @ParameterizedTest(name = "maxAttempts={0}")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void rejectsFewerThanOneAttempt(int attempts) {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(attempts).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts")
                .hasMessageContaining("at least 1")
                .hasMessageContaining(Integer.toString(attempts));
    }

    @ParameterizedTest(name = "initialBackoff={0} ms")
    @ValueSource(longs = {0, -1, -1_000})
    void rejectsNonPositiveInitialBackoff(long millis) {
        assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ofMillis(millis)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialBackoff")
                .hasMessageContaining("positive");
    }

    @Test
    void rejectsMaxBackoffShorterThanInitial() {
        assertThatThrownBy(
                        () ->
                                RetryPolicy.builder()
                                        .initialBackoff(Duration.ofSeconds(2))
                                        .maxBackoff(Duration.ofSeconds(1))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBackoff (PT1S)")
                .hasMessageContaining("initialBackoff (PT2S)");
    }

    @Test
    void acceptsMaxBackoffEqualToInitial() {
        RetryPolicy policy =
                RetryPolicy.builder()
                        .initialBackoff(Duration.ofSeconds(1))
                        .maxBackoff(Duration.ofSeconds(1))
                        .jitter(0)
                        .build();

        assertThat(policy.backoff(4, null, NO_SHORTENING)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void rejectsNullDurations() {
        assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("initialBackoff");
        assertThatThrownBy(() -> RetryPolicy.builder().maxBackoff(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("maxBackoff");
    }

    @ParameterizedTest(name = "jitter={0}")
    @ValueSource(doubles = {-0.01, 1.01, 2.0, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsJitterOutsideZeroToOne(double jitter) {
        assertThatThrownBy(() -> RetryPolicy.builder().jitter(jitter).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jitter")
                .hasMessageContaining("between 0.0 and 1.0");
    }

    @ParameterizedTest(name = "jitter={0}")
    @ValueSource(doubles = {0.0, 1.0})
    void acceptsJitterBounds(double jitter) {
        assertThat(RetryPolicy.builder().jitter(jitter).build().getJitter()).isEqualTo(jitter);
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
        RetryPolicy policy = policy(150, 4_000, 0.2);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(policy);
        }
        Object copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = in.readObject();
        }

        assertThat(copy).isEqualTo(policy);
        assertThat(copy.hashCode()).isEqualTo(policy.hashCode());
    }
}
