package io.github.flinktinybird.emulator;

import java.util.Optional;

/**
 * One request as the emulator received and answered it, for tests that check what a client sent.
 *
 * <p>The token is never kept: only whether an {@code Authorization} header was present.
 */
public final class RecordedRequest {

    /** {@link #status()} of a request whose connection was closed without an answer. */
    public static final int NO_RESPONSE = -1;
    /**
     * {@link #status()} of an HTTP/2 request the emulator never processed: its stream was refused
     * ({@code RST_STREAM REFUSED_STREAM}) or was above the last-stream id of a {@code GOAWAY}.
     */
    public static final int REFUSED = -2;

    private final String method;
    private final String path;
    private final String dataSource;
    private final boolean waitRequested;
    private final boolean gzip;
    private final String contentType;
    private final String userAgent;
    private final boolean authorizationPresent;
    private final long bodyBytes;
    private final int lineCount;
    private final int status;
    private final Fault fault;
    private final boolean quotaExceeded;
    private final long arrivalNanos;

    RecordedRequest(String method, String path, String dataSource, boolean waitRequested, boolean gzip,
            String contentType, String userAgent, boolean authorizationPresent, long bodyBytes, int lineCount,
            int status, Fault fault, boolean quotaExceeded, long arrivalNanos) {
        this.method = method;
        this.path = path;
        this.dataSource = dataSource;
        this.waitRequested = waitRequested;
        this.gzip = gzip;
        this.contentType = contentType;
        this.userAgent = userAgent;
        this.authorizationPresent = authorizationPresent;
        this.bodyBytes = bodyBytes;
        this.lineCount = lineCount;
        this.status = status;
        this.fault = fault;
        this.quotaExceeded = quotaExceeded;
        this.arrivalNanos = arrivalNanos;
    }

    /** The HTTP method, e.g. {@code POST}. */
    public String method() {
        return method;
    }

    /** The request path without the query, e.g. {@code /v0/events}. */
    public String path() {
        return path;
    }

    /** The {@code name} query parameter, or null when absent or blank. */
    public String dataSource() {
        return dataSource;
    }

    /** Whether the query asked for {@code wait=true}. */
    public boolean waitRequested() {
        return waitRequested;
    }

    /** Whether the body was sent with {@code Content-Encoding: gzip}. */
    public boolean gzip() {
        return gzip;
    }

    /** The {@code Content-Type} header, or null. */
    public String contentType() {
        return contentType;
    }

    /** The {@code User-Agent} header, or null. */
    public String userAgent() {
        return userAgent;
    }

    /** Whether an {@code Authorization} header was sent (its value is not kept). */
    public boolean authorizationPresent() {
        return authorizationPresent;
    }

    /**
     * Uncompressed body bytes read: the whole body, or the point where reading stopped for a 413.
     * 0 when the request was answered before its body was read (e.g. 401, 400).
     */
    public long bodyBytes() {
        return bodyBytes;
    }

    /** Non-blank NDJSON lines in the body; 0 when the body was not read to its end. */
    public int lineCount() {
        return lineCount;
    }

    /**
     * The status answered, {@link #NO_RESPONSE} when the connection was dropped, {@link #REFUSED}
     * when an HTTP/2 stream was refused unprocessed.
     */
    public int status() {
        return status;
    }

    /** The fault that shaped the answer, if any. */
    public Optional<Fault> fault() {
        return Optional.ofNullable(fault);
    }

    /**
     * Whether the request was answered 429 because its Data Source's request or byte quota was used
     * up ({@link EventsApiEmulator.Builder#requestQuota(int)}, {@link
     * EventsApiEmulator.Builder#byteQuota(long)}), rather than by an injected {@link Fault}.
     */
    public boolean quotaExceeded() {
        return quotaExceeded;
    }

    /** {@link System#nanoTime()} when the request reached the emulator, to measure spacing of retries. */
    public long arrivalNanos() {
        return arrivalNanos;
    }

    @Override
    public String toString() {
        return "RecordedRequest{" + method + ' ' + path + ", dataSource=" + dataSource + ", wait=" + waitRequested
                + ", gzip=" + gzip + ", contentType=" + contentType + ", userAgent=" + userAgent
                + ", authorizationPresent=" + authorizationPresent + ", bodyBytes=" + bodyBytes + ", lineCount="
                + lineCount + ", status=" + status + ", fault=" + fault + ", quotaExceeded=" + quotaExceeded + ", arrivalNanos=" + arrivalNanos + '}';
    }
}
