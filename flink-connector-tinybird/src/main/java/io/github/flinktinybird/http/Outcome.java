package io.github.flinktinybird.http;

import org.apache.flink.annotation.Internal;

import java.time.Duration;
import java.util.Objects;

/**
 * What one answer (or transport failure) of the Events API means for the records of the request.
 * Produced by {@link ResponseClassifier}; the writer turns it into behaviour.
 */
@Internal
public final class Outcome {

    /** The kinds of outcome; each maps to exactly one way of finishing the request. */
    public enum Kind {
        /** 200/202: the rows are in (committed under {@code wait=true}). */
        COMMITTED,
        /**
         * 422: the rows are in the landing Data Source but a Materialized View failed. Never
         * retried, since a resend would duplicate them.
         */
        PARTIALLY_INGESTED,
        /** 413: the request was too large; send its halves separately. */
        SPLIT,
        /** A passing failure (429, 5xx, transport): send again after a backoff. */
        RETRY,
        /**
         * The server never processed the request: an HTTP/2 stream refused ({@code RST_STREAM
         * REFUSED_STREAM}), one above the last-stream id of a {@code GOAWAY}, or a connection
         * already shut down when the request was to start. Nothing was written, so a resend cannot
         * duplicate rows: send again at once on another stream, without backoff, without spending
         * an attempt and without counting it against flow control.
         */
        RESEND_NOW,
        /** The request can never succeed as it is (400 and other 4xx): the error policy decides. */
        REJECTED,
        /**
         * The sink is misconfigured (401/403 token, 404 region, 3xx endpoint, TLS): no record can
         * be delivered, whatever the error policy says. The job fails.
         */
        FATAL
    }

    private final Kind kind;
    private final int status;
    private final Duration serverDelay;
    private final String reason;

    Outcome(Kind kind, int status, Duration serverDelay, String reason) {
        this.kind = Objects.requireNonNull(kind);
        this.status = status;
        this.serverDelay = serverDelay;
        this.reason = reason;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 for a transport failure. */
    public int status() {
        return status;
    }

    /** The wait Tinybird asked for ({@code Retry-After}, {@code X-RateLimit-Reset}), or null. */
    public Duration serverDelay() {
        return serverDelay;
    }

    /** A sentence for logs and exceptions that says what happened and what to change. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return kind + "(" + status + (serverDelay == null ? "" : ", after " + serverDelay) + "): " + reason;
    }
}
