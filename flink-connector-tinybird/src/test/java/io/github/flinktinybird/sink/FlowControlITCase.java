package io.github.flinktinybird.sink;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.emulator.RecordedRequest;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.testutil.Deadline;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Jobs on a MiniCluster (parallelism 2) against an Events API that enforces a request quota. */
class FlowControlITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private EventsApiEmulator emulator;

    @AfterEach
    void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private TinybirdSinkBuilder<TinybirdSinkITCase.Event> sink() {
        return TinybirdSink.<TinybirdSinkITCase.Event>builder()
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource("events");
    }

    private static StreamExecutionEnvironment noRestarts() {
        Configuration config = new Configuration();
        config.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        return env;
    }

    private static long count(List<RecordedRequest> requests, String dataSource, int status) {
        return requests.stream().filter(r -> dataSource.equals(r.dataSource()) && r.status() == status).count();
    }

    private void assertEveryIdOnce(String dataSource, long from, long to) {
        Map<String, Integer> counts = emulator.idCounts(dataSource);
        assertThat(counts).as("rows of %s", dataSource).hasSize((int) (to - from));
        assertThat(counts.values()).as("no duplicates in %s", dataSource).allMatch(c -> c == 1);
        assertThat(counts.keySet().stream().map(Long::parseLong).collect(Collectors.toSet()))
                .allMatch(id -> id >= from && id < to);
    }

    /**
     * 10 requests/s per Data Source, 1 s commit latency, two subtasks sharing the budget, and only
     * two attempts per record: a 429 that spent an attempt would fail the job after two of them.
     * About 15 s of requests, so that the first seconds (a burst before the first answer shows the
     * quota) are not most of the run.
     */
    @Test
    @Timeout(180)
    void aSharedRequestQuotaIsRespectedWithoutSpendingRetryAttempts() throws Exception {
        emulator = EventsApiEmulator.builder().keepOnlyIds("id").requestQuota(10).commitLatency(Duration.ofSeconds(1)).start();
        long n = 150_000;
        StreamExecutionEnvironment env = noRestarts();
        env.fromSequence(0, n - 1).map(TinybirdSinkITCase.Event::new).returns(TinybirdSinkITCase.Event.class)
                .sinkTo(sink()
                        .setMaxBatchSize(1_000)
                        .setRetryPolicy(RetryPolicy.builder().maxAttempts(2).build())
                        .build());

        env.execute("under a request quota");

        assertEveryIdOnce("events", 0, n);
        List<RecordedRequest> requests = emulator.requests();
        long rateLimited = count(requests, "events", 429);
        System.out.printf("requests=%d, 429s=%d%n", requests.size(), rateLimited);
        // What this test proves is that no 429 spends an attempt (two would fail the job). The
        // share of 429s, whose bar (10%) bench/quota.sh measures, is only bounded loosely here
        // against a storm of them: on a busy machine late timers bunch requests into one window.
        assertThat(rateLimited).as("429s of %d requests", requests.size()).isLessThanOrEqualTo(requests.size() / 4);
    }

    /**
     * Most events go to a Data Source that can take 2 requests/s; the last few to another that
     * is idle. The idle one's rows land while the busy one still waits on its quota.
     */
    @Test
    @Timeout(180)
    void aThrottledDataSourceDoesNotHoldBackAnother() throws Exception {
        emulator = EventsApiEmulator.builder().keepOnlyIds("id").requestQuota(2).start();
        long n = 6_000;
        long quietFrom = n - 200;
        StreamExecutionEnvironment env = noRestarts();
        env.fromSequence(0, n - 1).map(TinybirdSinkITCase.Event::new).returns(TinybirdSinkITCase.Event.class)
                .sinkTo(TinybirdSink.<TinybirdSinkITCase.Event>builder()
                        .setEndpoint(emulator.endpoint())
                        .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                        .setDataSourceSelector(e -> e.id >= quietFrom ? "quiet" : "busy")
                        .setMaxBatchSize(300)
                        .setRetryPolicy(RetryPolicy.builder().maxAttempts(2).build())
                        .build());

        CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
            try {
                env.execute("two Data Sources, one throttled");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The busy Data Source needs at least 18 requests at 2 requests/s: about 9 s at best.
        Deadline.await("every row of the quiet Data Source", Duration.ofSeconds(60),
                () -> emulator.rowCount("quiet") == n - quietFrom || job.isDone());
        long busyThen = emulator.rowCount("busy");
        job.get();

        assertThat(busyThen).as("busy rows when the quiet Data Source was complete").isLessThan(quietFrom);
        assertEveryIdOnce("quiet", quietFrom, n);
        assertEveryIdOnce("busy", 0, quietFrom);
        assertThat(count(emulator.requests(), "quiet", 429)).isZero();
    }

    /** Tinybird never lets the Data Source through: the job fails, saying what to change. */
    @Test
    @Timeout(120)
    void aDataSourceThrottledPastTheWaitBudgetFailsTheJobSayingSo() {
        emulator = EventsApiEmulator.builder()
                .faultPlan(FaultPlan.builder().retryAfterSeconds(1).probability(Fault.RATE_LIMITED, 1.0).build())
                .start();
        StreamExecutionEnvironment env = noRestarts();
        env.fromSequence(0, 99).map(TinybirdSinkITCase.Event::new).returns(TinybirdSinkITCase.Event.class)
                .sinkTo(sink()
                        // Attempts are not what bounds the wait: the budget is.
                        .setRetryPolicy(RetryPolicy.builder().maxAttempts(1_000).build())
                        .setFlowControlWaitBudget(Duration.ofSeconds(2))
                        .build());

        Throwable failure = catchThrowable(() -> env.execute("never let through"));

        assertThat(failure).isNotNull();
        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("Tinybird kept throttling Data Source 'events'")
                .contains("sink.flow-control.wait-budget (PT2S)");
        assertThat(emulator.rowCount("events")).isZero();
    }
}
