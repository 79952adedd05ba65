package io.github.flinktinybird.sink;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.error.TinybirdSinkException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The token read where the writer opens: from a file in a real job on a MiniCluster (the
 * emulator accepts only that token, so every row proves it was read and trimmed), and the
 * failures a TaskManager without the secret meets, each naming the file or the variable.
 */
class TokenOnTheTaskManagerITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** The element type of the job. */
    public static final class Event {
        public long id;

        public Event() {}

        Event(long id) {
            this.id = id;
        }
    }

    private final String token = "p.FILE" + UUID.randomUUID().toString().replace("-", "");
    private EventsApiEmulator emulator;

    @BeforeEach
    void start() {
        emulator = EventsApiEmulator.builder().token(token).start();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void aJobReadsTheTokenFromAFileWithATrailingNewline(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("token"), token + "\n"); // as `echo $TOKEN > file` writes it
        long n = 2_000;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromSequence(0, n - 1).map(Event::new).returns(Event.class)
                .sinkTo(TinybirdSink.<Event>builder()
                        .setEndpoint(emulator.endpoint())
                        .setTokenFile(secret.toString())
                        .setDataSource("events")
                        .setMaxBatchSize(500)
                        .build());

        env.execute("token from a file");

        Set<Long> ids = new HashSet<>();
        for (ObjectNode row : emulator.rows("events")) {
            ids.add(row.get("id").asLong());
        }
        assertThat(ids).hasSize((int) n);
    }

    @Test
    void aWriterWhoseTokenFileIsMissingFailsNamingThePath(@TempDir Path dir) {
        String path = dir.resolve("not-mounted").toString();
        TinybirdSink<Event> sink = TinybirdSink.<Event>builder()
                .setEndpoint(emulator.endpoint()).setTokenFile(path).setDataSource("events").build();

        assertThatThrownBy(() -> sink.restoreWriter(new WriterTestContext(), Collections.emptyList()))
                .isInstanceOf(TinybirdSinkException.class)
                .hasMessageContaining("the token file '" + path + "' (token.file) does not exist on this TaskManager");
        assertThat(emulator.requests()).isEmpty();
    }

    @Test
    void aWriterWhoseVariableIsNotSetFailsNamingTheVariable() {
        String variable = "TINYBIRD_TOKEN_NOT_SET_" + UUID.randomUUID().toString().replace("-", "").toUpperCase();
        TinybirdSink<Event> sink = TinybirdSink.<Event>builder()
                .setEndpoint(emulator.endpoint()).setTokenEnvironmentVariable(variable).setDataSource("events").build();

        assertThatThrownBy(() -> sink.restoreWriter(new WriterTestContext(), Collections.emptyList()))
                .isInstanceOf(TinybirdSinkException.class)
                .hasMessageContaining("the environment variable " + variable + " (token.env-var) is not set on this TaskManager");
    }
}
