package io.github.flinktinybird.cluster;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.github.flinktinybird.sink.TinybirdSink;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

/**
 * The job the cluster tests submit, packed with the connector into a user's fat jar: N distinct
 * events from a checkpointed generator, through the Tinybird sink.
 *
 * <p>Program arguments are {@code --key value} pairs. Job keys: {@code events} (how many),
 * {@code rate} (events per second in all, 0 = unlimited), {@code checkpoint-interval} (ms),
 * {@code idle-after-events} (true: the source never ends, and only the first {@code events}
 * indices become events, so after a restore every row must come from the sink's state),
 * {@code fail-marker} and {@code fail-after-events} (once a subtask has passed that many events and
 * a checkpoint has completed after that, the job fails once: whoever creates the marker file
 * throws). Every other key is handed to {@code TinybirdSinkBuilder.configure}, e.g. {@code endpoint},
 * {@code datasource}, {@code sink.batch.max-size}, and {@code token.env-var} or {@code token.file},
 * which the TaskManagers read: the token itself never passes through this client.
 */
public final class ClusterJob {

    private ClusterJob() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> params = parse(args);
        long events = Long.parseLong(params.remove("events"));
        long rate = Long.parseLong(params.getOrDefault("rate", "0"));
        params.remove("rate");
        long checkpointInterval = Long.parseLong(params.getOrDefault("checkpoint-interval", "1000"));
        params.remove("checkpoint-interval");
        boolean idleAfterEvents = Boolean.parseBoolean(params.remove("idle-after-events"));
        String failMarker = params.remove("fail-marker");
        long failAfterEvents = Long.parseLong(params.getOrDefault("fail-after-events", "0"));
        params.remove("fail-after-events");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(checkpointInterval);

        long count = idleAfterEvents ? Long.MAX_VALUE : events;
        // No RateLimiterStrategy variable: the type is generic in 2.x and not in 1.20.
        DataGeneratorSource<Long> source =
                rate > 0
                        ? new DataGeneratorSource<>(index -> index, count, RateLimiterStrategy.perSecond(rate), Types.LONG)
                        : new DataGeneratorSource<>(index -> index, count, Types.LONG);

        TinybirdSink<ClusterEvent> sink =
                TinybirdSink.<ClusterEvent>builder().configure(Configuration.fromMap(params)).build();

        // Stable uids, so that a savepoint restores into a changed job.
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator").uid("generator")
                .filter(new Below(events)).uid("below")
                .map(new ToEvent()).uid("to-event")
                .map(new FailOnceAfterCheckpoint(failMarker, failAfterEvents)).uid("fail-once")
                .sinkTo(sink).uid("tinybird").name("tinybird");
        env.execute("tinybird cluster test: " + events + " events");
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key value pairs, got " + args[i]);
            }
            params.put(args[i].substring(2), args[i + 1]);
        }
        return params;
    }

    /** Only indices below the event count become events. */
    static final class Below implements FilterFunction<Long> {
        private final long events;

        Below(long events) {
            this.events = events;
        }

        @Override
        public boolean filter(Long index) {
            return index < events;
        }
    }

    static final class ToEvent implements MapFunction<Long, ClusterEvent> {
        @Override
        public ClusterEvent map(Long index) {
            return new ClusterEvent(index);
        }
    }

    /**
     * Fails the job once, after a checkpoint that completed once this subtask had passed {@code
     * afterEvents} events. The marker file makes it once per run, across restarts and processes.
     */
    static final class FailOnceAfterCheckpoint implements MapFunction<ClusterEvent, ClusterEvent>, CheckpointListener {
        private final String marker;
        private final long afterEvents;
        private transient long seen;

        FailOnceAfterCheckpoint(String marker, long afterEvents) {
            this.marker = marker;
            this.afterEvents = afterEvents;
        }

        @Override
        public ClusterEvent map(ClusterEvent event) {
            seen++;
            return event;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws IOException {
            if (marker == null || seen < afterEvents) {
                return;
            }
            Path path = Paths.get(marker);
            try {
                Files.createFile(path);
            } catch (FileAlreadyExistsException alreadyFailedOnce) {
                return;
            }
            throw new IllegalStateException("forced failure after checkpoint " + checkpointId + " (test)");
        }
    }

    /** One event, about 120 bytes of JSON. Public fields so that Jackson and Flink see a POJO. */
    public static final class ClusterEvent {
        public long id;
        public String user;
        public String action;
        public long ts;
        public String page;

        public ClusterEvent() {}

        ClusterEvent(long id) {
            this.id = id;
            this.user = "user-" + (id % 9973);
            this.action = id % 7 == 0 ? "purchase" : (id % 3 == 0 ? "click" : "page_view");
            this.ts = 1_767_225_600_000L + id;
            this.page = "/products/" + (id % 1000) + "/details";
        }
    }
}
