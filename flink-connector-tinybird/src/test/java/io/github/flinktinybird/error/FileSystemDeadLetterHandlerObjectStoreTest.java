package io.github.flinktinybird.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.flinktinybird.testutil.Deadline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Dead letters on a file system that behaves like S3 ({@link ObjectStoreTestFileSystem}): data is
 * published only when a stream closes, and a TaskManager that dies never closes anything. Every
 * letter whose write returned must be readable from the store all the same.
 */
class FileSystemDeadLetterHandlerObjectStoreTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant FAILED_AT = Instant.parse("2026-11-26T16:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir Path bucket;

    @BeforeEach
    void resetStore() {
        ObjectStoreTestFileSystem.reset();
    }

    private FileSystemDeadLetterHandler opened(int subtask, int attempt) {
        FileSystemDeadLetterHandler handler = new FileSystemDeadLetterHandler(ObjectStoreTestFileSystem.uri(bucket));
        handler.open(subtask, attempt);
        return handler;
    }

    private static DeadLetter letter(int... ids) {
        List<byte[]> lines = new ArrayList<>();
        for (int id : ids) {
            lines.add(("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8));
        }
        return new DeadLetter("events", lines, "Tinybird rejected the request (400)", 400, FAILED_AT);
    }

    /** The objects a reader of the bucket sees, by name. */
    private List<Path> objects() throws IOException {
        try (Stream<Path> files = Files.list(bucket)) {
            return files.filter(p -> p.getFileName().toString().startsWith("tinybird-dead-letters-"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    /** Every record id readable from the bucket. */
    private List<Integer> readableIds() throws IOException {
        List<Integer> ids = new ArrayList<>();
        for (Path object : objects()) {
            for (String line : Files.readAllLines(object, StandardCharsets.UTF_8)) {
                JsonNode envelope = MAPPER.readTree(line);
                assertThat(envelope.get("data_source").asText()).isEqualTo("events");
                assertThat(envelope.get("http_status").asInt()).isEqualTo(400);
                ids.add(envelope.get("record").get("id").asInt());
            }
        }
        return ids;
    }

    @ParameterizedTest(name = "sync() {0}")
    @EnumSource(ObjectStoreTestFileSystem.SyncBehaviour.class)
    void everyLetterWhoseWriteReturnedIsReadableAfterTheTaskManagerDies(ObjectStoreTestFileSystem.SyncBehaviour sync)
            throws Exception {
        ObjectStoreTestFileSystem.syncBehaviour(sync);
        FileSystemDeadLetterHandler handler = opened(2, 0);

        handler.write(letter(1, 2, 3));
        handler.write(letter(4));
        handler.write(letter(5, 6));
        // The TaskManager is killed here: the handler is abandoned, close() never runs.

        assertThat(readableIds()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
        assertThat(objects()).hasSize(3);
        assertThat(ObjectStoreTestFileSystem.openStreams()).as("streams left open by returned writes").isZero();
    }

    @Test
    void aRefusedUploadIsAnErrorTheCallerSeesAndPublishesNothing() throws Exception {
        FileSystemDeadLetterHandler handler = opened(0, 0);
        ObjectStoreTestFileSystem.failNextClose();

        Throwable failure = catchThrowable(() -> handler.write(letter(1, 2)));

        assertThat(failure)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("could not write the dead-letter file")
                .hasMessageContaining("upload refused by the store");
        assertThat(objects()).isEmpty();

        // The records were not released, so the sink hands them over again: this time they land.
        handler.write(letter(1, 2));
        assertThat(readableIds()).containsExactly(1, 2);
    }

    @Test
    void namesNeverCollideAcrossWritersOfOneSubtaskAttemptNorAcrossARestartWithTheSameAttempt() throws Exception {
        // Two writers that believe they are subtask 4, attempt 1 (e.g. a zombie TaskManager and its
        // replacement), then a restart that reuses attempt 1 after both died.
        FileSystemDeadLetterHandler first = opened(4, 1);
        FileSystemDeadLetterHandler second = opened(4, 1);
        for (int i = 0; i < 5; i++) {
            first.write(letter(100 + i));
            second.write(letter(200 + i));
        }
        FileSystemDeadLetterHandler restarted = opened(4, 1);
        for (int i = 0; i < 5; i++) {
            restarted.write(letter(300 + i));
        }
        // The same handler opened again (a new attempt in the same JVM) starts a new name space too.
        first.open(4, 1);
        first.write(letter(400));

        // The store overwrites silently, so a repeated name would show as a lost letter.
        List<String> names = objects().stream().map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertThat(names).hasSize(16).doesNotHaveDuplicates();
        assertThat(names).allMatch(n -> n.matches("tinybird-dead-letters-4-1-[0-9a-f]{32}-\\d{6}\\.ndjson"), "named by subtask, attempt, writer, sequence");
        assertThat(readableIds()).hasSize(16).doesNotHaveDuplicates();
    }

    @Test
    void closeWaitsForALetterBeingWrittenAndLaterLettersFailInsteadOfOpeningAFile() throws Exception {
        FileSystemDeadLetterHandler handler = opened(0, 0);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        ObjectStoreTestFileSystem.holdWrites(entered, gate);

        // An HTTP thread dead-letters a batch; the sink closes while the letter is half written.
        CompletableFuture<Void> httpThread = CompletableFuture.runAsync(() -> {
            try {
                handler.write(letter(1, 2, 3));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        DeadLetterHandler asTheSinkSeesIt = handler;
        Thread closer = new Thread(() -> {
            try {
                asTheSinkSeesIt.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "closer");
        try {
            assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the letter is being written").isTrue();
            closer.start();
            Deadline.await("close() to wait for the letter being written", WAIT, () -> closer.getState() == Thread.State.BLOCKED);
        } finally {
            ObjectStoreTestFileSystem.holdWrites(null, null);
            gate.countDown();
        }
        httpThread.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        closer.join(WAIT.toMillis());
        assertThat(closer.isAlive()).isFalse();

        assertThat(readableIds()).containsExactlyInAnyOrder(1, 2, 3);
        Throwable late = catchThrowable(() -> handler.write(letter(4)));
        assertThat(late).isInstanceOf(IOException.class).hasMessageContaining("is closed").hasMessageContaining("checkpoint");
        assertThat(objects()).hasSize(1);
        assertThat(ObjectStoreTestFileSystem.openStreams()).as("no second, unclosed file").isZero();
    }
}
