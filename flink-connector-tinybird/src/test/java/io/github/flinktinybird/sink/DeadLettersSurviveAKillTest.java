package io.github.flinktinybird.sink;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.error.ObjectStoreTestFileSystem;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.testutil.StubEndpoint;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The whole chain on an S3-like file system: Tinybird rejects every request, the sink dead-letters
 * the records and drops them from its state, then the TaskManager dies without closing anything.
 * Every record the state no longer holds must be in the bucket.
 */
class DeadLettersSurviveAKillTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Event(long id) {}

    @TempDir Path bucket;
    private StubEndpoint endpoint;
    private TinybirdSinkWriter<Event> writer;

    @BeforeEach
    void start() {
        ObjectStoreTestFileSystem.reset();
        endpoint = StubEndpoint.answering(400, "{\"error\":\"column id is not nullable\"}", Map.of());
    }

    @AfterEach
    void stop() {
        // Only now, after the assertions: until here the writer was as good as killed.
        if (writer != null) {
            writer.close();
        }
        endpoint.close();
    }

    @Test
    void recordsThatLeftTheStateAsDeadLettersAreInTheBucketAfterAKill() throws Exception {
        writer = TinybirdSink.<Event>builder()
                .setEndpoint(endpoint.endpoint())
                .setToken("stub-token")
                .setDataSource("events")
                .setCompression(Compression.NONE)
                .setMaxBatchSize(10)
                .setMaxBufferedRequests(100)
                .setMaxTimeInBufferMS(3_600_000)
                .setErrorPolicy(ErrorPolicy.deadLetterTo(ObjectStoreTestFileSystem.uri(bucket)))
                .build()
                .restoreWriter(new WriterTestContext(), Collections.emptyList());
        for (int i = 0; i < 25; i++) {
            writer.write(new Event(i), NO_CONTEXT);
        }
        writer.flush(true);
        List<BufferedRequestState<TinybirdRecord>> state = writer.snapshotState(1);

        // The TaskManager is lost here: no close(), no flush of anything still open.
        assertThat(state).allSatisfy(s -> assertThat(s.getBufferedRequestEntries()).isEmpty());
        assertThat(idsInTheBucket()).as("records neither in the state nor in the bucket are lost")
                .containsExactlyInAnyOrderElementsOf(range(25));
    }

    private List<Long> idsInTheBucket() throws Exception {
        List<Long> ids = new ArrayList<>();
        List<Path> objects;
        try (Stream<Path> files = Files.list(bucket)) {
            objects = files.filter(p -> p.getFileName().toString().startsWith("tinybird-dead-letters-")).collect(Collectors.toList());
        }
        for (Path object : objects) {
            for (String line : Files.readAllLines(object, StandardCharsets.UTF_8)) {
                ids.add(MAPPER.readTree(line).get("record").get("id").asLong());
            }
        }
        return ids;
    }

    private static List<Long> range(int n) {
        List<Long> ids = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            ids.add(i);
        }
        return ids;
    }
}
