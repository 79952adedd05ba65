package io.github.flinktinybird.sink;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.http.Compression;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flink 1.20 only: code that still creates writers through the deprecated {@code
 * Sink.InitContext} gets the same writer, wired to the task's own context (here: its metrics).
 */
@SuppressWarnings("deprecation")
class DeprecatedInitContextTest {

    private EventsApiEmulator emulator;
    private WriterTestContext context;

    @BeforeEach
    void start() {
        emulator = EventsApiEmulator.builder().start();
        context = new WriterTestContext();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private TinybirdSink<Map<String, Object>> sink() {
        return TinybirdSink.<Map<String, Object>>builder()
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource("events")
                .setCompression(Compression.NONE)
                .build();
    }

    @Test
    void createWriterWithTheOldContextDeliversAndCountsInTheTasksMetrics() throws Exception {
        TinybirdSinkWriter<Map<String, Object>> writer = sink().createWriter(new Sink.InitContextWrapper(context));
        try {
            writer.write(Map.of("id", 1), NO_CONTEXT);
            writer.flush(true);
        } finally {
            writer.close();
        }

        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":1}");
        assertThat(context.counter("numRecordsSend")).isEqualTo(1);
    }

    @Test
    void restoreWriterWithTheOldContextDeliversTheRestoredBuffer() throws Exception {
        TinybirdRecord restored = new TinybirdRecord("events", "{\"id\":0}".getBytes(StandardCharsets.UTF_8));
        BufferedRequestState<TinybirdRecord> state =
                new BufferedRequestState<>(List.of(new RequestEntryWrapper<>(restored, restored.sizeInBytes())));

        TinybirdSinkWriter<Map<String, Object>> writer =
                sink().restoreWriter(new Sink.InitContextWrapper(context), List.of(state));
        try {
            writer.write(Map.of("id", 1), NO_CONTEXT);
            writer.flush(true);
        } finally {
            writer.close();
        }

        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":0}", "{\"id\":1}");
    }
}
