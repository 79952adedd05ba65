package io.github.flinktinybird.examples;

/** The progress line and summary of a local run, from the totals of {@link ProgressMetrics}. */
final class Progress {
    private final ProgressMetrics metrics;
    private final long startedNanos = System.nanoTime();
    private long lastNanos = startedNanos;
    private long lastGenerated;

    Progress(ProgressMetrics metrics) {
        this.metrics = metrics;
    }

    String line() {
        long now = System.nanoTime();
        long generated = metrics.total(ProgressMetrics.EVENTS_GENERATED);
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        long perSecond = Math.round((generated - lastGenerated) / seconds);
        lastNanos = now;
        lastGenerated = generated;
        return String.format("%4ds  events %,11d  %,8d/s | rows committed %,11d | retries %,5d | quarantined %,5d",
                (now - startedNanos) / 1_000_000_000L,
                generated,
                perSecond,
                metrics.total(ProgressMetrics.ROWS_COMMITTED),
                metrics.total(ProgressMetrics.REQUESTS_RETRIED),
                metrics.total(ProgressMetrics.ROWS_QUARANTINED));
    }

    String summary() {
        long undeliverable = metrics.total(ProgressMetrics.RECORDS_DEAD_LETTERED) + metrics.total(ProgressMetrics.RECORDS_DISCARDED);
        return String.format(
                "Summary: %,d events generated; the sink committed %,d rows in %,d requests, retried %,d requests,"
                        + " and Tinybird quarantined %,d rows%s.",
                metrics.total(ProgressMetrics.EVENTS_GENERATED),
                metrics.total(ProgressMetrics.ROWS_COMMITTED),
                metrics.total(ProgressMetrics.REQUESTS_COMMITTED),
                metrics.total(ProgressMetrics.REQUESTS_RETRIED),
                metrics.total(ProgressMetrics.ROWS_QUARANTINED),
                undeliverable > 0 ? String.format("; %,d records went to the error policy", undeliverable) : "");
    }
}
