package io.github.flinktinybird.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import io.github.flinktinybird.http.Outcome;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The sink's metrics beyond Flink's own, registered on the writer's metric group. Flink's {@code
 * numRecordsSend} counts every send attempt, retries included; {@link #rowsCommitted} is what
 * Tinybird reported as written.
 *
 * <p>Answers are counted on HTTP callback threads, many at once: the sink's own counters are
 * thread-safe, and Flink's {@code numRecordsSendErrors} (a plain counter that Flink owns) is only
 * ever touched on the task thread, through its mailbox. Histograms are updated under a lock.
 */
final class SinkMetrics {
    private static final int HISTOGRAM_WINDOW = 1024;

    final Counter rowsCommitted;
    final Counter rowsQuarantined;
    /** Rows answered 202 under {@code wait=true}: accepted, but their commit was not confirmed. */
    final Counter rowsAcceptedUnconfirmed;
    final Counter recordsRetried;
    final Counter rateLimited;
    final Counter recordsDeadLettered;
    final Counter recordsDiscarded;
    final Counter numRecordsSendErrors;
    /** Flink's own {@code numRecordsOut}/{@code numBytesOut} (alias {@code numRecordsSend}): counted on cutting a batch. */
    private final Counter numRecordsOut;
    private final Counter numBytesOut;
    final Histogram requestLatencyMs;
    final Histogram batchSizeRecords;
    final Histogram batchSizeBytes;
    private final Map<Outcome.Kind, Counter> requestsByOutcome = new EnumMap<>(Outcome.Kind.class);

    /**
     * @param taskThread runs a task on the task thread (the writer's mailbox); Flink's own counters
     *     are incremented there
     */
    SinkMetrics(SinkWriterMetricGroup group, Executor taskThread) {
        rowsCommitted = counter(group, "rowsCommitted");
        rowsQuarantined = counter(group, "rowsQuarantined");
        rowsAcceptedUnconfirmed = counter(group, "rowsAcceptedUnconfirmed");
        recordsRetried = counter(group, "recordsRetried");
        rateLimited = counter(group, "requestsRateLimited");
        recordsDeadLettered = counter(group, "recordsDeadLettered");
        recordsDiscarded = counter(group, "recordsDiscarded");
        numRecordsSendErrors = new OnTaskThread(group.getNumRecordsSendErrorsCounter(), taskThread);
        numRecordsOut = new OnTaskThread(group.getIOMetricGroup().getNumRecordsOutCounter(), taskThread);
        numBytesOut = new OnTaskThread(group.getIOMetricGroup().getNumBytesOutCounter(), taskThread);
        requestLatencyMs = group.histogram("requestLatencyMs", new LockedHistogram());
        batchSizeRecords = group.histogram("requestRecords", new LockedHistogram());
        batchSizeBytes = group.histogram("requestBytes", new LockedHistogram());
        for (Outcome.Kind kind : Outcome.Kind.values()) {
            requestsByOutcome.put(kind, counter(group, metricName(kind)));
        }
    }

    private static Counter counter(SinkWriterMetricGroup group, String name) {
        return group.counter(name, new ThreadSafeSimpleCounter());
    }

    /** {@code requestsCommitted}, {@code requestsRetry}, ... one counter per outcome. */
    static String metricName(Outcome.Kind kind) {
        StringBuilder name = new StringBuilder("requests");
        for (String word : kind.name().toLowerCase(java.util.Locale.ROOT).split("_")) {
            name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return name.toString();
    }

    void requestFinished(Outcome.Kind kind, long latencyMs) {
        requestsByOutcome.get(kind).inc();
        requestLatencyMs.update(latencyMs);
    }

    /**
     * Records Flink counted as sent when it cut their batch, but that flow control held back
     * unsent (they come back through the buffer and are counted again then): uncounted here, so
     * that {@code numRecordsSend} stays one count per send attempt.
     */
    void notSent(int records, long bytes) {
        numRecordsOut.dec(records);
        numBytesOut.dec(bytes);
    }

    void requestStarted(int records, long bytes) {
        batchSizeRecords.update(records);
        batchSizeBytes.update(bytes);
    }

    /**
     * A counter Flink owns and reads on the task thread: increments are handed to that thread, in
     * order with the batch's own completion (which Flink also runs there), so a count is complete by
     * the time the batch is.
     */
    private static final class OnTaskThread implements Counter {
        private final Counter target;
        private final Executor taskThread;

        OnTaskThread(Counter target, Executor taskThread) {
            this.target = target;
            this.taskThread = taskThread;
        }

        @Override
        public void inc() {
            inc(1);
        }

        @Override
        public void inc(long n) {
            try {
                taskThread.execute(() -> target.inc(n));
            } catch (RuntimeException closed) {
                // The task is going away (its mailbox is closed): nobody reads the count any more.
            }
        }

        @Override
        public void dec() {
            dec(1);
        }

        @Override
        public void dec(long n) {
            inc(-n);
        }

        @Override
        public long getCount() {
            return target.getCount();
        }
    }

    /** Flink's sliding-window histogram, which is not thread-safe, updated and read under a lock. */
    private static final class LockedHistogram implements Histogram {
        private final DescriptiveStatisticsHistogram histogram = new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);

        @Override
        public synchronized void update(long value) {
            histogram.update(value);
        }

        @Override
        public synchronized long getCount() {
            return histogram.getCount();
        }

        @Override
        public synchronized HistogramStatistics getStatistics() {
            return histogram.getStatistics();
        }
    }
}
