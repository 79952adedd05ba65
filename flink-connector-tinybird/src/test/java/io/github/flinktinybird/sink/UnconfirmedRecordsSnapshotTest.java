package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import io.github.flinktinybird.sink.UnconfirmedRecords.Part;
import io.github.flinktinybird.testutil.Deadline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer's snapshot of what Tinybird has not confirmed, as Flink stores and restores it (each
 * state through the serializer): every record exactly once, whatever the HTTP threads do to the
 * requests meanwhile, and a request's bytes made once for every snapshot it is in.
 */
class UnconfirmedRecordsSnapshotTest {

    private final TinybirdRecordStateSerializer serializer = new TinybirdRecordStateSerializer();
    private final UnconfirmedRecords unconfirmed = new UnconfirmedRecords();

    private static TinybirdRecord record(int id) {
        return new TinybirdRecord("events", ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static List<TinybirdRecord> records(int from, int to) {
        List<TinybirdRecord> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(record(i));
        }
        return records;
    }

    private static List<BufferedRequestState<TinybirdRecord>> buffer(int from, int to) {
        List<RequestEntryWrapper<TinybirdRecord>> entries = new ArrayList<>();
        for (TinybirdRecord record : records(from, to)) {
            entries.add(new RequestEntryWrapper<>(record, record.sizeInBytes()));
        }
        return List.of(new BufferedRequestState<>(entries));
    }

    /** What a checkpoint stores: each state serialized. */
    private List<byte[]> checkpoint(List<BufferedRequestState<TinybirdRecord>> buffered) throws IOException {
        List<byte[]> stored = new ArrayList<>();
        for (BufferedRequestState<TinybirdRecord> state : unconfirmed.snapshot().states(buffered)) {
            stored.add(serializer.serialize(state));
        }
        return stored;
    }

    /** What a restore hands the writer: how many times each record id comes back. */
    private Map<Integer, Integer> restore(List<byte[]> stored) throws IOException {
        Map<Integer, Integer> counts = new HashMap<>();
        for (byte[] bytes : stored) {
            for (RequestEntryWrapper<TinybirdRecord> entry : serializer.deserialize(serializer.getVersion(), bytes).getBufferedRequestEntries()) {
                String line = new String(entry.getRequestEntry().getLine(), StandardCharsets.UTF_8);
                counts.merge(Integer.parseInt(line.replaceAll("\\D", "")), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static Map<Integer, Integer> once(int from, int to) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = from; i < to; i++) {
            counts.put(i, 1);
        }
        return counts;
    }

    @Test
    void twoCheckpointsDuringOneRequestStoreTheBytesMadeForTheFirst() throws IOException {
        Part part = new Part("events", records(0, 100));
        unconfirmed.sent(part);

        List<byte[]> first = checkpoint(buffer(100, 110));
        List<byte[]> second = checkpoint(buffer(100, 120));

        assertThat(second.get(0)).as("the request's bytes, made at the first checkpoint").isSameAs(first.get(0));
        assertThat(restore(first)).isEqualTo(once(0, 110));
        assertThat(restore(second)).isEqualTo(once(0, 120));
    }

    @Test
    void aCheckpointAfterA413SplitHoldsTheHalvesNotTheBytesOfTheWholeRequest() throws IOException {
        Part whole = new Part("events", records(0, 100));
        unconfirmed.sent(whole);
        byte[] wholeBytes = checkpoint(List.of()).get(0);

        unconfirmed.split(whole, new Part("events", records(0, 50)), new Part("events", records(50, 100)));
        List<byte[]> afterSplit = checkpoint(List.of());

        assertThat(afterSplit).hasSize(2).noneMatch(bytes -> bytes == wholeBytes);
        assertThat(restore(afterSplit)).isEqualTo(once(0, 100));
    }

    @Test
    void aCheckpointAfterARetryHoldsTheWaitingRecordsOnceAndNotTheEndedRequest() throws IOException {
        Part part = new Part("events", records(0, 100));
        unconfirmed.sent(part);
        checkpoint(List.of());
        unconfirmed.sent(new Part("events", records(100, 150)));

        unconfirmed.retryLater(part, records(0, 100), System.nanoTime() + Duration.ofMinutes(1).toNanos());
        List<byte[]> afterRetry = checkpoint(buffer(150, 160));

        assertThat(restore(afterRetry)).isEqualTo(once(0, 160));
    }

    @Test
    void aRequestThatEndedIsInNoLaterCheckpoint() throws IOException {
        Part part = new Part("events", records(0, 100));
        unconfirmed.sent(part);
        List<byte[]> during = checkpoint(List.of());

        unconfirmed.ended(part);

        assertThat(restore(during)).isEqualTo(once(0, 100));
        assertThat(restore(checkpoint(buffer(100, 110)))).isEqualTo(once(100, 110));
    }

    @Test
    void theOddsFollowWhetherCheckpointsCaughtTheRequests() throws IOException {
        assertThat(unconfirmed.snapshotLikely()).as("nothing seen yet").isFalse();
        for (int i = 0; i < 3; i++) {
            Part part = new Part("events", records(i * 10, i * 10 + 10));
            unconfirmed.sent(part);
            checkpoint(List.of());
            unconfirmed.ended(part);
        }
        assertThat(unconfirmed.snapshotLikely()).as("three requests caught by checkpoints").isTrue();
        for (int i = 0; i < 3; i++) {
            Part part = new Part("events", records(0, 10));
            unconfirmed.sent(part);
            unconfirmed.ended(part);
        }
        assertThat(unconfirmed.snapshotLikely()).as("three requests answered between checkpoints").isFalse();
    }

    /**
     * HTTP threads split requests, make their bytes and move them to wait for a retry, and the
     * task thread takes waiting records back and sends them again, while checkpoints are taken: no
     * record ever ends, so every checkpoint must restore each of them exactly once.
     */
    @Test
    void checkpointsTakenWhileHttpThreadsSplitAndRetryRequestsHoldEachRecordOnce() throws Exception {
        int records = 2_000;
        List<Part> live = new ArrayList<>();
        for (int from = 0; from < records; from += 100) {
            Part part = new Part("events", records(from, from + 100));
            live.add(part);
            unconfirmed.sent(part);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger moves = new AtomicInteger();
        List<Thread> http = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread thread = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try {
                    while (!stop.get()) {
                        Part part;
                        synchronized (live) {
                            part = live.isEmpty() ? null : live.remove(random.nextInt(live.size()));
                        }
                        if (part == null) {
                            Thread.yield(); // every request waits for a retry: the task thread's turn
                            continue;
                        }
                        // Halves down to ~10 records: requests, not single records, as in a job.
                        if (part.records.size() > 10 && random.nextBoolean()) {
                            int half = part.records.size() / 2;
                            Part first = new Part("events", new ArrayList<>(part.records.subList(0, half)));
                            Part second = new Part("events", new ArrayList<>(part.records.subList(half, part.records.size())));
                            assertThat(unconfirmed.split(part, first, second)).isTrue();
                            first.state(); // as an HTTP thread does once the body is written
                            synchronized (live) {
                                live.add(first);
                                live.add(second);
                            }
                        } else {
                            assertThat(unconfirmed.retryLater(part, part.records, System.nanoTime())).isTrue();
                        }
                        moves.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "http-" + t);
            http.add(thread);
            thread.start();
        }
        try {
            int checkpoints = 0;
            List<TinybirdRecord> buffered = new ArrayList<>();
            while (checkpoints < 100 || moves.get() < 500) {
                // The task thread: waiting records back into the buffer, a batch of it sent again.
                TinybirdRecord due;
                while ((due = unconfirmed.pollDue(System.nanoTime())) != null) {
                    buffered.add(due);
                }
                if (buffered.size() >= 50) {
                    Part again = new Part("events", new ArrayList<>(buffered));
                    buffered.clear();
                    unconfirmed.sent(again);
                    synchronized (live) {
                        live.add(again);
                    }
                }
                List<RequestEntryWrapper<TinybirdRecord>> entries = new ArrayList<>();
                for (TinybirdRecord record : buffered) {
                    entries.add(new RequestEntryWrapper<>(record, record.sizeInBytes()));
                }
                assertThat(restore(checkpoint(List.of(new BufferedRequestState<>(entries)))))
                        .as("checkpoint %d, after %d moves", checkpoints, moves.get())
                        .isEqualTo(once(0, records));
                checkpoints++;
                assertThat(failure.get()).isNull();
            }
        } finally {
            stop.set(true);
            for (Thread thread : http) {
                thread.join(Duration.ofSeconds(10).toMillis());
            }
        }
        Deadline.await("the HTTP threads stopped", Duration.ofSeconds(10), () -> http.stream().noneMatch(Thread::isAlive));
        assertThat(failure.get()).isNull();
    }
}
