package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.metrics.Counter;

import io.github.flinktinybird.error.TinybirdSinkException;
import io.github.flinktinybird.http.EventsApiClient;
import io.github.flinktinybird.http.EventsApiResponse;
import io.github.flinktinybird.http.IngestCounts;
import io.github.flinktinybird.http.Outcome;
import io.github.flinktinybird.http.ResponseClassifier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Delivers one batch handed over by Flink: one request per Data Source in it, each 413 split into
 * halves, each outcome acted upon. Every part ends in exactly one of: done, retry later (after a
 * backoff, on a timer, never blocking the task thread), or failed; when the last part ends, the
 * batch's {@link ResultHandler} is called exactly once.
 */
final class BatchDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(BatchDelivery.class);

    private final DeliveryContext context;
    private final ResultHandler<TinybirdRecord> resultHandler;
    private final List<TinybirdRecord> toRetry = new ArrayList<>();
    private int pendingParts;
    private Exception failure;

    BatchDelivery(DeliveryContext context, ResultHandler<TinybirdRecord> resultHandler) {
        this.context = context;
        this.resultHandler = resultHandler;
    }

    void start(List<TinybirdRecord> batch) {
        String only = singleDataSource(batch);
        if (only != null) {
            // The usual batch: no grouping, no copy.
            synchronized (this) {
                pendingParts = 1;
            }
            send(only, batch);
            return;
        }
        Map<String, List<TinybirdRecord>> byDataSource = new LinkedHashMap<>();
        for (TinybirdRecord record : batch) {
            byDataSource.computeIfAbsent(record.getDataSource(), k -> new ArrayList<>()).add(record);
        }
        synchronized (this) {
            pendingParts = byDataSource.size();
        }
        byDataSource.forEach(this::send);
    }

    /** The Data Source of every record of the batch when they share one, else {@code null}. */
    private static String singleDataSource(List<TinybirdRecord> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        String first = batch.get(0).getDataSource();
        for (TinybirdRecord record : batch) {
            if (!first.equals(record.getDataSource())) {
                return null;
            }
        }
        return first;
    }

    private void send(String dataSource, List<TinybirdRecord> part) {
        List<byte[]> lines = linesOf(part);
        long bytes = 0;
        for (byte[] line : lines) {
            bytes += line.length + 1;
        }
        context.metrics.requestStarted(part.size(), bytes);
        long started = System.nanoTime();
        try {
            context.client
                    .send(dataSource, lines)
                    .whenComplete((response, error) -> answered(dataSource, part, response, error, started));
        } catch (RuntimeException e) {
            answered(dataSource, part, null, e, started);
        }
    }

    private void answered(
            String dataSource, List<TinybirdRecord> part, EventsApiResponse response, Throwable error, long started) {
        if (context.closed) {
            // The task is going away (cancel, failover): its buffer is gone with it, and these
            // records are replayed from the last checkpoint; retrying or logging would mislead.
            LOG.debug("Ignoring the answer for {} records to Data Source '{}': the writer is closed", part.size(), dataSource);
            return;
        }
        try {
            Outcome outcome =
                    error != null
                            ? ResponseClassifier.classifyTransportFailure(unwrap(error), dataSource)
                            : ResponseClassifier.classify(response, dataSource, System.currentTimeMillis() / 1000);
            context.metrics.requestFinished(outcome.kind(), (System.nanoTime() - started) / 1_000_000);
            act(dataSource, part, outcome, response);
        } catch (RuntimeException e) {
            // A bug here must not leave the batch without an answer: Flink would stall checkpoints.
            partFailed(new TinybirdSinkException("unexpected error while handling the answer for Data Source '" + dataSource + "'", 0, e));
        }
    }

    private void act(String dataSource, List<TinybirdRecord> part, Outcome outcome, EventsApiResponse response) {
        switch (outcome.kind()) {
            case COMMITTED:
                countCommitted(dataSource, part.size(), response);
                partDone(List.of());
                return;
            case PARTIALLY_INGESTED:
                context.metrics.rowsCommitted.inc(part.size());
                context.partialIngestLog.error("{}: {} rows are in the Data Source and are not resent", outcome.reason(), part.size());
                if (context.settings.errorPolicy.isFailOnPartialIngest()) {
                    partFailed(ErrorPolicyEnforcer.fatal(new TinybirdSinkException(outcome.reason() + " (fail-on-partial-ingest is set)", outcome.status()), true));
                } else {
                    partDone(List.of());
                }
                return;
            case SPLIT:
                split(dataSource, part, outcome);
                return;
            case RETRY:
                retryLater(dataSource, part, outcome);
                return;
            case REJECTED:
                context.metrics.numRecordsSendErrors.inc(part.size());
                undeliverable(dataSource, part, outcome.reason(), outcome.status(), true);
                return;
            case FATAL:
            default:
                context.metrics.numRecordsSendErrors.inc(part.size());
                partFailed(ErrorPolicyEnforcer.fatal(new TinybirdSinkException(outcome.reason(), outcome.status()), true));
        }
    }

    private void countCommitted(String dataSource, int sent, EventsApiResponse response) {
        // Under wait=true Tinybird answers 200 once the rows are committed; a 202 then says only
        // "accepted" (a proxy, or Tinybird shedding the wait): counted apart, not resent (a resend
        // of rows that do land would duplicate them).
        boolean unconfirmed = response.status() == 202 && context.settings.wait;
        Counter committed = unconfirmed ? context.metrics.rowsAcceptedUnconfirmed : context.metrics.rowsCommitted;
        if (unconfirmed) {
            context.unconfirmedLog.warn(
                    "Tinybird answered 202 (accepted, commit not confirmed) to a wait=true request of {} rows for Data Source '{}':"
                            + " counted in rowsAcceptedUnconfirmed, not rowsCommitted, and not resent; check that they arrived",
                    sent, dataSource);
        }
        IngestCounts counts = IngestCounts.parse(response.body());
        if (counts == null) {
            committed.inc(sent);
            context.oddAnswerLog.warn(
                    "Tinybird accepted {} rows for Data Source '{}' ({}) but its answer has no row counts: {}",
                    sent, dataSource, response.status(), response.body());
            return;
        }
        committed.inc(counts.successfulRows());
        if (counts.quarantinedRows() > 0) {
            context.metrics.rowsQuarantined.inc(counts.quarantinedRows());
            context.quarantineLog.warn(
                    "Tinybird quarantined {} of {} rows: they did not fit the schema of Data Source '{}' and are in '{}_quarantine'",
                    counts.quarantinedRows(), sent, dataSource, dataSource);
        }
        if (counts.successfulRows() + counts.quarantinedRows() != sent) {
            context.oddAnswerLog.warn(
                    "Tinybird reported {} for {} rows sent to Data Source '{}'", counts, sent, dataSource);
        }
    }

    private void split(String dataSource, List<TinybirdRecord> part, Outcome outcome) {
        if (part.size() == 1) {
            context.metrics.numRecordsSendErrors.inc();
            undeliverable(
                    dataSource,
                    part,
                    "a single record of " + part.get(0).sizeInBytes() + " bytes is over Tinybird's request size limit (413) for Data Source '" + dataSource + "'",
                    outcome.status(),
                    true);
            return;
        }
        synchronized (this) {
            pendingParts++;
        }
        int half = part.size() / 2;
        LOG.info("Splitting a request of {} records for Data Source '{}' in two after a 413", part.size(), dataSource);
        send(dataSource, new ArrayList<>(part.subList(0, half)));
        send(dataSource, new ArrayList<>(part.subList(half, part.size())));
    }

    private void retryLater(String dataSource, List<TinybirdRecord> part, Outcome outcome) {
        context.metrics.numRecordsSendErrors.inc(part.size());
        if (outcome.status() == 429) {
            context.metrics.rateLimited.inc();
        }
        int maxAttempts = context.settings.retryPolicy.getMaxAttempts();
        List<TinybirdRecord> again = new ArrayList<>(part.size());
        List<TinybirdRecord> exhausted = new ArrayList<>();
        int failedAttempts = 0;
        for (TinybirdRecord record : part) {
            TinybirdRecord failed = record.failedOnceMore();
            failedAttempts = Math.max(failedAttempts, failed.getFailedAttempts());
            (failed.getFailedAttempts() >= maxAttempts ? exhausted : again).add(failed);
        }
        if (!exhausted.isEmpty()) {
            Exception fail =
                    context.errorPolicy.undeliverable(
                            dataSource,
                            lines(exhausted),
                            "gave up on " + exhausted.size() + " record(s) after " + maxAttempts + " attempts: " + outcome.reason(),
                            outcome.status(),
                            false);
            if (fail != null) {
                partFailed(fail);
                return;
            }
        }
        if (again.isEmpty()) {
            partDone(List.of());
            return;
        }
        Duration delay = context.settings.retryPolicy.backoff(failedAttempts, outcome.serverDelay(), context.random);
        context.metrics.recordsRetried.inc(again.size());
        context.retryLog.warn("Retrying {} record(s) for Data Source '{}' in {} ms (attempt {} of {}): {}",
                again.size(), dataSource, delay.toMillis(), failedAttempts + 1, maxAttempts, outcome.reason());
        try {
            context.scheduler.schedule(() -> partDone(again), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            LOG.debug("Writer closed before a retry of {} records could be scheduled", again.size());
        }
    }

    private void undeliverable(String dataSource, List<TinybirdRecord> part, String reason, int status, boolean permanent) {
        Exception fail = context.errorPolicy.undeliverable(dataSource, lines(part), reason, status, permanent);
        if (fail != null) {
            partFailed(fail);
        } else {
            partDone(List.of());
        }
    }

    private void partDone(List<TinybirdRecord> retry) {
        synchronized (this) {
            toRetry.addAll(retry);
            if (--pendingParts > 0) {
                return;
            }
        }
        finish();
    }

    private void partFailed(Exception e) {
        synchronized (this) {
            if (failure == null) {
                failure = e;
            }
            if (--pendingParts > 0) {
                return;
            }
        }
        finish();
    }

    private void finish() {
        // All parts have ended, so no other thread touches the fields any more.
        if (failure != null) {
            resultHandler.completeExceptionally(failure);
        } else if (toRetry.isEmpty()) {
            resultHandler.complete();
        } else {
            resultHandler.retryForEntries(toRetry);
        }
    }

    /** The records' lines, read through: parts are never changed once made. */
    private static List<byte[]> linesOf(List<TinybirdRecord> records) {
        return new AbstractList<>() {
            @Override
            public byte[] get(int index) {
                return records.get(index).getLine();
            }

            @Override
            public int size() {
                return records.size();
            }
        };
    }

    /** A copy of the records' lines, for the error policy, which may keep them. */
    private static List<byte[]> lines(List<TinybirdRecord> records) {
        List<byte[]> lines = new ArrayList<>(records.size());
        for (TinybirdRecord record : records) {
            lines.add(record.getLine());
        }
        return lines;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
