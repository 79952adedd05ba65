package io.github.flinktinybird.http;

import org.apache.flink.annotation.Internal;

/**
 * What the Events API answered to one request, reduced to what the classifier and the writer need:
 * the status, the headers that steer retries, and the beginning of the body.
 */
@Internal
public final class EventsApiResponse {
    private final int status;
    private final String retryAfter;
    private final String rateLimitReset;
    private final String location;
    private final String body;
    private final String rateLimitLimit;
    private final String rateLimitRemaining;

    public EventsApiResponse(
            int status, String retryAfter, String rateLimitReset, String location, String body) {
        this(status, retryAfter, rateLimitReset, location, body, null, null);
    }

    /** With {@code X-RateLimit-Limit} and {@code X-RateLimit-Remaining}, which flow control reads. */
    public EventsApiResponse(
            int status,
            String retryAfter,
            String rateLimitReset,
            String location,
            String body,
            String rateLimitLimit,
            String rateLimitRemaining) {
        this.status = status;
        this.retryAfter = retryAfter;
        this.rateLimitReset = rateLimitReset;
        this.location = location;
        this.body = body == null ? "" : body;
        this.rateLimitLimit = rateLimitLimit;
        this.rateLimitRemaining = rateLimitRemaining;
    }

    public static EventsApiResponse of(int status, String body) {
        return new EventsApiResponse(status, null, null, null, body);
    }

    public int status() {
        return status;
    }

    /** The {@code Retry-After} header, or {@code null}. */
    public String retryAfter() {
        return retryAfter;
    }

    /** The {@code X-RateLimit-Reset} header, or {@code null}. */
    public String rateLimitReset() {
        return rateLimitReset;
    }

    /** The {@code X-RateLimit-Limit} header (requests per window for the Data Source), or {@code null}. */
    public String rateLimitLimit() {
        return rateLimitLimit;
    }

    /** The {@code X-RateLimit-Remaining} header (requests left in the window), or {@code null}. */
    public String rateLimitRemaining() {
        return rateLimitRemaining;
    }

    /** The {@code Location} header of a redirect, or {@code null}. */
    public String location() {
        return location;
    }

    /** The start of the body (bounded), never {@code null}. */
    public String body() {
        return body;
    }

    @Override
    public String toString() {
        return "EventsApiResponse{status=" + status + ", body=" + body + '}';
    }
}
