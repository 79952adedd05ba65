package io.github.flinktinybird.sink;

import org.apache.flink.runtime.execution.SuppressRestartsException;

import io.github.flinktinybird.error.DeadLetter;
import io.github.flinktinybird.error.DeadLetterHandler;
import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.error.TinybirdSinkException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Applies the {@link ErrorPolicy} to records that cannot be delivered. Called from the task thread
 * (rejected elements) and from HTTP threads (rejected or exhausted requests); dead letters are
 * written one at a time.
 */
final class ErrorPolicyEnforcer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorPolicyEnforcer.class);

    private final ErrorPolicy policy;
    private final SinkMetrics metrics;
    private final RateLimitedLog discardLog = new RateLimitedLog(LOG, 10_000);
    /** Guarded by the handler's monitor, like every call to the handler. */
    private boolean handlerClosed;

    ErrorPolicyEnforcer(ErrorPolicy policy, SinkMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    void open(int subtaskIndex, int attemptNumber) throws IOException {
        if (policy.getAction() == ErrorPolicy.Action.DEAD_LETTER) {
            policy.getDeadLetterHandler().open(subtaskIndex, attemptNumber);
        }
    }

    /**
     * Hands undeliverable records to the policy.
     *
     * @param permanent whether no restart could ever deliver them (a rejected request, a bad
     *     record); under FAIL such a failure also stops Flink from restarting the job into the same
     *     records again
     * @return {@code null} if the records were dead-lettered or discarded, otherwise the exception
     *     that must fail the job
     */
    Exception undeliverable(String dataSource, List<byte[]> lines, String reason, int httpStatus, boolean permanent) {
        int records = Math.max(1, lines.size());
        switch (policy.getAction()) {
            case DISCARD:
                metrics.recordsDiscarded.inc(records);
                discardLog.warn("Discarded {} record(s) for Data Source '{}' (error policy DISCARD): {}", records, dataSource, reason);
                return null;
            case DEAD_LETTER:
                DeadLetterHandler handler = policy.getDeadLetterHandler();
                try {
                    synchronized (handler) {
                        if (handlerClosed) {
                            // Whatever a closed custom handler would do, these records stay unhandled.
                            throw new IOException("the sink is closing and its dead-letter handler is closed");
                        }
                        handler.write(new DeadLetter(dataSource, lines, reason, httpStatus, Instant.now()));
                    }
                } catch (IOException | RuntimeException e) {
                    // Not written, so not handled: failing lets Flink replay these records.
                    return new TinybirdSinkException(
                            "the dead-letter handler "
                                    + handler
                                    + " could not store "
                                    + records
                                    + " record(s) for Data Source '"
                                    + dataSource
                                    + "': "
                                    + e.getMessage(),
                            httpStatus,
                            e);
                }
                metrics.recordsDeadLettered.inc(records);
                discardLog.warn("Dead-lettered {} record(s) for Data Source '{}': {}", records, dataSource, reason);
                return null;
            case FAIL:
            default:
                return fatal(
                        new TinybirdSinkException(
                                reason
                                        + " (error policy FAIL; set sink.error-policy to DEAD_LETTER or"
                                        + " DISCARD to keep the job running)",
                                httpStatus),
                        permanent);
        }
    }

    /** Wraps {@code e} so that Flink does not restart into a failure that would only repeat. */
    static Exception fatal(TinybirdSinkException e, boolean permanent) {
        return permanent ? new SuppressRestartsException(e) : e;
    }

    @Override
    public void close() throws IOException {
        if (policy.getAction() == ErrorPolicy.Action.DEAD_LETTER) {
            DeadLetterHandler handler = policy.getDeadLetterHandler();
            // An HTTP thread may be writing a letter: wait for it rather than close under it.
            synchronized (handler) {
                handlerClosed = true;
                handler.close();
            }
        }
    }
}
