package io.github.flinktinybird.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.connector.base.sink.writer.strategy.BasicRequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.BasicResultInfo;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;

import org.junit.jupiter.api.Test;

class InFlightRequestLimiterTest {

    private static final int BATCH = 500;
    private static final RequestInfo NEXT = new BasicRequestInfo(BATCH);

    private static void start(InFlightRequestLimiter limiter, int requests) {
        for (int i = 0; i < requests; i++) {
            limiter.registerInFlightRequest(new BasicRequestInfo(BATCH));
        }
    }

    private static void succeed(InFlightRequestLimiter limiter) {
        limiter.registerCompletedRequest(new BasicResultInfo(0, BATCH));
    }

    private static void fail(InFlightRequestLimiter limiter, int failedRecords) {
        limiter.registerCompletedRequest(new BasicResultInfo(failedRecords, BATCH));
    }

    @Test
    void neverBlocksWithNothingInFlight() {
        InFlightRequestLimiter limiter = new InFlightRequestLimiter(4, BATCH);
        assertThat(limiter.shouldBlock(NEXT)).isFalse();

        // Even after failures have brought the allowance down to its floor.
        for (int i = 0; i < 10; i++) {
            start(limiter, 1);
            fail(limiter, BATCH);
        }

        assertThat(limiter.allowedInFlight()).isEqualTo(1);
        assertThat(limiter.shouldBlock(NEXT)).isFalse();
    }

    @Test
    void blocksOnlyOnceMaxRequestsAreInFlight() {
        InFlightRequestLimiter limiter = new InFlightRequestLimiter(3, BATCH);

        start(limiter, 1);
        assertThat(limiter.shouldBlock(NEXT)).isFalse();
        start(limiter, 1);
        assertThat(limiter.shouldBlock(NEXT)).isFalse();
        start(limiter, 1);
        assertThat(limiter.shouldBlock(NEXT)).isTrue();

        succeed(limiter);
        assertThat(limiter.shouldBlock(NEXT)).isFalse();
    }

    @Test
    void requestWithFailedRecordsHalvesTheAllowance() {
        InFlightRequestLimiter limiter = new InFlightRequestLimiter(8, BATCH);
        start(limiter, 8);

        fail(limiter, 1);
        assertThat(limiter.allowedInFlight()).isEqualTo(4);
        fail(limiter, BATCH);
        assertThat(limiter.allowedInFlight()).isEqualTo(2);
        fail(limiter, 3);
        assertThat(limiter.allowedInFlight()).isEqualTo(1);
        fail(limiter, 3);
        assertThat(limiter.allowedInFlight()).as("never below one").isEqualTo(1);
    }

    @Test
    void afterAFailureFewerRequestsMayBeInFlight() {
        InFlightRequestLimiter limiter = new InFlightRequestLimiter(4, BATCH);
        start(limiter, 4);
        fail(limiter, 10); // 3 in flight, 2 allowed

        assertThat(limiter.shouldBlock(NEXT)).isTrue();
        succeed(limiter); // 2 in flight, 3 allowed
        assertThat(limiter.shouldBlock(NEXT)).isFalse();
    }

    @Test
    void eachCleanResultAddsOneBackUpToTheMaximum() {
        InFlightRequestLimiter limiter = new InFlightRequestLimiter(5, BATCH);
        start(limiter, 3);
        fail(limiter, 1);
        fail(limiter, 1);
        fail(limiter, 1);
        assertThat(limiter.allowedInFlight()).isEqualTo(1);

        int[] expected = {2, 3, 4, 5, 5, 5};
        for (int allowed : expected) {
            start(limiter, 1);
            succeed(limiter);
            assertThat(limiter.allowedInFlight()).isEqualTo(allowed);
        }
    }

    @Test
    void fullAllowanceAtStart() {
        InFlightRequestLimiter limiter = new InFlightRequestLimiter(6, BATCH);

        assertThat(limiter.allowedInFlight()).isEqualTo(6);
        start(limiter, 5);
        assertThat(limiter.shouldBlock(NEXT)).isFalse();
        start(limiter, 1);
        assertThat(limiter.shouldBlock(NEXT)).isTrue();
    }

    @Test
    void strayCompletionNeverMakesTheCountNegative() {
        InFlightRequestLimiter limiter = new InFlightRequestLimiter(2, BATCH);

        succeed(limiter);
        succeed(limiter);
        start(limiter, 1);

        assertThat(limiter.shouldBlock(NEXT)).isFalse();
        start(limiter, 1);
        assertThat(limiter.shouldBlock(NEXT)).isTrue();
    }

    @Test
    void batchSizeNeverShrinks() {
        InFlightRequestLimiter limiter = new InFlightRequestLimiter(4, BATCH);
        assertThat(limiter.getMaxBatchSize()).isEqualTo(BATCH);

        for (int i = 0; i < 20; i++) {
            start(limiter, 1);
            fail(limiter, BATCH);
            assertThat(limiter.getMaxBatchSize()).isEqualTo(BATCH);
        }
        for (int i = 0; i < 20; i++) {
            start(limiter, 1);
            succeed(limiter);
            assertThat(limiter.getMaxBatchSize()).isEqualTo(BATCH);
        }
    }

    @Test
    void theSinkUsesThisLimiterWithItsBatchSettings() {
        TinybirdSink<Object> sink =
                TinybirdSink.builder()
                        .setToken("t")
                        .setDataSource("events")
                        .setMaxBatchSize(321)
                        .setMaxBufferedRequests(10_000)
                        .setMaxInFlightRequests(3)
                        .build();

        assertThat(sink.writerConfiguration().getRateLimitingStrategy())
                .isInstanceOfSatisfying(
                        InFlightRequestLimiter.class,
                        limiter -> {
                            assertThat(limiter.getMaxBatchSize()).isEqualTo(321);
                            assertThat(limiter.allowedInFlight()).isEqualTo(3);
                        });
    }
}
