package io.github.flinktinybird.examples;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.github.flinktinybird.sink.TinybirdSink;
import io.github.flinktinybird.sink.TinybirdSinkBuilder;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The example job: web-analytics events from a generator, streamed into a Tinybird Data Source by
 * {@link TinybirdSink}.
 *
 * <p>Every setting is a Flink configuration key: {@code flink run -Dsink.batch.max-size=5000
 * job.jar} on a cluster (or the key in Flink's config file), {@code ./run-example.sh
 * -Dsink.batch.max-size=5000} locally. The token and endpoint may also come from the environment
 * variables {@code TINYBIRD_TOKEN} and {@code TINYBIRD_ENDPOINT}. Without a token, a local run
 * writes to the embedded Events API emulator, so it needs no account.
 *
 * <p>A local run prints a progress line every second, read from the sink's metrics through
 * {@link ProgressReporter}, then a summary and a read-back of the Data Source.
 */
public final class WebAnalyticsJob {
    private static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(5);

    private WebAnalyticsJob() {}

    public static void main(String[] args) throws Exception {
        run(ProgramArguments.toConfiguration(args), System.getenv(), System.out);
    }

    static void run(Configuration settings, Map<String, String> environment, PrintStream out) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(settings);
        boolean local = env instanceof LocalStreamEnvironment;
        if (local) {
            // Only a MiniCluster in this JVM can feed the progress line; a cluster has its web UI.
            ProgressMetrics.LOCAL.reset();
            env = StreamExecutionEnvironment.createLocalEnvironment(ProgressReporter.addTo(settings));
        }
        ReadableConfig config = env.getConfiguration();
        Optional<TinybirdTarget> configured = TinybirdTarget.configured(config, environment);
        if (configured.isPresent()) {
            TinybirdTarget target = configured.get();
            JobRun run = start(env, config, target, "Tinybird at " + target.endpoint, local, out);
            if (run.finished(out)) {
                TinybirdReadBack.print(target, run.runId, run.events, out);
            }
        } else if (local) {
            runEmbedded(env, config, out);
        } else {
            throw new IllegalArgumentException(
                    "no Tinybird token: set the environment variable " + TinybirdTarget.TOKEN_VARIABLE
                            + " where you run `flink run`, or pass -Dtoken.file=... or -Dtoken.env-var=... (read on the"
                            + " TaskManagers) or -Dtoken=... (and -Dendpoint=... for your region);"
                            + " the embedded Events API only exists in a local run");
        }
    }

    private static void runEmbedded(StreamExecutionEnvironment env, ReadableConfig config, PrintStream out)
            throws Exception {
        try (EmbeddedTinybird tinybird = EmbeddedTinybird.start(config.get(ExampleOptions.EMULATOR_FAULT_RATE))) {
            TinybirdTarget target = TinybirdTarget.embedded(tinybird.endpoint(), tinybird.token(), config);
            JobRun run = start(env, config, target, tinybird.describe(), true, out);
            if (run.finished(out)) {
                tinybird.printReadBack(target.dataSource, run.events, out);
            }
        }
    }

    private static JobRun start(
            StreamExecutionEnvironment env, ReadableConfig config, TinybirdTarget target, String where, boolean local,
            PrintStream out) throws Exception {
        String runId = "run_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
        long events = config.get(ExampleOptions.EVENTS);
        TinybirdSink<WebEvent> sink = sink(config, target);
        if (config.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isEmpty()) {
            env.enableCheckpointing(DEFAULT_CHECKPOINT_INTERVAL.toMillis());
        }
        addPipeline(env, config, sink, runId);

        out.printf("Streaming %,d web-analytics events (%s) to Data Source '%s' on %s.%n",
                events, rate(config), target.dataSource, where);
        out.println("Sink settings: " + sink);
        JobClient client = env.executeAsync("Web analytics to Tinybird (" + runId + ")");
        out.println("Job " + client.getJobID() + " submitted, run id " + runId + ".");
        return new JobRun(client, runId, events, local, config.get(DeploymentOptions.ATTACHED));
    }

    /** The sink as the job builds it: every key of the job configuration applies. */
    static TinybirdSink<WebEvent> sink(ReadableConfig config, TinybirdTarget target) {
        TinybirdSinkBuilder<WebEvent> builder = TinybirdSink.<WebEvent>builder()
                .setDataSource(target.dataSource)
                .configure(config)
                .setEndpoint(target.endpoint);
        if (target.token != null) {
            builder.setToken(target.token);
        }
        return builder.build();
    }

    static void addPipeline(StreamExecutionEnvironment env, ReadableConfig config, TinybirdSink<WebEvent> sink, String runId) {
        int perSecond = config.get(ExampleOptions.EVENTS_PER_SECOND);
        DataGeneratorSource<WebEvent> source = new DataGeneratorSource<>(
                new WebEventGenerator(runId),
                config.get(ExampleOptions.EVENTS),
                perSecond > 0 ? RateLimiterStrategy.perSecond(perSecond) : RateLimiterStrategy.noOp(),
                TypeInformation.of(WebEvent.class));
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "Web analytics events")
                .sinkTo(sink)
                .name("Tinybird");
    }

    private static String rate(ReadableConfig config) {
        int perSecond = config.get(ExampleOptions.EVENTS_PER_SECOND);
        return perSecond > 0 ? String.format("%,d/s", perSecond) : "as fast as possible";
    }

    /** A submitted job: waits for it, printing progress when it runs in this JVM. */
    private static final class JobRun {
        final JobClient client;
        final String runId;
        final long events;
        final boolean local;
        final boolean attached;

        JobRun(JobClient client, String runId, long events, boolean local, boolean attached) {
            this.client = client;
            this.runId = runId;
            this.events = events;
            this.local = local;
            this.attached = attached;
        }

        /** Waits for the job; false when it was submitted detached and nothing can be read back yet. */
        boolean finished(PrintStream out) throws Exception {
            if (!attached) {
                out.println("Submitted detached: follow the job in Flink's web UI (the Tinybird sink's metrics"
                        + " rowsCommitted, requestsRetry, rowsQuarantined are on its operator).");
                return false;
            }
            Progress progress = local ? new Progress(ProgressMetrics.LOCAL) : null;
            JobExecutionResult result;
            while (true) {
                try {
                    result = client.getJobExecutionResult().get(1, TimeUnit.SECONDS);
                    break;
                } catch (TimeoutException stillRunning) {
                    if (progress != null) {
                        out.println(progress.line());
                    }
                } catch (ExecutionException failed) {
                    throw new IllegalStateException("the job failed: " + rootMessage(failed), failed);
                }
            }
            out.printf("Job finished in %.1f s.%n", result.getNetRuntime() / 1000.0);
            if (progress != null) {
                out.println(progress.summary());
            }
            return true;
        }

        private static String rootMessage(Throwable error) {
            Throwable cause = error;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            return cause.getMessage();
        }
    }
}
