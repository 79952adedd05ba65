package io.github.flinktinybird.sink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.testutil.Deadline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole jobs on a MiniCluster writing to the local Events API. */
class TinybirdSinkITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** The element type of these jobs. */
    public static final class Event {
        public long id;
        public String action;

        public Event() {}

        Event(long id) {
            this.id = id;
            this.action = id % 3 == 0 ? "click" : "page_view";
        }
    }

    private static EventsApiEmulator emulator;

    @BeforeEach
    void startEmulator() {
        emulator = EventsApiEmulator.builder().start();
    }

    @AfterEach
    void stopEmulator() {
        emulator.close();
    }

    private static TinybirdSinkBuilder<Event> sink() {
        return TinybirdSink.<Event>builder()
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource("events");
    }

    /** Distinct ids of the Data Source, and how many rows arrived more than once. */
    private static Map<Long, Integer> idCounts() {
        Map<Long, Integer> counts = new HashMap<>();
        for (ObjectNode row : emulator.rows("events")) {
            counts.merge(row.get("id").asLong(), 1, Integer::sum);
        }
        return counts;
    }

    private static void assertEveryIdOnce(long n, boolean duplicatesAllowed) {
        Map<Long, Integer> counts = idCounts();
        long duplicates = counts.values().stream().mapToLong(c -> c - 1).sum();
        System.out.printf("events=%d, distinct delivered=%d, duplicates=%d%n", n, counts.size(), duplicates);
        assertThat(counts).hasSize((int) n);
        for (long id = 0; id < n; id++) {
            assertThat(counts).containsKey(id);
        }
        if (!duplicatesAllowed) {
            assertThat(duplicates).isZero();
        }
    }

    @Test
    void aBoundedJobDeliversEveryRecordOnceToAHealthyEndpoint() throws Exception {
        long n = 20_000;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromSequence(0, n - 1).map(Event::new).returns(Event.class)
                .sinkTo(sink().setMaxBatchSize(1_000).build());

        env.execute("bounded");

        assertEveryIdOnce(n, false);
        assertThat(emulator.requests()).allSatisfy(r -> assertThat(r.gzip()).isTrue());
    }

    @Test
    void aJobRidesOutRateLimitsServerErrorsAndDroppedConnections() throws Exception {
        emulator.setFaultPlan(FaultPlan.builder()
                .seed(7)
                .retryAfterSeconds(1)
                .probability(Fault.RATE_LIMITED, 0.05)
                .probability(Fault.SERVER_ERROR_500, 0.05)
                .probability(Fault.UNAVAILABLE_503, 0.05)
                .probability(Fault.BAD_GATEWAY_502, 0.03)
                .probability(Fault.DROP_CONNECTION, 0.03)
                .probability(Fault.COMMITTED_THEN_500, 0.02)
                .build());
        long n = 30_000;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromSequence(0, n - 1).map(Event::new).returns(Event.class)
                .sinkTo(sink()
                        .setMaxBatchSize(500)
                        .setRetryPolicy(RetryPolicy.builder().maxAttempts(20).initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofSeconds(2)).build())
                        .build());

        env.execute("flaky endpoint");

        assertEveryIdOnce(n, true);
        assertThat(emulator.requests()).anySatisfy(r -> assertThat(r.status()).isEqualTo(429));
        assertThat(emulator.requests()).anySatisfy(r -> assertThat(r.status()).isEqualTo(503));
    }

    // -- at-least-once through the sink's checkpointed buffer ---------------------------------

    private static final long FAILOVER_EVENTS = 5_000;
    private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
    private static final AtomicLong ROWS_AT_FAILURE = new AtomicLong(-1);

    /**
     * Passes elements through; once a checkpoint that covers every event has completed, fails the
     * job once, noting how many rows Tinybird had then.
     */
    static final class FailAfterCheckpoint implements MapFunction<Event, Event>, CheckpointListener {
        private long seen;
        private boolean seenAllBeforeCheckpoint;

        @Override
        public Event map(Event event) {
            seen++;
            return event;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (seenAllBeforeCheckpoint && FAILED_ONCE.compareAndSet(false, true)) {
                ROWS_AT_FAILURE.set(emulator.rowCount("events"));
                throw new IllegalStateException("test failure after checkpoint " + checkpointId);
            }
            // Checkpoint n+1 is the first that certainly covers what was seen before checkpoint n
            // completed.
            seenAllBeforeCheckpoint = seen == FAILOVER_EVENTS;
        }
    }

    @Test
    void recordsBufferedAtACheckpointAreDeliveredAfterAFailure() throws Exception {
        FAILED_ONCE.set(false);
        ROWS_AT_FAILURE.set(-1);
        Configuration config = new Configuration();
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "3");
        config.setString("restart-strategy.fixed-delay.delay", "100 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        env.enableCheckpointing(200);

        // Unbounded, but only the first FAILOVER_EVENTS indices become events: after the restore
        // the source is past them and emits nothing, so every row must come from the sink's state.
        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(index -> index, Long.MAX_VALUE, RateLimiterStrategy.perSecond(50_000), Types.LONG);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                .filter(index -> index < FAILOVER_EVENTS)
                .map(Event::new).returns(Event.class)
                .map(new FailAfterCheckpoint()).returns(Event.class)
                .sinkTo(sink()
                        // Records stay buffered until the failure: a batch larger than all events,
                        // and a buffer time longer than the run up to the failure even on a busy
                        // machine; after the restore they go out when it expires.
                        .setMaxBatchSize(10_000)
                        .setMaxBufferedRequests(20_000)
                        .setMaxTimeInBufferMS(10_000)
                        .build());

        JobClient job = env.executeAsync("fail after checkpoint");
        try {
            Deadline.await("every event in Tinybird", Duration.ofSeconds(120), () -> emulator.rowCount("events") >= FAILOVER_EVENTS);
        } finally {
            job.cancel().get();
        }

        assertThat(FAILED_ONCE).as("the job failed once after a checkpoint").isTrue();
        // The source emits nothing after the restore, so every row not in Tinybird at the failure
        // came from the sink's checkpointed buffer. On an idle machine that is all of them.
        System.out.printf("rows in Tinybird when the job failed: %d of %d%n", ROWS_AT_FAILURE.get(), FAILOVER_EVENTS);
        assertThat(ROWS_AT_FAILURE.get()).as("rows in Tinybird when the job failed").isBetween(0L, FAILOVER_EVENTS - 1);
        assertEveryIdOnce(FAILOVER_EVENTS, false);
        List<?> requests = emulator.requests();
        assertThat(requests).isNotEmpty();
    }

    @Test
    void checkpointsTakenWhileTinybirdCommitsLoseNothingAcrossAFailure() throws Exception {
        // Every wait=true answer takes 500 ms and a checkpoint is due every 100 ms: checkpoints
        // complete while requests are in flight, and the failure comes after one of them.
        emulator.close();
        emulator = EventsApiEmulator.builder().commitLatency(Duration.ofMillis(500)).start();
        FAILED_ONCE.set(false);
        ROWS_AT_FAILURE.set(-1);
        Configuration config = new Configuration();
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "3");
        config.setString("restart-strategy.fixed-delay.delay", "100 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        env.enableCheckpointing(100);

        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(index -> index, Long.MAX_VALUE, RateLimiterStrategy.perSecond(20_000), Types.LONG);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                .filter(index -> index < FAILOVER_EVENTS)
                .map(Event::new).returns(Event.class)
                .map(new FailAfterCheckpoint()).returns(Event.class)
                .sinkTo(sink().setMaxBatchSize(100).setMaxTimeInBufferMS(100).setMaxInFlightRequests(4).build());

        JobClient job = env.executeAsync("checkpoints under commit latency");
        try {
            Deadline.await("every event in Tinybird", Duration.ofSeconds(120), () -> idCounts().size() >= FAILOVER_EVENTS);
        } finally {
            job.cancel().get();
        }

        assertThat(FAILED_ONCE).as("the job failed once after a checkpoint").isTrue();
        System.out.printf("rows in Tinybird when the job failed: %d of %d%n", ROWS_AT_FAILURE.get(), FAILOVER_EVENTS);
        assertEveryIdOnce(FAILOVER_EVENTS, true);
    }
}
