package io.github.flinktinybird.bench;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.sink.TinybirdSink;

import java.util.concurrent.locks.LockSupport;

/**
 * Flink jobs of the benchmark: a parallelism-1 generator of {@link BenchEvent}s chained to a sink,
 * on a local MiniCluster in this JVM.
 */
final class SinkJobs {
    /** {@code nanoTime} at which event 0 was made; set by the generator. */
    static volatile long firstEventNanos;
    /** When set (latency run), the {@code nanoTime} at which each event was made, by id. */
    static volatile long[] madeNanos;
    /**
     * Flink's {@code pipeline.object-reuse}, off by default as in Flink. Off, Flink copies each
     * element between the chained generator and sink with its POJO serializer: what users run, so
     * the headline. The sink serializes the element inside {@code write} and keeps no reference
     * to it, so reuse is safe with it.
     */
    static volatile boolean objectReuse = false;
    /**
     * Whether every job runs on one MiniCluster, started for the first, as Flink's own benchmarks
     * keep one cluster for all their jobs, rather than on a cluster of its own. A cluster per job
     * runs start-up code (configuration parsing, RPC set-up, class loading) again for each, and
     * the JIT was seen compiling it during later jobs' measured windows (docs/performance.md,
     * fifth pass); on two cores that takes CPU from what is measured.
     */
    static volatile boolean sharedCluster = true;
    private static MiniCluster cluster;

    /** The sink's settings in one run. */
    static final class Settings {
        final boolean gzip;
        final int batchRecords;
        final long batchBytes;
        final int inFlight;
        final long maxTimeInBufferMs;

        Settings(boolean gzip, int batchRecords, long batchBytes, int inFlight, long maxTimeInBufferMs) {
            this.gzip = gzip;
            this.batchRecords = batchRecords;
            this.batchBytes = batchBytes;
            this.inFlight = inFlight;
            this.maxTimeInBufferMs = maxTimeInBufferMs;
        }

        Settings withGzip(boolean on) {
            return new Settings(on, batchRecords, batchBytes, inFlight, maxTimeInBufferMs);
        }

        @Override
        public String toString() {
            return (gzip ? "gzip" : "none") + ", " + batchRecords + " records / " + batchBytes + " B, " + inFlight + " in flight, " + maxTimeInBufferMs + " ms";
        }
    }

    static TinybirdSink<BenchEvent> tinybirdSink(String endpoint, Settings s) {
        return TinybirdSink.<BenchEvent>builder()
                .setEndpoint(endpoint)
                .setToken("bench-token")
                .setDataSource("bench_events")
                .setCompression(s.gzip ? Compression.GZIP : Compression.NONE)
                .setMaxBatchSize(s.batchRecords)
                .setMaxBatchSizeInBytes(s.batchBytes)
                .setMaxInFlightRequests(s.inFlight)
                .setMaxTimeInBufferMS(s.maxTimeInBufferMs)
                // The record cap must fit in a batch; the default 1 MiB does not fit the smallest.
                .setMaxRecordSizeInBytes(Math.min(1024 * 1024, s.batchBytes))
                .build();
    }

    /**
     * Runs {@code count} events through {@code sink} and returns when the job has finished (the
     * sink flushes everything at the end of input).
     *
     * @param perSecond the generator's rate, or 0 for as fast as the sink takes them
     */
    static void run(Sink<BenchEvent> sink, long count, double perSecond) throws Exception {
        firstEventNanos = 0;
        double nanosPerEvent = perSecond > 0 ? 1e9 / perSecond : 0;
        // Paced here rather than with Flink's RateLimiterStrategy, whose per-record futures cost
        // several microseconds each and capped the rate near 130,000 events/s on this machine.
        GeneratorFunction<Long, BenchEvent> generator =
                index -> {
                    long now = System.nanoTime();
                    if (index == 0) {
                        firstEventNanos = now;
                    } else if (nanosPerEvent > 0 && (index & 255) == 0) {
                        long due = firstEventNanos + (long) (index * nanosPerEvent);
                        while (due - now > 1_000_000) {
                            LockSupport.parkNanos(due - now);
                            now = System.nanoTime();
                        }
                    }
                    long[] made = madeNanos;
                    if (made != null) {
                        made[index.intValue()] = now;
                    }
                    return BenchEvent.of(index);
                };
        DataGeneratorSource<BenchEvent> source =
                new DataGeneratorSource<>(generator, count, RateLimiterStrategy.noOp(), TypeInformation.of(BenchEvent.class));
        Configuration config = new Configuration();
        config.set(PipelineOptions.OBJECT_REUSE, objectReuse);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, config);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator").sinkTo(sink);
        if (sharedCluster) {
            cluster().executeJobBlocking(env.getStreamGraph().getJobGraph());
        } else {
            env.execute("tinybird-bench");
        }
    }

    /** The cluster every job runs on when {@link #sharedCluster}: one task manager with one slot. */
    private static synchronized MiniCluster cluster() throws Exception {
        if (cluster == null) {
            Configuration config = new Configuration();
            // Any free port for its REST endpoint, as a local environment's own cluster takes.
            config.set(RestOptions.BIND_PORT, "0");
            MiniCluster started = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(config)
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(1)
                    .build());
            started.start();
            cluster = started;
        }
        return cluster;
    }

    /** Stops the shared cluster, if one was started. */
    static synchronized void closeCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    private SinkJobs() {}
}
