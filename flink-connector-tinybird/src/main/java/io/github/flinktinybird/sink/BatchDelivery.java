package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.metrics.Counter;

import io.github.flinktinybird.error.TinybirdSinkException;
import io.github.flinktinybird.http.EventsApiClient;
import io.github.flinktinybird.http.EventsApiResponse;
import io.github.flinktinybird.http.IngestCounts;
import io.github.flinktinybird.http.Outcome;
import io.github.flinktinybird.http.ResponseClassifier;
import io.github.flinktinybird.sink.UnconfirmedRecords.Part;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Delivers one batch handed over by Flink: one request per Data Source in it, each 413 split into
 * halves, each outcome acted upon. Every part ends exactly once: committed, handed to the error
 * policy, failed, or made to wait for a retry in {@link UnconfirmedRecords} (where the writer takes
 * it back when due). A part waiting out its backoff no longer counts as in flight: when the last
 * part ends the batch's {@link ResultHandler} is completed, exactly once, and its slot is free.
 */
final class BatchDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(BatchDelivery.class);

    private final DeliveryContext context;
    private final ResultHandler<TinybirdRecord> resultHandler;
    /** Every part made, halves included; guarded by {@code this}. */
    private final List<Part> parts = new ArrayList<>();
    private int pendingParts;
    private boolean retried;
    private Exception failure;
    private long startedNanos;
    private ScheduledFuture<?> deadline;

    BatchDelivery(DeliveryContext context, ResultHandler<TinybirdRecord> resultHandler) {
        this.context = context;
        this.resultHandler = resultHandler;
    }

    /**
     * Called on the task thread: the parts are unconfirmed before Flink's buffer lets go of them.
     *
     * @param bytes the batch's NDJSON bytes
     * @param onlyDataSource the Data Source of every record, or {@code null} if they are for several
     */
    void start(List<TinybirdRecord> batch, long bytes, String onlyDataSource) {
        List<Part> parts = new ArrayList<>();
        if (onlyDataSource != null) {
            // The usual batch: no grouping, no copy.
            parts.add(new Part(onlyDataSource, batch, bytes));
        } else {
            Map<String, List<TinybirdRecord>> byDataSource = new LinkedHashMap<>();
            for (TinybirdRecord record : batch) {
                byDataSource.computeIfAbsent(record.getDataSource(), k -> new ArrayList<>()).add(record);
            }
            byDataSource.forEach((dataSource, records) -> parts.add(new Part(dataSource, records)));
        }
        synchronized (this) {
            pendingParts = parts.size();
            this.parts.addAll(parts);
            startedNanos = System.nanoTime();
            deadline = scheduleDeadline();
        }
        parts.forEach(context.unconfirmed::sent);
        parts.forEach(this::send);
    }

    /**
     * {@code sink.request-timeout} bounds the whole batch as the sink sees it: 413 halves, time
     * queued for a connection, calls that never answer. Parts still unanswered then wait for a
     * retry and the batch ends, long before Flink's own request timer (which would resend the
     * whole batch, halves already committed included) could fire.
     */
    private ScheduledFuture<?> scheduleDeadline() {
        try {
            return context.scheduler.schedule(this::timedOut, context.settings.requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return null;
        }
    }

    private void timedOut() {
        List<Part> live;
        synchronized (this) {
            live = new ArrayList<>(parts);
        }
        for (Part part : live) {
            if (context.unconfirmed.isInFlight(part)) {
                Outcome outcome = ResponseClassifier.classifyTransportFailure(
                        new InterruptedIOException("no answer within sink.request-timeout (" + context.settings.requestTimeout + ")"),
                        part.dataSource);
                context.metrics.requestFinished(outcome.kind(), (System.nanoTime() - startedNanos) / 1_000_000);
                retryLater(part, outcome);
            }
        }
    }

    private void send(Part part) {
        if (context.flow == null || mayGoNow(part)) {
            sendNow(part);
        }
    }

    /**
     * Flow control: whether {@code part} may go now. If not, and its slot is near, it keeps its
     * in-flight slot and a timer sends it then; a longer wait (Tinybird paused the Data Source)
     * lets its records wait in the writer instead, holding no slot, since Flink's own request timer
     * would not wait that long for the batch.
     */
    private boolean mayGoNow(Part part) {
        long now = System.nanoTime();
        long timeout = context.settings.requestTimeout.toNanos();
        long openNanos;
        synchronized (this) {
            openNanos = now - startedNanos;
        }
        // A batch throttled again and again must still end well before Flink's own request timer
        // (twice the timeout and a minute), which would resend all of it: past the timeout it
        // holds no slot for a wait any more.
        long maxHeldNanos = openNanos > timeout ? 0 : timeout / 4;
        long at = context.flow.reserve(part.dataSource, now, maxHeldNanos);
        long delayNanos = at - now;
        if (delayNanos <= 0) {
            return true;
        }
        if (delayNanos > maxHeldNanos) {
            paceLater(part, delayNanos);
            return false;
        }
        try {
            context.scheduler.schedule(() -> sendInItsSlot(part), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            LOG.debug("Writer closed before a paced request to Data Source '{}' went out", part.dataSource);
        }
        return false;
    }

    /** A timer thread, at the part's slot: the wait does not count against sink.request-timeout. */
    private void sendInItsSlot(Part part) {
        onTimer(part, () -> {
            restartDeadline();
            if (context.flow.stillClear(part.dataSource, System.nanoTime())) {
                sendNow(part);
            } else {
                send(part);
            }
        });
    }

    /** A timer thread: runs {@code sending} for a part still in flight; a bug there fails the part, never the timer. */
    private void onTimer(Part part, Runnable sending) {
        if (context.closed || !context.unconfirmed.isInFlight(part)) {
            return; // timed out meanwhile: its records wait for a retry already
        }
        try {
            sending.run();
        } catch (RuntimeException e) {
            failed(part, new TinybirdSinkException("unexpected error while sending to Data Source '" + part.dataSource + "'", 0, e));
        }
    }

    private void restartDeadline() {
        synchronized (this) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            deadline = scheduleDeadline();
        }
    }

    private void sendNow(Part part) {
        List<byte[]> lines = linesOf(part.records);
        context.metrics.requestStarted(part.records.size(), part.bytes);
        Consumer<byte[]> afterBody = context.unconfirmed.snapshotLikely() ? gzipBody -> makeState(part, gzipBody) : null;
        long started = System.nanoTime();
        try {
            context.client
                    .send(part.dataSource, lines, part.bytes, afterBody)
                    .whenComplete((response, error) -> answered(part, response, error, started));
        } catch (RuntimeException e) {
            answered(part, null, e, started);
        }
    }

    /**
     * The HTTP thread, once the body is written and while it waits for the answer: makes the
     * part's checkpointed bytes, which the checkpoints likely to come during the commit would
     * otherwise make on the task thread, in their synchronous phase: from the gzip body just sent
     * when there is one (a copy), else by deflating the records. A failure here only leaves them
     * to be made by the snapshot, which reports it.
     */
    private void makeState(Part part, byte[] gzipBody) {
        if (context.closed || !context.unconfirmed.isInFlight(part)) {
            return;
        }
        try {
            if (gzipBody != null) {
                part.sentAs(gzipBody);
            } else {
                part.state();
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not make the checkpointed form of a request to Data Source '{}' ahead of a snapshot", part.dataSource, e);
        }
    }

    private void answered(Part part, EventsApiResponse response, Throwable error, long started) {
        String dataSource = part.dataSource;
        if (context.closed) {
            // The task is going away (cancel, failover): its buffer is gone with it, and these
            // records are replayed from the last checkpoint; retrying or logging would mislead.
            LOG.debug("Ignoring the answer for {} records to Data Source '{}': the writer is closed", part.records.size(), dataSource);
            return;
        }
        if (!context.unconfirmed.isInFlight(part)) {
            // Past sink.request-timeout its records went to wait for a retry: the resend may
            // duplicate them if this answer was a commit, never lose them.
            LOG.debug("Ignoring a late answer for {} records to Data Source '{}'", part.records.size(), dataSource);
            return;
        }
        try {
            Outcome outcome =
                    error != null
                            ? ResponseClassifier.classifyTransportFailure(unwrap(error), dataSource)
                            : ResponseClassifier.classify(response, dataSource, System.currentTimeMillis() / 1000);
            long now = System.nanoTime();
            context.metrics.requestFinished(outcome.kind(), (now - started) / 1_000_000);
            FlowAnswer answer = context.flow == null
                    ? null
                    : FlowAnswer.of(outcome, response, now - started, System.currentTimeMillis() / 1000);
            if (answer != null && context.flow.answered(dataSource, answer, now) && outcome.kind() == Outcome.Kind.RETRY) {
                throttled(part, outcome, FlowController.waitNanos(answer));
                return;
            }
            act(part, outcome, response);
        } catch (RuntimeException e) {
            // A bug here must not leave the batch without an answer: Flink would stall checkpoints.
            failed(part, new TinybirdSinkException("unexpected error while handling the answer for Data Source '" + dataSource + "'", 0, e));
        }
    }

    private void act(Part part, Outcome outcome, EventsApiResponse response) {
        String dataSource = part.dataSource;
        List<TinybirdRecord> records = part.records;
        switch (outcome.kind()) {
            case COMMITTED:
                countCommitted(dataSource, records.size(), response);
                done(part);
                return;
            case PARTIALLY_INGESTED:
                context.metrics.rowsCommitted.inc(records.size());
                context.partialIngestLog.error("{}: {} rows are in the Data Source and are not resent", outcome.reason(), records.size());
                if (context.settings.errorPolicy.isFailOnPartialIngest()) {
                    failed(part, ErrorPolicyEnforcer.fatal(new TinybirdSinkException(outcome.reason() + " (fail-on-partial-ingest is set)", outcome.status()), true));
                } else {
                    done(part);
                }
                return;
            case SPLIT:
                split(part, outcome);
                return;
            case RETRY:
                retryLater(part, outcome);
                return;
            case RESEND_NOW:
                resendNow(part, outcome);
                return;
            case REJECTED:
                context.metrics.numRecordsSendErrors.inc(records.size());
                undeliverable(part, outcome.reason(), outcome.status(), true);
                return;
            case FATAL:
            default:
                context.metrics.numRecordsSendErrors.inc(records.size());
                // A 404 means the wrong region: name the endpoint the job is configured with.
                String reason = outcome.status() == 404
                        ? outcome.reason() + " (the sink's endpoint is " + context.settings.endpoint + ")"
                        : outcome.reason();
                failed(part, ErrorPolicyEnforcer.fatal(new TinybirdSinkException(reason, outcome.status()), true));
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

    private void split(Part part, Outcome outcome) {
        String dataSource = part.dataSource;
        List<TinybirdRecord> records = part.records;
        if (records.size() == 1) {
            context.metrics.numRecordsSendErrors.inc();
            undeliverable(
                    part,
                    "a single record of " + records.get(0).sizeInBytes() + " bytes is over Tinybird's request size limit (413) for Data Source '" + dataSource + "'",
                    outcome.status(),
                    true);
            return;
        }
        int half = records.size() / 2;
        Part first = new Part(dataSource, new ArrayList<>(records.subList(0, half)));
        Part second = new Part(dataSource, new ArrayList<>(records.subList(half, records.size())));
        synchronized (this) {
            pendingParts++;
            parts.add(first);
            parts.add(second);
        }
        if (!context.unconfirmed.split(part, first, second)) {
            synchronized (this) {
                pendingParts--; // the part had ended already (timed out), and was counted then
            }
            return;
        }
        LOG.info("Splitting a request of {} records for Data Source '{}' in two after a 413", records.size(), dataSource);
        send(first);
        send(second);
    }

    private void retryLater(Part part, Outcome outcome) {
        String dataSource = part.dataSource;
        context.metrics.numRecordsSendErrors.inc(part.records.size());
        if (outcome.status() == 429) {
            context.metrics.rateLimited.inc();
        }
        int maxAttempts = context.settings.retryPolicy.getMaxAttempts();
        List<TinybirdRecord> again = new ArrayList<>(part.records.size());
        List<TinybirdRecord> exhausted = new ArrayList<>();
        int failedAttempts = 0;
        for (TinybirdRecord record : part.records) {
            TinybirdRecord failed = record.failedOnceMore();
            failedAttempts = Math.max(failedAttempts, failed.getFailedAttempts());
            (failed.getFailedAttempts() >= maxAttempts ? exhausted : again).add(failed);
        }
        if (!exhausted.isEmpty()) {
            // Handed over while the part is still unconfirmed, so a snapshot taken meanwhile keeps them.
            Exception fail =
                    context.errorPolicy.undeliverable(
                            dataSource,
                            lines(exhausted),
                            "gave up on " + exhausted.size() + " record(s) after " + maxAttempts + " attempts: " + outcome.reason(),
                            outcome.status(),
                            false);
            if (fail != null) {
                failed(part, fail);
                return;
            }
        }
        Duration delay = context.settings.retryPolicy.backoff(failedAttempts, outcome.serverDelay(), context.random);
        if (!context.unconfirmed.retryLater(part, again, System.nanoTime() + delay.toNanos())) {
            return; // already ended (timed out by the sink): its records wait for a retry already
        }
        if (!again.isEmpty()) {
            context.metrics.recordsRetried.inc(again.size());
            context.retryLog.warn("Retrying {} record(s) for Data Source '{}' in {} ms (attempt {} of {}): {}",
                    again.size(), dataSource, delay.toMillis(), failedAttempts + 1, maxAttempts, outcome.reason());
            context.retryWake.after(delay);
        }
        partEnded(null, true);
    }

    /**
     * Flow control says this Data Source may not send yet: the part's records wait (in the
     * snapshot, holding no in-flight slot) until it may, and come back through Flink's buffer.
     * Nothing was sent, so nothing failed.
     */
    private void paceLater(Part part, long delayNanos) {
        if (!context.unconfirmed.retryLater(part, part.records, System.nanoTime() + delayNanos)) {
            return;
        }
        context.metrics.notSent(part.records.size(), part.bytes);
        context.retryWake.after(Duration.ofNanos(delayNanos));
        partEnded(null, false);
    }

    /**
     * Tinybird asked this Data Source to wait (429, or 503 with Retry-After): the part goes again
     * after the {@code waitNanos} it was asked to wait, once flow control lets it, without spending
     * an attempt and without shrinking the in-flight limit (flow control lowers the rate instead).
     * The wait budget bounds it: a Data Source throttled for longer with nothing committed hands
     * its records to the error policy.
     */
    private void throttled(Part part, Outcome outcome, long waitNanos) {
        String dataSource = part.dataSource;
        context.metrics.numRecordsSendErrors.inc(part.records.size());
        if (outcome.status() == 429) {
            context.metrics.rateLimited.inc();
        }
        if (context.flow.overWaitBudget(dataSource, System.nanoTime())) {
            undeliverable(
                    part,
                    "Tinybird kept throttling Data Source '" + dataSource + "' (" + outcome.status() + ") with nothing committed for longer than"
                            + " sink.flow-control.wait-budget (" + context.settings.waitBudget + "): raise the Data Source's"
                            + " request quota, write with fewer subtasks or larger batches, or raise the wait budget; last answer: "
                            + outcome.reason(),
                    outcome.status(),
                    false);
            return;
        }
        context.metrics.recordsRetried.inc(part.records.size());
        context.retryLog.warn("Tinybird throttled Data Source '{}': {} record(s) go again when it allows, no attempt spent: {}",
                dataSource, part.records.size(), outcome.reason());
        if (waitNanos > context.settings.requestTimeout.toNanos() / 4) {
            paceLater(part, waitNanos); // a long wait holds no in-flight slot, as a long pause does
            return;
        }
        try {
            // Once it waited what it was asked to, the part asks for its slot.
            context.scheduler.schedule(() -> onTimer(part, () -> send(part)), waitNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            LOG.debug("Writer closed before a throttled request to Data Source '{}' could go again", dataSource);
        }
    }

    /**
     * The server never processed the request (an HTTP/2 stream refused, or above a GOAWAY's
     * last-stream id): its records go straight back, with no attempt spent, no backoff and no
     * penalty on the requests allowed in flight, since the resend cannot duplicate a row.
     */
    private void resendNow(Part part, Outcome outcome) {
        if (!context.unconfirmed.retryLater(part, part.records, System.nanoTime())) {
            return; // already ended (timed out by the sink): its records wait for a retry already
        }
        LOG.debug("Sending {} record(s) for Data Source '{}' again at once: {}", part.records.size(), part.dataSource, outcome.reason());
        context.retryWake.after(Duration.ZERO);
        partEnded(null, false);
    }

    private void undeliverable(Part part, String reason, int status, boolean permanent) {
        // The error policy first, while the records are still unconfirmed: a snapshot taken before
        // a dead letter is stored must still hold them.
        Exception fail = context.errorPolicy.undeliverable(part.dataSource, lines(part.records), reason, status, permanent);
        if (fail != null) {
            failed(part, fail);
        } else {
            done(part);
        }
    }

    private void done(Part part) {
        if (context.unconfirmed.ended(part)) {
            partEnded(null);
        }
    }

    private void failed(Part part, Exception e) {
        if (context.unconfirmed.ended(part)) {
            partEnded(e);
        }
    }

    private void partEnded(Exception e) {
        partEnded(e, false);
    }

    private void partEnded(Exception e, boolean retry) {
        synchronized (this) {
            if (failure == null) {
                failure = e;
            }
            retried |= retry;
            if (--pendingParts > 0) {
                return;
            }
        }
        // All parts have ended, so no other thread touches the fields any more.
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (failure != null) {
            resultHandler.completeExceptionally(failure);
            return;
        }
        if (retried) {
            context.failedRequestEnded.run();
        }
        resultHandler.complete();
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
