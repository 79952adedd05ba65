package io.github.flinktinybird.bench;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.sink.TinybirdSink;

import java.time.Duration;
import java.util.Locale;

/**
 * Events/s of a job checkpointing every second against the same job checkpointing every 10
 * minutes, with an Events API that takes a commit latency to answer each {@code wait=true}
 * request (issue 11: a checkpoint must not wait for Tinybird). Parallelism 2, the sink's defaults.
 *
 * <p>Run with {@code bench/checkpoints.sh [latencyMs] [seconds]}; prints one line per run and the
 * ratio.
 */
public final class CheckpointBench {

    public static void main(String[] args) throws Exception {
        long latencyMs = args.length > 0 ? Long.parseLong(args[0]) : 1_000;
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 30;
        double rare = run(latencyMs, Duration.ofMinutes(10), seconds);
        double often = run(latencyMs, Duration.ofSeconds(1), seconds);
        System.out.printf(Locale.ROOT, "[checkpoints] commit latency %d ms: every 1 s / every 10 min = %.2f%n", latencyMs, often / rare);
        System.exit(0);
    }

    /** Events/s committed over the last two thirds of a run of {@code seconds}. */
    private static double run(long latencyMs, Duration checkpointInterval, long seconds) throws Exception {
        try (EventsApiEmulator emulator =
                EventsApiEmulator.builder().commitLatency(Duration.ofMillis(latencyMs)).countRowsOnly().start()) {
            Configuration config = new Configuration();
            config.set(PipelineOptions.OBJECT_REUSE, true);
            // The state holds what is in flight (up to 8 batches of 10,000 records per subtask):
            // more than the 5 MB that memory-backed checkpoint storage allows, as in production.
            config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    java.nio.file.Files.createTempDirectory("checkpoint-bench").toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, config);
            env.enableCheckpointing(checkpointInterval.toMillis());
            DataGeneratorSource<BenchEvent> source =
                    new DataGeneratorSource<>(BenchEvent::of, Long.MAX_VALUE, RateLimiterStrategy.noOp(), TypeInformation.of(BenchEvent.class));
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator")
                    .sinkTo(TinybirdSink.<BenchEvent>builder()
                            .setEndpoint(emulator.endpoint())
                            .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                            .setDataSource("bench_events")
                            .build());
            JobClient job = env.executeAsync("checkpoint-bench");
            long warmupNanos = seconds * 1_000_000_000L / 3;
            long started = System.nanoTime();
            waitUntil(started + warmupNanos);
            long rowsAtStart = emulator.totalRowCount();
            long windowStart = System.nanoTime();
            waitUntil(started + seconds * 1_000_000_000L);
            long rows = emulator.totalRowCount() - rowsAtStart;
            double window = (System.nanoTime() - windowStart) / 1e9;
            job.cancel().get();
            double perSecond = rows / window;
            System.out.printf(Locale.ROOT, "[checkpoints] commit latency %d ms, checkpoint every %s: %.0f events/s (%d rows in %.1f s)%n",
                    latencyMs, checkpointInterval, perSecond, rows, window);
            return perSecond;
        }
    }

    /** A benchmark's measuring window, not a synchronization: the job runs meanwhile. */
    private static void waitUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(left / 1_000_000 + 1, 500));
        }
    }

    private CheckpointBench() {}
}
