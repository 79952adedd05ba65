package io.github.flinktinybird.http;

import org.apache.flink.annotation.Internal;

import okhttp3.internal.http2.ConnectionShutdownException;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import java.io.IOException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;

/**
 * Maps an Events API answer to an {@link Outcome}: a pure function of the status, the rate-limit
 * headers and the clock, so that the whole status-code policy can be read here and tested as a
 * table. What to do with an outcome is the writer's job.
 *
 * <p>Error bodies are quoted in reasons but never parsed for decisions: their wording is not part
 * of Tinybird's contract.
 */
@Internal
public final class ResponseClassifier {

    /** {@code X-RateLimit-Reset} values above this are epoch seconds, below it seconds from now. */
    static final long EPOCH_SECONDS_THRESHOLD = 1_000_000_000L;

    private static final int MAX_QUOTED_BODY = 300;

    private ResponseClassifier() {}

    /**
     * @param response the answer
     * @param dataSource the Data Source the request was for, named in reasons
     * @param nowEpochSeconds the current time, for epoch-valued reset headers
     */
    public static Outcome classify(EventsApiResponse response, String dataSource, long nowEpochSeconds) {
        int status = response.status();
        String tinybirdSays = quote(response.body());
        if (status == 200 || status == 202) {
            return new Outcome(Outcome.Kind.COMMITTED, status, null, "accepted");
        }
        if (status == 422) {
            return new Outcome(
                    Outcome.Kind.PARTIALLY_INGESTED,
                    status,
                    null,
                    "Tinybird wrote the rows to Data Source '"
                            + dataSource
                            + "' but a Materialized View fed by it failed (422)"
                            + tinybirdSays);
        }
        if (status == 413) {
            return new Outcome(
                    Outcome.Kind.SPLIT,
                    status,
                    null,
                    "the request to Data Source '"
                            + dataSource
                            + "' was too large for Tinybird (413); lower sink.flush-buffer.size"
                            + " (maxBatchSizeInBytes) or the record size"
                            + tinybirdSays);
        }
        if (status == 429) {
            return new Outcome(
                    Outcome.Kind.RETRY,
                    status,
                    serverDelay(response, nowEpochSeconds),
                    "Tinybird rate-limited requests to Data Source '" + dataSource + "' (429)");
        }
        if (status == 503) {
            // RFC 9110 lets a 503 say how long the outage lasts; X-RateLimit-Reset is about the
            // rate window, not the outage, so only Retry-After counts here.
            return new Outcome(
                    Outcome.Kind.RETRY,
                    status,
                    retryAfter(response),
                    "Tinybird answered 503 for Data Source '" + dataSource + "'" + tinybirdSays);
        }
        if (status == 500 || status == 502 || status == 504) {
            return new Outcome(
                    Outcome.Kind.RETRY,
                    status,
                    null,
                    "Tinybird answered " + status + " for Data Source '" + dataSource + "'" + tinybirdSays);
        }
        if (status == 408 || status == 421 || status == 425) {
            // The 4xx that HTTP itself calls passing, where nothing was processed and the same
            // request may be sent again: 408, the server gave up waiting for the request (RFC 9110
            // 15.5.9); 421, the connection reached a server that does not serve this host, retry on
            // another (15.5.20); 425, it would not risk processing replayable early data (RFC 8470).
            return new Outcome(
                    Outcome.Kind.RETRY,
                    status,
                    null,
                    "the endpoint answered "
                            + status
                            + passingClientErrorName(status)
                            + " for Data Source '"
                            + dataSource
                            + "'; the request is sent again"
                            + tinybirdSays);
        }
        if (status == 401 || status == 403) {
            return new Outcome(
                    Outcome.Kind.FATAL,
                    status,
                    null,
                    "Tinybird refused the token ("
                            + status
                            + ") for Data Source '"
                            + dataSource
                            + "': set a valid token with the DATASOURCE:APPEND scope on this Data"
                            + " Source (DATASOURCE:CREATE as well if it does not exist yet)"
                            + tinybirdSays);
        }
        if (status == 404) {
            return new Outcome(
                    Outcome.Kind.FATAL,
                    status,
                    null,
                    "Tinybird answered 404 for Data Source '"
                            + dataSource
                            + "': the token's Workspace is not on this endpoint; check that the"
                            + " endpoint matches your Workspace's region (e.g."
                            + " https://api.us-east.tinybird.co)"
                            + tinybirdSays);
        }
        if (status >= 300 && status < 400) {
            return new Outcome(
                    Outcome.Kind.FATAL,
                    status,
                    null,
                    "the endpoint answered with a redirect ("
                            + status
                            + (response.location() == null ? "" : " to " + response.location())
                            + "); the sink never follows redirects, since that would send the token"
                            + " elsewhere: set the endpoint to the Events API host itself");
        }
        if (status >= 500) {
            // Other 5xx (e.g. 505, 507) are not in Tinybird's list of passing errors, but a server
            // error still says nothing about the records: retrying is the safe side.
            return new Outcome(
                    Outcome.Kind.RETRY,
                    status,
                    null,
                    "Tinybird answered " + status + " for Data Source '" + dataSource + "'" + tinybirdSays);
        }
        return new Outcome(
                Outcome.Kind.REJECTED,
                status,
                null,
                "Tinybird rejected the request to Data Source '"
                        + dataSource
                        + "' ("
                        + status
                        + "); nothing was written"
                        + tinybirdSays);
    }

    /**
     * Transport failures: resent at once when the server provably never processed the request,
     * retried after a backoff when it may have (the request may even be committed), fatal when no
     * retry can fix them.
     */
    public static Outcome classifyTransportFailure(Throwable failure, String dataSource) {
        String what = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        if (neverProcessed(failure)) {
            return new Outcome(
                    Outcome.Kind.RESEND_NOW,
                    0,
                    null,
                    "the server did not process the request to Data Source '"
                            + dataSource
                            + "' ("
                            + (failure.getMessage() == null ? failure.getClass().getSimpleName() : what)
                            + "): nothing was written, it is sent again at once");
        }
        if (failure instanceof SSLPeerUnverifiedException
                || (failure instanceof SSLHandshakeException && !cutShortByTheNetwork(failure))) {
            return new Outcome(
                    Outcome.Kind.FATAL,
                    0,
                    null,
                    "the TLS handshake with the endpoint failed ("
                            + what
                            + "): check the endpoint host and that the JVM trusts its certificate");
        }
        if (failure instanceof UnknownHostException) {
            return new Outcome(
                    Outcome.Kind.RETRY,
                    0,
                    null,
                    "the endpoint's host name could not be resolved ("
                            + what
                            + "): check the endpoint and DNS");
        }
        return new Outcome(
                Outcome.Kind.RETRY,
                0,
                null,
                "sending to Data Source '" + dataSource + "' failed in transport (" + what + ")");
    }

    /**
     * Whether the failure proves the server never processed the request. OkHttp (with its silent
     * retries off) reports a stream the server refused with {@code RST_STREAM REFUSED_STREAM}, and
     * every stream above the last-stream id of a {@code GOAWAY}, as a {@link StreamResetException}
     * with {@link ErrorCode#REFUSED_STREAM} (RFC 9113 sections 6.8 and 8.7: such streams were not
     * processed); a request that finds its HTTP/2 connection already shut down never leaves the
     * client ({@link ConnectionShutdownException}). Any other reset ({@code CANCEL}, {@code
     * INTERNAL_ERROR}, ...) or I/O failure may come after the rows were written.
     */
    private static boolean neverProcessed(Throwable failure) {
        if (failure instanceof StreamResetException) {
            return ((StreamResetException) failure).errorCode == ErrorCode.REFUSED_STREAM;
        }
        return failure instanceof ConnectionShutdownException;
    }

    /**
     * Whether a failed TLS handshake was cut short by the connection (the peer closed or reset it,
     * as a load balancer may while it restarts), which a retry can cure, rather than refused over a
     * certificate or a protocol, which only a change of configuration can.
     */
    private static boolean cutShortByTheNetwork(Throwable handshakeFailure) {
        for (Throwable cause = handshakeFailure.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return false;
            }
            if (cause instanceof IOException && !(cause instanceof SSLException)) {
                return true;
            }
            if (cause == cause.getCause()) {
                break;
            }
        }
        return false;
    }

    /**
     * The wait Tinybird asked for: {@code Retry-After} (seconds) first, then {@code
     * X-RateLimit-Reset} (seconds from now, or an epoch second in some deployments). {@code null}
     * when neither is usable.
     */
    static Duration serverDelay(EventsApiResponse response, long nowEpochSeconds) {
        Duration retryAfter = retryAfter(response);
        if (retryAfter != null) {
            return retryAfter;
        }
        Long reset = parseSeconds(response.rateLimitReset());
        if (reset == null) {
            return null;
        }
        if (reset > EPOCH_SECONDS_THRESHOLD) {
            return Duration.ofSeconds(Math.max(0, reset - nowEpochSeconds));
        }
        return Duration.ofSeconds(reset);
    }

    private static String passingClientErrorName(int status) {
        switch (status) {
            case 408:
                return " (request timeout)";
            case 421:
                return " (misdirected request)";
            default:
                return " (too early)";
        }
    }

    /** {@code Retry-After} in seconds, or {@code null} when absent or unusable. */
    private static Duration retryAfter(EventsApiResponse response) {
        Long seconds = parseSeconds(response.retryAfter());
        return seconds == null ? null : Duration.ofSeconds(seconds);
    }

    private static Long parseSeconds(String header) {
        if (header == null) {
            return null;
        }
        try {
            // Some servers send fractional seconds; round up so we never come back too early.
            double value = Double.parseDouble(header.trim());
            if (Double.isNaN(value) || value < 0 || Double.isInfinite(value)) {
                return null;
            }
            return (long) Math.ceil(value);
        } catch (NumberFormatException e) {
            // An HTTP-date Retry-After is legal HTTP but Tinybird does not send it; back off instead.
            return null;
        }
    }

    private static String quote(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.strip().replace('\n', ' ').replace('\r', ' ');
        if (oneLine.length() > MAX_QUOTED_BODY) {
            oneLine = oneLine.substring(0, MAX_QUOTED_BODY) + "...";
        }
        return "; Tinybird says: " + oneLine;
    }
}
