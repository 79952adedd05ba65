package io.github.flinktinybird.sink;

import io.github.flinktinybird.http.EventsApiResponse;
import io.github.flinktinybird.http.Outcome;

import java.time.Duration;

/**
 * What {@link FlowController} learns from one answer: how it was classified, how long it took, and
 * the rate-limit headers Tinybird sent ({@code null} where absent or unreadable).
 */
final class FlowAnswer {
    final Outcome.Kind kind;
    final int status;
    final long latencyNanos;
    final Long limit;
    final Long remaining;
    /** {@code X-RateLimit-Reset} as seconds from now. */
    final Long resetSeconds;
    final Duration retryAfter;

    FlowAnswer(Outcome.Kind kind, int status, long latencyNanos, Long limit, Long remaining, Long resetSeconds,
            Duration retryAfter) {
        this.kind = kind;
        this.status = status;
        this.latencyNanos = latencyNanos;
        this.limit = limit;
        this.remaining = remaining;
        this.resetSeconds = resetSeconds;
        this.retryAfter = retryAfter;
    }

    /**
     * What an answer (or, with a {@code null} response, a transport failure) says to flow control.
     * {@code X-RateLimit-Reset} above ~1e9 is an epoch second (as some deployments send it) and is
     * turned into seconds from {@code nowEpochSeconds}.
     */
    static FlowAnswer of(Outcome outcome, EventsApiResponse response, long latencyNanos, long nowEpochSeconds) {
        if (response == null) {
            return new FlowAnswer(outcome.kind(), outcome.status(), latencyNanos, null, null, null, null);
        }
        Long reset = seconds(response.rateLimitReset());
        if (reset != null && reset > 1_000_000_000L) {
            reset = Math.max(0, reset - nowEpochSeconds);
        }
        Long retryAfter = seconds(response.retryAfter());
        return new FlowAnswer(outcome.kind(), response.status(), latencyNanos, seconds(response.rateLimitLimit()),
                seconds(response.rateLimitRemaining()), reset, retryAfter == null ? null : Duration.ofSeconds(retryAfter));
    }

    /** A whole non-negative number (fractions rounded up), or {@code null} when absent or unreadable. */
    private static Long seconds(String header) {
        if (header == null) {
            return null;
        }
        try {
            double value = Double.parseDouble(header.trim());
            return Double.isNaN(value) || Double.isInfinite(value) || value < 0 ? null : (long) Math.ceil(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** 429, or 503 with a Retry-After: Tinybird asks this Data Source to slow down. */
    boolean throttled() {
        return status == 429 || (status == 503 && retryAfter != null);
    }

    /** The server took the request and wrote it: a latency sample and a sign that the rate is fine. */
    boolean clean() {
        return kind == Outcome.Kind.COMMITTED || kind == Outcome.Kind.PARTIALLY_INGESTED;
    }

    @Override
    public String toString() {
        return kind + "(" + status + ", " + latencyNanos / 1_000_000 + " ms, limit=" + limit + ", remaining="
                + remaining + ", reset=" + resetSeconds + ", retryAfter=" + retryAfter + ")";
    }
}
