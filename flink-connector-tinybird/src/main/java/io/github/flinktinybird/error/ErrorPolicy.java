package io.github.flinktinybird.error;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the sink does with records it cannot deliver: a request Tinybird rejects for good (400 and
 * other 4xx), a request still failing after the retry policy's last attempt, a single record over
 * the record size cap or over Tinybird's request limit (413), an element the serializer cannot turn
 * into one JSON object.
 *
 * <ul>
 *   <li>{@link #fail()} (the default): the job fails with a message naming the cause and the Data
 *       Source. A failure no restart can cure (a rejected request, a bad record) also stops Flink
 *       from restarting the job, so it never loops replaying the same record; a failure that may
 *       pass (retries exhausted) lets Flink's restart strategy replay from the last checkpoint.
 *   <li>{@link #deadLetter(DeadLetterHandler)}: the NDJSON lines and the reason go to a handler, for
 *       example {@link FileSystemDeadLetterHandler}; the job goes on. The records count as handled
 *       only once the handler returned, so a handler that throws fails the job and nothing is lost.
 *   <li>{@link #discard()}: the records are dropped, counted in the {@code recordsDiscarded} metric
 *       and logged at WARN; the job goes on.
 * </ul>
 *
 * <p>A misconfigured sink (401/403 token, 404 region, a redirecting endpoint, a TLS handshake
 * refused over a certificate or protocol) always fails the job, whatever the policy: no record could
 * be delivered. A 422 (rows written, a
 * Materialized View failed) is logged at ERROR and counted, and fails the job only when {@link
 * #withFailOnPartialIngest(boolean)} is set; it is never retried, since a resend would duplicate
 * rows.
 */
public final class ErrorPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The three behaviours; also the values of the {@code sink.error-policy} option. */
    public enum Action {
        FAIL,
        DEAD_LETTER,
        DISCARD
    }

    private final Action action;
    private final DeadLetterHandler deadLetterHandler;
    private final boolean failOnPartialIngest;

    private ErrorPolicy(Action action, DeadLetterHandler deadLetterHandler, boolean failOnPartialIngest) {
        this.action = Objects.requireNonNull(action);
        if (action == Action.DEAD_LETTER) {
            Objects.requireNonNull(
                    deadLetterHandler,
                    "the DEAD_LETTER error policy needs a DeadLetterHandler, e.g. new"
                            + " FileSystemDeadLetterHandler(\"s3://bucket/dead-letters\")");
        }
        this.deadLetterHandler = deadLetterHandler;
        this.failOnPartialIngest = failOnPartialIngest;
    }

    /** Fail the job on an undeliverable record (the default). */
    public static ErrorPolicy fail() {
        return new ErrorPolicy(Action.FAIL, null, false);
    }

    /** Drop undeliverable records, counting and logging them. */
    public static ErrorPolicy discard() {
        return new ErrorPolicy(Action.DISCARD, null, false);
    }

    /** Hand undeliverable records to {@code handler}. */
    public static ErrorPolicy deadLetter(DeadLetterHandler handler) {
        return new ErrorPolicy(Action.DEAD_LETTER, handler, false);
    }

    /**
     * Write undeliverable records as NDJSON files under {@code path}, through Flink's file systems
     * ({@code file://}, {@code s3://}, {@code hdfs://}, ...): one file per dead-letter batch, closed
     * before its records leave the sink's state (see {@link FileSystemDeadLetterHandler}).
     */
    public static ErrorPolicy deadLetterTo(String path) {
        return deadLetter(new FileSystemDeadLetterHandler(path));
    }

    /**
     * Whether a 422 answer (rows written, a Materialized View failed) fails the job. Default
     * {@code false}: it is logged at ERROR and counted.
     */
    public ErrorPolicy withFailOnPartialIngest(boolean failOnPartialIngest) {
        return new ErrorPolicy(action, deadLetterHandler, failOnPartialIngest);
    }

    public Action getAction() {
        return action;
    }

    /** The handler of {@link Action#DEAD_LETTER}, or {@code null}. */
    public DeadLetterHandler getDeadLetterHandler() {
        return deadLetterHandler;
    }

    public boolean isFailOnPartialIngest() {
        return failOnPartialIngest;
    }

    @Override
    public String toString() {
        return "ErrorPolicy{"
                + action
                + (deadLetterHandler == null ? "" : ", handler=" + deadLetterHandler)
                + ", failOnPartialIngest="
                + failOnPartialIngest
                + '}';
    }
}
