package io.github.flinktinybird.bench;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.RecordedRequest;
import io.github.flinktinybird.sink.TinybirdSink;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Goodput under Tinybird's conditions (issue 12): an Events API allowing {@code quota} requests/s
 * per Data Source with a commit latency, parallelism 2, the sink's defaults (batches of 10,000
 * rows), checkpoints every 10 s. Goodput is rows committed per second over the last two thirds of
 * a run, as a share of the quota bound (quota × 10,000 rows/s); also the share of requests
 * answered 429 in that window.
 *
 * <p>Run with {@code bench/quota.sh [latenciesMs=1000,3000] [seconds=40] [flowControl=true]
 * [maxInFlight=default] [quota=10]}.
 */
public final class QuotaBench {
    private static final int BATCH = 10_000;

    public static void main(String[] args) throws Exception {
        String[] latencies = (args.length > 0 ? args[0] : "1000,3000").split(",");
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 40;
        boolean flowControl = args.length <= 2 || Boolean.parseBoolean(args[2]);
        Integer maxInFlight = args.length > 3 && !args[3].equals("default") ? Integer.valueOf(args[3]) : null;
        int quota = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        for (String latency : latencies) {
            run(Long.parseLong(latency.trim()), seconds, flowControl, maxInFlight, quota);
        }
        System.exit(0);
    }

    private static void run(long latencyMs, long seconds, boolean flowControl, Integer maxInFlight, int quota) throws Exception {
        try (EventsApiEmulator emulator = EventsApiEmulator.builder()
                .commitLatency(Duration.ofMillis(latencyMs)).requestQuota(quota).keepOnlyIds("id").start()) {
            Configuration config = new Configuration();
            config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    java.nio.file.Files.createTempDirectory("quota-bench").toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, config);
            env.enableCheckpointing(10_000);
            DataGeneratorSource<BenchEvent> source =
                    new DataGeneratorSource<>(BenchEvent::of, Long.MAX_VALUE, RateLimiterStrategy.noOp(), TypeInformation.of(BenchEvent.class));
            var sink = TinybirdSink.<BenchEvent>builder()
                    .setEndpoint(emulator.endpoint())
                    .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                    .setDataSource("bench_events")
                    .setFlowControl(flowControl);
            if (maxInFlight != null) {
                sink.setMaxInFlightRequests(maxInFlight);
            }
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator").sinkTo(sink.build());
            JobClient job = env.executeAsync("quota-bench");
            long started = System.nanoTime();
            waitUntil(started + seconds * 1_000_000_000L / 3);
            long rowsAtStart = emulator.totalRowCount();
            int requestsAtStart = emulator.requests().size();
            long windowStart = System.nanoTime();
            waitUntil(started + seconds * 1_000_000_000L);
            long rows = emulator.totalRowCount() - rowsAtStart;
            List<RecordedRequest> requests = emulator.requests();
            double window = (System.nanoTime() - windowStart) / 1e9;
            job.cancel().get();
            List<RecordedRequest> inWindow = requests.subList(requestsAtStart, requests.size());
            long limited = inWindow.stream().filter(r -> r.status() == 429).count();
            double goodput = rows / window;
            System.out.printf(Locale.ROOT,
                    "[quota] latency %d ms, quota %d req/s, flowControl=%s, maxInFlight=%s: %.0f rows/s = %.2fx of the bound,"
                            + " %d requests, 429s %.1f%%%n",
                    latencyMs, quota, flowControl, maxInFlight == null ? "default" : maxInFlight, goodput,
                    goodput / (quota * (double) BATCH), inWindow.size(), inWindow.isEmpty() ? 0.0 : 100.0 * limited / inWindow.size());
        }
    }

    /** A benchmark's measuring window, not a synchronization: the job runs meanwhile. */
    private static void waitUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(left / 1_000_000 + 1, 500));
        }
    }

    private QuotaBench() {}
}
