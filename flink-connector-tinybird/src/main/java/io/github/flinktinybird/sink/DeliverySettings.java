package io.github.flinktinybird.sink;

import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the writer talks to Tinybird, validated by the builder. The token's {@link TokenSource} is
 * held here to reach the HTTP client on the TaskManager; the token has no getter besides {@link
 * #token()} for that client and is never part of {@link #toString()}.
 */
final class DeliverySettings implements Serializable {
    private static final long serialVersionUID = 1L;

    final String endpoint;
    private final TokenSource token;
    final boolean wait;
    final Compression compression;
    final Duration requestTimeout;
    final RetryPolicy retryPolicy;
    final ErrorPolicy errorPolicy;
    /** {@code sink.flow-control.enabled}: pace requests per Data Source from Tinybird's answers. */
    final boolean flowControl;
    /** {@code sink.flow-control.wait-budget}: how long a Data Source may stay throttled. */
    final Duration waitBudget;

    DeliverySettings(
            String endpoint,
            TokenSource token,
            boolean wait,
            Compression compression,
            Duration requestTimeout,
            RetryPolicy retryPolicy,
            ErrorPolicy errorPolicy,
            boolean flowControl,
            Duration waitBudget) {
        this.flowControl = flowControl;
        this.waitBudget = waitBudget;
        this.endpoint = endpoint;
        this.token = token;
        this.wait = wait;
        this.compression = compression;
        this.requestTimeout = requestTimeout;
        this.retryPolicy = retryPolicy;
        this.errorPolicy = errorPolicy;
    }

    /**
     * The token, for the HTTP client. Called in the writer's constructor, on the TaskManager: a
     * token from {@code token.env-var} or {@code token.file} is read here and now, so the job graph
     * never holds it; a missing or empty one fails the writer with a message naming its source.
     */
    String token() {
        return token.resolve();
    }

    /**
     * One HTTP call may take half the request timeout, so that a call and the halves of a 413
     * usually fit in it; whatever does not is ended by the batch's own deadline.
     */
    Duration httpCallTimeout() {
        return requestTimeout.dividedBy(2);
    }

    /**
     * Flink's own request timer, a backstop that never fires first: each batch ends by {@link
     * #requestTimeout} (see {@code BatchDelivery}), and Flink's timer would resend the whole batch.
     */
    Duration flinkRequestTimeout() {
        return requestTimeout.multipliedBy(2).plusSeconds(60);
    }

    @Override
    public String toString() {
        return "endpoint="
                + endpoint
                + ", "
                + token
                + ", wait="
                + wait
                + ", compression="
                + compression
                + ", requestTimeout="
                + requestTimeout
                + ", "
                + retryPolicy
                + ", "
                + errorPolicy
                + ", flowControl="
                + flowControl
                + ", waitBudget="
                + waitBudget;
    }
}
