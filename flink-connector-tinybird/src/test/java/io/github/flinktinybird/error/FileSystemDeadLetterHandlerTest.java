package io.github.flinktinybird.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class FileSystemDeadLetterHandlerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant FAILED_AT = Instant.parse("2026-11-26T16:00:00.123Z");

    @TempDir Path dir;

    private String uri() {
        return dir.toUri().toString();
    }

    private static List<byte[]> lines(String... json) {
        List<byte[]> lines = new ArrayList<>();
        for (String line : json) {
            lines.add(line.getBytes(StandardCharsets.UTF_8));
        }
        return lines;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().collect(Collectors.toList());
        }
    }

    private static List<JsonNode> envelopes(Path file) throws IOException {
        List<JsonNode> envelopes = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            envelopes.add(MAPPER.readTree(line));
        }
        return envelopes;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void writesEachRecordAsAnEnvelopeLine() throws Exception {
        String first = "{\"id\":1,\"name\":\"Zoë ✓\",\"n\":0.12345678901234567890123}";
        String second = "{\"id\":2,\"nested\":{\"list\":[1,2]}}";
        FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(uri());
        handler.open(3, 0);

        handler.write(
                new DeadLetter(
                        "events",
                        lines(first, second),
                        "Tinybird rejected the request (400): \"bad\"\nrow",
                        400,
                        FAILED_AT));
        handler.write(
                new DeadLetter(
                        "clicks", List.of(), "a element could not be serialized", 0, FAILED_AT.plusSeconds(1)));
        handler.close();

        // One file per letter, in the order written.
        List<Path> files = files();
        assertThat(files).hasSize(2);
        assertThat(files.get(0).getFileName().toString()).matches("tinybird-dead-letters-3-0-[0-9a-f]{32}-000000\\.ndjson");
        assertThat(files.get(1).getFileName().toString()).matches("tinybird-dead-letters-3-0-[0-9a-f]{32}-000001\\.ndjson");

        List<String> raw = Files.readAllLines(files.get(0), StandardCharsets.UTF_8);
        assertThat(raw).hasSize(2);
        assertThat(Files.readAllLines(files.get(1), StandardCharsets.UTF_8)).hasSize(1);
        List<JsonNode> envelopes = envelopes(files.get(0));
        envelopes.addAll(envelopes(files.get(1)));

        JsonNode a = envelopes.get(0);
        assertThat(fieldNames(a)).containsExactly("data_source", "http_status", "reason", "failed_at", "record");
        assertThat(a.get("data_source").asText()).isEqualTo("events");
        assertThat(a.get("http_status").asInt()).isEqualTo(400);
        assertThat(a.get("reason").asText()).isEqualTo("Tinybird rejected the request (400): \"bad\"\nrow");
        assertThat(a.get("failed_at").asText()).isEqualTo("2026-11-26T16:00:00.123Z");
        assertThat(a.get("record")).isEqualTo(MAPPER.readTree(first));
        // the record is the original object, not a string holding it
        assertThat(a.get("record").isObject()).isTrue();
        assertThat(raw.get(0)).contains("0.12345678901234567890123");

        JsonNode b = envelopes.get(1);
        assertThat(b.get("data_source").asText()).isEqualTo("events");
        assertThat(b.get("record")).isEqualTo(MAPPER.readTree(second));

        JsonNode c = envelopes.get(2);
        assertThat(fieldNames(c)).containsExactly("data_source", "http_status", "reason", "failed_at", "record");
        assertThat(c.get("data_source").asText()).isEqualTo("clicks");
        assertThat(c.get("http_status").asInt()).isZero();
        assertThat(c.get("failed_at").asText()).isEqualTo("2026-11-26T16:00:01.123Z");
        assertThat(c.get("record").isNull()).isTrue();
    }

    @Test
    void letterIsInTheFileAsSoonAsWriteReturns() throws Exception {
        FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(uri());
        handler.open(0, 0);
        try {
            handler.write(new DeadLetter("events", lines("{\"id\":1}"), "rejected", 400, FAILED_AT));

            List<Path> files = files();
            assertThat(files).hasSize(1);
            assertThat(envelopes(files.get(0))).singleElement()
                    .satisfies(e -> assertThat(e.get("record")).isEqualTo(MAPPER.readTree("{\"id\":1}")));
        } finally {
            handler.close();
        }
    }

    @Test
    void unknownDataSourceIsWrittenAsNull() throws Exception {
        FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(uri());
        handler.open(0, 0);
        handler.write(new DeadLetter(null, List.of(), "the Data Source selector returned null", 0, FAILED_AT));
        handler.close();

        JsonNode envelope = envelopes(files().get(0)).get(0);
        assertThat(envelope.get("data_source").isNull()).isTrue();
        assertThat(envelope.get("reason").asText()).isEqualTo("the Data Source selector returned null");
    }

    @Test
    void noLetterNoFile() throws Exception {
        FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(uri());
        handler.open(1, 0);
        handler.close();

        assertThat(files()).isEmpty();
    }

    @Test
    void subtasksAndAttemptsWriteSeparateFiles() throws Exception {
        List<FileSystemDeadLetterHandler> handlers = new ArrayList<>();
        int[][] subtaskAndAttempt = {{0, 0}, {1, 0}, {0, 1}};
        for (int[] sa : subtaskAndAttempt) {
            FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(uri());
            handler.open(sa[0], sa[1]);
            handler.write(
                    new DeadLetter("events", lines("{\"s\":" + sa[0] + ",\"a\":" + sa[1] + "}"), "r", 400, FAILED_AT));
            handlers.add(handler);
        }
        for (FileSystemDeadLetterHandler handler : handlers) {
            handler.close();
        }

        List<String> names = files().stream().map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertThat(names).hasSize(3);
        assertThat(names).anyMatch(n -> n.startsWith("tinybird-dead-letters-0-0-"));
        assertThat(names).anyMatch(n -> n.startsWith("tinybird-dead-letters-1-0-"));
        assertThat(names).anyMatch(n -> n.startsWith("tinybird-dead-letters-0-1-"));
        for (Path file : files()) {
            assertThat(envelopes(file)).hasSize(1);
        }
    }

    @Test
    void sameSubtaskAndAttemptAgainNeverOverwritesEarlierLetters() throws Exception {
        for (int run = 0; run < 2; run++) {
            FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(uri());
            handler.open(2, 0);
            handler.write(new DeadLetter("events", lines("{\"run\":" + run + "}"), "r", 400, FAILED_AT));
            handler.close();
        }

        List<Path> files = files();
        assertThat(files).hasSize(2);
        List<Integer> runs = new ArrayList<>();
        for (Path file : files) {
            runs.add(envelopes(file).get(0).get("record").get("run").asInt());
        }
        assertThat(runs).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void createsTheDirectoryWhenMissing() throws Exception {
        Path nested = dir.resolve("dead").resolve("letters");
        FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(nested.toUri().toString());
        handler.open(0, 0);
        handler.write(new DeadLetter("events", lines("{\"id\":1}"), "r", 400, FAILED_AT));
        handler.close();

        try (Stream<Path> files = Files.list(nested)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void aPathThatCannotHoldFilesIsAnErrorTheCallerSeesNamingTheFile() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("occupied"), "a file where the directory should be");
        FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(notADirectory.toUri().toString());
        handler.open(0, 0);

        assertThatThrownBy(() -> handler.write(new DeadLetter("events", lines("{\"id\":1}"), "r", 400, FAILED_AT)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("occupied");
        assertThat(files()).containsExactly(notADirectory);
    }

    @Test
    void worksAfterJavaSerializationAsFlinkShipsIt() throws Exception {
        FileSystemDeadLetterHandler configured = new FileSystemDeadLetterHandler(uri());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(configured);
        }
        FileSystemDeadLetterHandler onTaskManager;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            onTaskManager = (FileSystemDeadLetterHandler) in.readObject();
        }

        onTaskManager.open(5, 2);
        onTaskManager.write(new DeadLetter("events", lines("{\"id\":1}"), "r", 400, FAILED_AT));
        onTaskManager.close();

        assertThat(files()).singleElement()
                .satisfies(f -> assertThat(f.getFileName().toString()).startsWith("tinybird-dead-letters-5-2-"));
        assertThat(onTaskManager.getBasePath()).isEqualTo(uri());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "   ", "\t\n"})
    void blankPathIsRefusedNamingTheOption(String path) {
        assertThatThrownBy(() -> new FileSystemDeadLetterHandler(path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sink.error-policy.dead-letter-path");
    }

    @Test
    void nullPathIsRefused() {
        assertThatThrownBy(() -> new FileSystemDeadLetterHandler(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("dead-letter path");
    }

    @Test
    void deadLetterPolicyToAPathUsesThisHandler() {
        ErrorPolicy policy = ErrorPolicy.deadLetterTo(uri());

        assertThat(policy.getAction()).isEqualTo(ErrorPolicy.Action.DEAD_LETTER);
        assertThat(policy.getDeadLetterHandler())
                .isInstanceOfSatisfying(
                        FileSystemDeadLetterHandler.class, h -> assertThat(h.getBasePath()).isEqualTo(uri()));
    }
}
