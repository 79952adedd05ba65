package io.github.flinktinybird.sink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.sink.TinybirdSinkITCase.Event;
import io.github.flinktinybird.testutil.Deadline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A savepoint taken on one Flink line while the sink still buffers records, restored on another.
 *
 * <p>One Maven build has one Flink on its classpath, so this takes two builds: the 1.20 build writes
 * the savepoint when {@code -Dtinybird.savepoint.write-to=DIR} is given, and every build restores
 * one, by default the committed fixture {@code savepoints/flink-1.20-buffered} (written by {@code
 * .ci/run}'s 1.20 build in the same way), or the one in {@code -Dtinybird.savepoint.restore-from=DIR}.
 * The job is the same on both sides: an unbounded generator of which only the first {@link #EVENTS}
 * indices pass, so after the restore the source emits nothing and every row must come out of the
 * sink's state in the savepoint.
 */
class CrossVersionSavepointITCase {

    static final long EVENTS = 1_000;
    static final String FIXTURE = "/savepoints/flink-1.20-buffered/_metadata";

    /** Events that reached the sink in the current job. */
    private static final AtomicLong EMITTED = new AtomicLong();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private EventsApiEmulator emulator;

    @BeforeEach
    void startEmulator() {
        emulator = EventsApiEmulator.builder().start();
        EMITTED.set(0);
    }

    @AfterEach
    void stopEmulator() {
        emulator.close();
    }

    /** The job of both sides; the uids are what ties the savepoint's state to the operators. */
    private static void defineJob(StreamExecutionEnvironment env, TinybirdSink<Event> sink) {
        env.setParallelism(1);
        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(index -> index, Long.MAX_VALUE, RateLimiterStrategy.perSecond(20_000), Types.LONG);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator").uid("generator")
                .filter(index -> index < EVENTS).uid("first-events")
                .map(index -> {
                    EMITTED.incrementAndGet();
                    return new Event(index);
                }).returns(Event.class).uid("to-event")
                .sinkTo(sink).uid("tinybird-sink");
    }

    private TinybirdSinkBuilder<Event> sink() {
        return TinybirdSink.<Event>builder()
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource("events")
                .setMaxBatchSize(2 * (int) EVENTS)
                .setMaxBufferedRequests(4 * (int) EVENTS);
    }

    @Test
    @EnabledIfSystemProperty(named = "tinybird.savepoint.write-to", matches = ".+")
    void writesASavepointWhileEveryRecordIsBuffered(@TempDir Path savepoints) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // Nothing may leave the buffer before the savepoint: one batch holds every event, and the
        // buffer time is far longer than the test.
        defineJob(env, sink().setMaxTimeInBufferMS(Duration.ofHours(1).toMillis()).build());

        JobClient job = env.executeAsync("savepoint with buffered records");
        String savepoint;
        try {
            Deadline.await("every event in the sink", Duration.ofSeconds(60), () -> EMITTED.get() == EVENTS);
            savepoint = job.triggerSavepoint(savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
        } finally {
            job.cancel().get();
        }

        assertThat(emulator.rowCount("events")).as("rows sent before the savepoint").isZero();
        Path target = Paths.get(System.getProperty("tinybird.savepoint.write-to"));
        Files.createDirectories(target);
        Path written = Paths.get(java.net.URI.create(savepoint.startsWith("file:") ? savepoint : "file:" + savepoint));
        try (Stream<Path> files = Files.list(written)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, target.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.out.printf("Flink %s savepoint with %d buffered records written to %s%n", EnvironmentInformation.getVersion(), EVENTS, target);
    }

    @Test
    void restoresASavepointFromFlink120AndDeliversEveryBufferedRecord() throws Exception {
        Path savepoint = savepointToRestore();
        Configuration config = new Configuration();
        SavepointRestoreSettings.toConfiguration(SavepointRestoreSettings.forPath(savepoint.toString(), false), config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        defineJob(env, sink().setMaxTimeInBufferMS(100).build());

        JobClient job = env.executeAsync("restore a savepoint with buffered records");
        try {
            Deadline.await("every buffered event in Tinybird", Duration.ofSeconds(60), () -> emulator.rowCount("events") >= EVENTS);
        } finally {
            job.cancel().get();
        }

        assertThat(EMITTED.get()).as("events the restored source emitted (it resumes past them)").isZero();
        Map<Long, Integer> counts = new HashMap<>();
        for (ObjectNode row : emulator.rows("events")) {
            counts.merge(row.get("id").asLong(), 1, Integer::sum);
        }
        assertThat(counts).hasSize((int) EVENTS);
        for (long id = 0; id < EVENTS; id++) {
            assertThat(counts).containsEntry(id, 1);
        }
        System.out.printf("Flink %s restored %s and delivered %d buffered records%n", EnvironmentInformation.getVersion(), savepoint, counts.size());
    }

    private static Path savepointToRestore() throws URISyntaxException, IOException {
        String given = System.getProperty("tinybird.savepoint.restore-from", "");
        if (!given.isEmpty()) {
            return Paths.get(given).toAbsolutePath();
        }
        URL fixture = CrossVersionSavepointITCase.class.getResource(FIXTURE);
        assertThat(fixture).as("the committed savepoint " + FIXTURE).isNotNull();
        return Paths.get(fixture.toURI()).getParent();
    }
}
