package io.github.flinktinybird.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import io.github.flinktinybird.http.Outcome;

import java.util.EnumMap;
import java.util.Map;

/**
 * The sink's metrics beyond Flink's own, registered on the writer's metric group. Flink's {@code
 * numRecordsSend} counts every send attempt, retries included; {@link #rowsCommitted} is what
 * Tinybird reported as written.
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
    final Histogram requestLatencyMs;
    final Histogram batchSizeRecords;
    final Histogram batchSizeBytes;
    private final Map<Outcome.Kind, Counter> requestsByOutcome = new EnumMap<>(Outcome.Kind.class);

    SinkMetrics(SinkWriterMetricGroup group) {
        rowsCommitted = group.counter("rowsCommitted");
        rowsQuarantined = group.counter("rowsQuarantined");
        // Thread-safe: incremented from the HTTP callback threads.
        rowsAcceptedUnconfirmed = group.counter("rowsAcceptedUnconfirmed", new ThreadSafeSimpleCounter());
        recordsRetried = group.counter("recordsRetried");
        rateLimited = group.counter("requestsRateLimited");
        recordsDeadLettered = group.counter("recordsDeadLettered");
        recordsDiscarded = group.counter("recordsDiscarded");
        numRecordsSendErrors = group.getNumRecordsSendErrorsCounter();
        requestLatencyMs = group.histogram("requestLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        batchSizeRecords = group.histogram("requestRecords", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        batchSizeBytes = group.histogram("requestBytes", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        for (Outcome.Kind kind : Outcome.Kind.values()) {
            requestsByOutcome.put(kind, group.counter(metricName(kind)));
        }
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

    void requestStarted(int records, long bytes) {
        batchSizeRecords.update(records);
        batchSizeBytes.update(bytes);
    }
}
