package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The records a writer handed to Tinybird and Tinybird has not confirmed: parts of requests in
 * flight, and records waiting out a retry backoff. Together with Flink's buffer this is everything
 * the sink accepted and may not lose, so a snapshot takes it all and a checkpoint never has to wait
 * for an answer.
 *
 * <p>HTTP threads move records between the two (an answer ends a part; a retry makes its records
 * wait), the task thread adds parts and takes due records back; each move is one step under the
 * lock, so a snapshot sees every record exactly once.
 */
final class UnconfirmedRecords {

    /** One request's records, to one Data Source; ended exactly once. */
    static final class Part {
        final String dataSource;
        final List<TinybirdRecord> records;
        final long bytes;
        /** Whether a snapshot held this part; guarded by the {@link UnconfirmedRecords} lock. */
        private boolean inASnapshot;
        /**
         * The part's checkpointed form, made once and reused by every snapshot taken while it is
         * in flight: its records never change (a split or a retry makes new lists).
         */
        private volatile byte[] state;

        Part(String dataSource, List<TinybirdRecord> records) {
            this(dataSource, records, bytesOf(records));
        }

        /** {@code bytes}: the records' NDJSON bytes, counted by the caller. */
        Part(String dataSource, List<TinybirdRecord> records, long bytes) {
            this.dataSource = dataSource;
            this.records = records;
            this.bytes = bytes;
        }

        /**
         * The checkpointed bytes of the records, made now if no thread made them yet. Never waits
         * for another thread: if two make them at once (a snapshot while the HTTP thread is at
         * it, rare), both get equal bytes and either is kept.
         */
        byte[] state() {
            byte[] made = state;
            if (made == null) {
                made = TinybirdRecordStateSerializer.serializeRecords(records);
                state = made;
            }
            return made;
        }

        /** The part was sent as {@code gzipBody}: that is its checkpointed form, unless one was made already. */
        void sentAs(byte[] gzipBody) {
            if (state == null) {
                state = GzipBodyState.bytes(dataSource, records.size(), gzipBody);
            }
        }

        boolean hasState() {
            return state != null;
        }
    }

    /** What a snapshot holds besides Flink's buffer: the parts in flight, and the waiting records. */
    static final class Snapshot {
        final List<Part> parts;
        final List<TinybirdRecord> waiting;

        private Snapshot(List<Part> parts, List<TinybirdRecord> waiting) {
            this.parts = parts;
            this.waiting = waiting;
        }

        boolean isEmpty() {
            return parts.isEmpty() && waiting.isEmpty();
        }

        /**
         * The writer's state: one per part in flight (see {@link InFlightPartState}), then one for
         * the waiting records and Flink's {@code buffered} ones, which change from one checkpoint
         * to the next.
         */
        List<BufferedRequestState<TinybirdRecord>> states(List<BufferedRequestState<TinybirdRecord>> buffered) {
            if (isEmpty()) {
                return buffered;
            }
            List<BufferedRequestState<TinybirdRecord>> states = new ArrayList<>(parts.size() + 1);
            for (Part part : parts) {
                states.add(new InFlightPartState(part));
            }
            if (waiting.isEmpty()) {
                for (BufferedRequestState<TinybirdRecord> state : buffered) {
                    if (!state.getBufferedRequestEntries().isEmpty()) {
                        states.add(state);
                    }
                }
                return states;
            }
            List<RequestEntryWrapper<TinybirdRecord>> entries = new ArrayList<>();
            for (TinybirdRecord record : waiting) {
                entries.add(new RequestEntryWrapper<>(record, record.sizeInBytes()));
            }
            for (BufferedRequestState<TinybirdRecord> state : buffered) {
                entries.addAll(state.getBufferedRequestEntries());
            }
            states.add(new BufferedRequestState<>(entries));
            return states;
        }
    }

    private static final class Waiting {
        final long notBeforeNanos;
        final long sequence;
        final List<TinybirdRecord> records;
        /** How many of {@code records} went back to Flink's buffer already. */
        int taken;

        Waiting(long notBeforeNanos, long sequence, List<TinybirdRecord> records) {
            this.notBeforeNanos = notBeforeNanos;
            this.sequence = sequence;
            this.records = records;
        }
    }

    private final Set<Part> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    private final PriorityQueue<Waiting> waiting =
            new PriorityQueue<>((a, b) -> a.notBeforeNanos != b.notBeforeNanos
                    ? Long.compare(a.notBeforeNanos - b.notBeforeNanos, 0)
                    : Long.compare(a.sequence, b.sequence));
    private final SnapshotOdds odds = new SnapshotOdds();
    private long sequence;
    private long inFlightBytes;
    private long waitingBytes;
    /** Written with the lock held, read without it: the writer checks it for every element. */
    private volatile int waitingRecords;
    /**
     * {@code inFlightBytes + waitingBytes}, republished after each change under the lock: the task
     * thread reads it for every element (the writer's byte bound), without taking the lock.
     */
    private volatile long bytes;

    synchronized void sent(Part part) {
        addInFlight(part);
        publishBytes();
    }

    /**
     * Ends a part whose records were committed, dead-lettered, discarded or failed.
     *
     * @return false if the part had already ended (its answer came too late), so nothing is done
     */
    synchronized boolean ended(Part part) {
        boolean ended = removeInFlight(part);
        publishBytes();
        return ended;
    }

    synchronized boolean isInFlight(Part part) {
        return inFlight.contains(part);
    }

    /** Replaces a part by its halves (after a 413), atomically. */
    synchronized boolean split(Part part, Part first, Part second) {
        if (!removeInFlight(part)) {
            return false;
        }
        addInFlight(first);
        addInFlight(second);
        publishBytes();
        return true;
    }

    /**
     * Ends a part and makes {@code again} (its records, one failed attempt more) wait until
     * {@code notBeforeNanos} (a {@link System#nanoTime()} value), atomically.
     */
    synchronized boolean retryLater(Part part, List<TinybirdRecord> again, long notBeforeNanos) {
        if (!removeInFlight(part)) {
            return false;
        }
        if (!again.isEmpty()) {
            waiting.add(new Waiting(notBeforeNanos, sequence++, again));
            waitingBytes += bytesOf(again);
            waitingRecords += again.size();
        }
        publishBytes();
        return true;
    }

    private void addInFlight(Part part) {
        if (inFlight.add(part)) {
            inFlightBytes += part.bytes;
        }
    }

    private boolean removeInFlight(Part part) {
        if (!inFlight.remove(part)) {
            return false;
        }
        inFlightBytes -= part.bytes;
        odds.left(part.inASnapshot);
        return true;
    }

    /** How many waiting records are due at {@code nowNanos}. */
    synchronized int dueRecords(long nowNanos) {
        int due = 0;
        for (Waiting w : waiting) {
            if (w.notBeforeNanos - nowNanos <= 0) {
                due += w.records.size() - w.taken;
            }
        }
        return due;
    }

    /**
     * Removes and returns one waiting record due at {@code nowNanos}, the oldest first, or {@code
     * null}. One at a time, so that a record leaves this set only as it enters Flink's buffer.
     */
    synchronized TinybirdRecord pollDue(long nowNanos) {
        Waiting w = waiting.peek();
        if (w == null || w.notBeforeNanos - nowNanos > 0) {
            return null;
        }
        TinybirdRecord record = w.records.get(w.taken++);
        if (w.taken == w.records.size()) {
            waiting.poll();
        }
        waitingBytes -= record.sizeInBytes();
        waitingRecords--;
        publishBytes();
        return record;
    }

    /** Nanoseconds from {@code nowNanos} until the next waiting record is due, or -1 if none waits. */
    synchronized long nanosUntilNextDue(long nowNanos) {
        return waiting.isEmpty() ? -1 : Math.max(0, waiting.peek().notBeforeNanos - nowNanos);
    }

    /**
     * Every unconfirmed record, as it is at this moment: the parts in flight (whose records a
     * snapshot takes through their {@link Part#state()}, made outside this lock) and a copy of the
     * waiting records. A part that ends afterwards stays in this snapshot, as it should: its
     * records were unconfirmed when it was taken, and it is in no later one.
     */
    synchronized Snapshot snapshot() {
        List<Part> parts = new ArrayList<>(inFlight.size());
        for (Part part : inFlight) {
            part.inASnapshot = true;
            parts.add(part);
        }
        List<TinybirdRecord> waitingRecords = new ArrayList<>(this.waitingRecords);
        for (Waiting w : waiting) {
            waitingRecords.addAll(w.records.subList(w.taken, w.records.size()));
        }
        return new Snapshot(parts, waitingRecords);
    }

    /**
     * Whether a part sent now will likely be in a checkpoint before its answer (see {@link
     * SnapshotOdds}): then its checkpointed bytes are worth making on its HTTP thread.
     */
    synchronized boolean snapshotLikely() {
        return odds.likely();
    }

    /** Bytes of the lines in flight or waiting, as {@link TinybirdRecord#sizeInBytes()} counts them. */
    long bytes() {
        return bytes;
    }

    /** With the lock held, once per change: a move between parts or to the waiting ones is one change. */
    private void publishBytes() {
        bytes = inFlightBytes + waitingBytes;
    }

    int waitingRecords() {
        return waitingRecords;
    }

    synchronized int partsInFlight() {
        return inFlight.size();
    }

    private static long bytesOf(List<TinybirdRecord> records) {
        long bytes = 0;
        for (TinybirdRecord record : records) {
            bytes += record.sizeInBytes();
        }
        return bytes;
    }
}
