package io.github.flinktinybird.sink;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.testutil.Deadline;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checkpoints while Tinybird has not answered: the barrier does not wait, and the snapshot holds
 * every record not confirmed, in flight or waiting for a retry.
 */
class TinybirdSinkWriterCheckpointTest {

    record Event(long id) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WriterTestContext context = new WriterTestContext();
    private final List<TinybirdSinkWriter<Event>> writers = new ArrayList<>();
    private final List<EventsApiEmulator> emulators = new ArrayList<>();

    @AfterEach
    void close() {
        writers.forEach(TinybirdSinkWriter::close);
        emulators.forEach(EventsApiEmulator::close);
    }

    private EventsApiEmulator emulator(EventsApiEmulator.Builder builder) {
        EventsApiEmulator emulator = builder.start();
        emulators.add(emulator);
        return emulator;
    }

    private TinybirdSinkBuilder<Event> sink(EventsApiEmulator emulator) {
        return TinybirdSink.<Event>builder()
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource("events")
                .setCompression(Compression.NONE)
                .setMaxBatchSize(10)
                .setMaxBufferedRequests(1_000)
                .setMaxTimeInBufferMS(3_600_000)
                .setRetryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofSeconds(30)).build());
    }

    private TinybirdSinkWriter<Event> open(TinybirdSinkBuilder<Event> builder, List<BufferedRequestState<TinybirdRecord>> state) {
        TinybirdSinkWriter<Event> writer = builder.build().restoreWriter(context, state);
        writers.add(writer);
        return writer;
    }

    private static void write(TinybirdSinkWriter<Event> writer, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            writer.write(new Event(i), NO_CONTEXT);
        }
    }

    private static List<Long> idsIn(List<BufferedRequestState<TinybirdRecord>> state) {
        return state.stream()
                .flatMap(s -> s.getBufferedRequestEntries().stream())
                .map(RequestEntryWrapper::getRequestEntry)
                .map(record -> {
                    try {
                        return JSON.readTree(record.getLine()).get("id").asLong();
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                })
                .sorted()
                .collect(Collectors.toList());
    }

    private static List<Long> ids(EventsApiEmulator emulator) {
        return emulator.rows("events").stream().map(row -> row.get("id").asLong()).sorted().collect(Collectors.toList());
    }

    private static List<Long> range(int from, int to) {
        return IntStream.range(from, to).mapToObj(Long::valueOf).collect(Collectors.toList());
    }

    /** Runs the task thread's pending mails (answers, retry wake-ups) until the condition holds. */
    private void driveUntil(String what, java.util.function.BooleanSupplier condition) {
        MailboxExecutor mailbox = context.getMailboxExecutor();
        Deadline.await(what, Duration.ofSeconds(10), () -> {
            while (mailbox.tryYield()) {
                // one mail at a time, as the task thread would
            }
            return condition.getAsBoolean();
        });
    }

    @Test
    void aSnapshotTakenWhileRequestsAreInFlightHoldsTheirRecordsAndARestoreResendsThem() throws Exception {
        // Tinybird takes a minute to commit: the checkpoint must not wait for it.
        EventsApiEmulator slow = emulator(EventsApiEmulator.builder().commitLatency(Duration.ofSeconds(60)));
        TinybirdSinkWriter<Event> writer = open(sink(slow), Collections.emptyList());
        write(writer, 0, 25); // two batches of 10 in flight, 5 buffered

        writer.flush(false); // what Flink calls before the barrier
        List<BufferedRequestState<TinybirdRecord>> state = writer.snapshotState(1);

        assertThat(slow.rowCount("events")).as("the barrier did not wait for the commit").isZero();
        assertThat(idsIn(state)).as("in flight and buffered").isEqualTo(range(0, 25));

        EventsApiEmulator healthy = emulator(EventsApiEmulator.builder());
        TinybirdSinkWriter<Event> restored = open(sink(healthy), state);
        restored.flush(true);
        assertThat(ids(healthy)).isEqualTo(range(0, 25));
    }

    private static final TinybirdRecordStateSerializer SERIALIZER = new TinybirdRecordStateSerializer();

    /** What Flink stores for a snapshot: each state serialized. */
    private static List<byte[]> stored(List<BufferedRequestState<TinybirdRecord>> state) throws java.io.IOException {
        List<byte[]> bytes = new ArrayList<>();
        for (BufferedRequestState<TinybirdRecord> s : state) {
            bytes.add(SERIALIZER.serialize(s));
        }
        return bytes;
    }

    /** What Flink hands a restored writer: each stored state read back. */
    private static List<BufferedRequestState<TinybirdRecord>> read(List<byte[]> stored) throws java.io.IOException {
        List<BufferedRequestState<TinybirdRecord>> states = new ArrayList<>();
        for (byte[] bytes : stored) {
            states.add(SERIALIZER.deserialize(SERIALIZER.getVersion(), bytes));
        }
        return states;
    }

    private static List<InFlightPartState> inFlight(List<BufferedRequestState<TinybirdRecord>> state) {
        return state.stream().filter(InFlightPartState.class::isInstance).map(InFlightPartState.class::cast).collect(Collectors.toList());
    }

    @Test
    void checkpointsDuringTheSameRequestsStoreTheirBytesOnceAndRestoreEachRecordOnce() throws Exception {
        EventsApiEmulator slow = emulator(EventsApiEmulator.builder().commitLatency(Duration.ofSeconds(60)));
        TinybirdSinkWriter<Event> writer = open(sink(slow), Collections.emptyList());
        write(writer, 0, 25); // two requests in flight, 5 records buffered

        List<BufferedRequestState<TinybirdRecord>> first = writer.snapshotState(1);
        List<byte[]> firstStored = stored(first);
        write(writer, 25, 28);
        List<BufferedRequestState<TinybirdRecord>> second = writer.snapshotState(2);
        List<byte[]> secondStored = stored(second);

        assertThat(inFlight(second)).as("one state per request in flight").hasSize(2);
        // The two requests' states come first, in the same order: their bytes are those of the first checkpoint.
        assertThat(secondStored.get(0)).isSameAs(firstStored.get(0));
        assertThat(secondStored.get(1)).isSameAs(firstStored.get(1));
        assertThat(idsIn(read(firstStored))).isEqualTo(range(0, 25));

        assertRestoresEachRecordOnce(secondStored, 28);
    }

    /** A writer restored from {@code stored} delivers ids {@code 0..count-1}, each once. */
    private void assertRestoresEachRecordOnce(List<byte[]> stored, int count) throws Exception {
        EventsApiEmulator healthy = emulator(EventsApiEmulator.builder());
        TinybirdSinkWriter<Event> restored = open(sink(healthy), read(stored));
        restored.flush(true);
        assertThat(ids(healthy)).as("each record once").isEqualTo(range(0, count));
    }

    @Test
    void aCheckpointAfterA413SplitHoldsEachRecordOnce() throws Exception {
        // 10 records of 9 bytes are over the 70-byte limit, their halves are not: the halves
        // then wait a minute for their commit.
        EventsApiEmulator small = emulator(EventsApiEmulator.builder().maxRequestBytes(70).commitLatency(Duration.ofSeconds(60)));
        TinybirdSinkWriter<Event> writer = open(sink(small), Collections.emptyList());
        write(writer, 0, 10);
        driveUntil("the 413 split into two requests in flight", () -> inFlight(writer.snapshotState(0)).size() == 2);

        List<byte[]> stored = stored(writer.snapshotState(1));

        assertThat(small.requests()).extracting(r -> r.status()).containsExactly(413);
        assertThat(idsIn(read(stored))).isEqualTo(range(0, 10));
        assertRestoresEachRecordOnce(stored, 10);
    }

    @Test
    void onceCheckpointsCatchMostRequestsTheirBytesAreMadeOffTheTaskThread() throws Exception {
        EventsApiEmulator emulator = emulator(EventsApiEmulator.builder().commitLatency(Duration.ofMillis(500)));
        TinybirdSinkWriter<Event> writer = open(sink(emulator), Collections.emptyList());
        // Three requests, each in a checkpoint before its answer (serialized on this thread).
        for (int i = 0; i < 3; i++) {
            write(writer, i * 10, i * 10 + 10);
            List<InFlightPartState> caught = inFlight(writer.snapshotState(i));
            assertThat(caught).hasSize(1);
            assertThat(caught.get(0).hasSerialized()).as("request %d: nothing made before checkpoints were seen to catch requests", i).isFalse();
            stored(writer.snapshotState(i));
            long committed = i * 10 + 10;
            driveUntil("request " + i + " committed", () -> emulator.rowCount("events") == committed && inFlight(writer.snapshotState(-1)).isEmpty());
        }

        write(writer, 30, 40);

        // Nothing serializes here: the HTTP thread made the bytes once the body was written.
        driveUntil("the fourth request's bytes made while Tinybird commits it",
                () -> inFlight(writer.snapshotState(9)).stream().anyMatch(InFlightPartState::hasSerialized));
        writer.flush(true);
        assertThat(ids(emulator)).isEqualTo(range(0, 40));
    }

    @Test
    void anAnswerAfterTheSnapshotIsHandledOnceAndLeavesTheNextSnapshot() throws Exception {
        EventsApiEmulator emulator = emulator(EventsApiEmulator.builder().commitLatency(Duration.ofMillis(500)));
        TinybirdSinkWriter<Event> writer = open(sink(emulator), Collections.emptyList());
        write(writer, 0, 20);
        writer.flush(false);
        assertThat(idsIn(writer.snapshotState(1))).isEqualTo(range(0, 20));

        writer.flush(true); // the answers arrive after the snapshot

        assertThat(idsIn(writer.snapshotState(2))).as("confirmed records leave the state").isEmpty();
        assertThat(ids(emulator)).as("sent once, not resent").isEqualTo(range(0, 20));
        assertThat(emulator.requests()).hasSize(2);
        assertThat(context.counter("rowsCommitted")).isEqualTo(20);
    }

    @Test
    void recordsWaitingForARetryAreInTheSnapshotAndHoldNoInFlightSlot() throws Exception {
        EventsApiEmulator emulator = emulator(EventsApiEmulator.builder());
        // One request in flight at most: a batch sitting out its 30 s backoff in a slot would
        // stop every other batch for 30 s. (A 500, not a 429: a 429 rightly pauses the whole
        // Data Source under flow control.)
        TinybirdSinkWriter<Event> writer = open(sink(emulator).setMaxInFlightRequests(1)
                .setRetryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofSeconds(30)).maxBackoff(Duration.ofSeconds(30)).jitter(0).build()),
                Collections.emptyList());
        emulator.failNext(1, Fault.SERVER_ERROR_500);
        write(writer, 0, 10);
        driveUntil("the 500", () -> emulator.requests().size() == 1);
        write(writer, 10, 20);

        // Committed, and its answer handled, while the first batch waits for its retry.
        driveUntil("the second batch committed while the first waits",
                () -> emulator.rowCount("events") == 10 && idsIn(writer.snapshotState(0)).size() == 10);
        writer.flush(false);
        List<BufferedRequestState<TinybirdRecord>> state = writer.snapshotState(1);

        assertThat(ids(emulator)).isEqualTo(range(10, 20));
        assertThat(idsIn(state)).as("the records waiting for their retry").isEqualTo(range(0, 10));

        EventsApiEmulator healthy = emulator(EventsApiEmulator.builder());
        TinybirdSinkWriter<Event> restored = open(sink(healthy), state);
        restored.flush(true);
        assertThat(ids(healthy)).isEqualTo(range(0, 10));
    }

    @Test
    void theWriterKeepsWritingWhileRecordsWaitAndEndOfInputDeliversThemAll() throws Exception {
        EventsApiEmulator emulator = emulator(EventsApiEmulator.builder().faultPlan(FaultPlan.builder().retryAfterSeconds(1).build()));
        // A small buffer and one request in flight: write() must never wait on the limiter while
        // nothing is in flight and records only wait for their retry time (FLINK-38096).
        TinybirdSinkWriter<Event> writer = open(sink(emulator).setMaxInFlightRequests(1).setMaxBufferedRequests(20), Collections.emptyList());
        emulator.failNext(3, Fault.RATE_LIMITED);
        write(writer, 0, 200);

        writer.flush(true);

        assertThat(ids(emulator)).isEqualTo(range(0, 200));
        assertThat(idsIn(writer.snapshotState(1))).isEmpty();
        assertThat(context.counter("requestsRateLimited")).isEqualTo(3);
    }
}
