package io.github.flinktinybird.sink;

import io.github.flinktinybird.http.RetryPolicy;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * The builder's checks, each failing with a message that names the setting (builder method and
 * configuration key) and what to change. Nothing here ever quotes the token.
 */
final class SinkValidation {

    private SinkValidation() {}

    /** Flink's batching knobs, validated together since they constrain each other. */
    static final class BatchSettings implements Serializable {
        private static final long serialVersionUID = 1L;

        final int maxBatchSize;
        final int maxInFlightRequests;
        final int maxBufferedRequests;
        final long maxBatchSizeInBytes;
        final long maxTimeInBufferMS;
        final long maxRecordSizeInBytes;
        /** What one subtask may hold, buffered, in flight and waiting for a retry together. */
        final long maxBufferedBytes;

        private BatchSettings(int maxBatchSize, int maxInFlightRequests, int maxBufferedRequests, long maxBatchSizeInBytes, long maxTimeInBufferMS, long maxRecordSizeInBytes, long maxBufferedBytes) {
            this.maxBatchSize = maxBatchSize;
            this.maxInFlightRequests = maxInFlightRequests;
            this.maxBufferedRequests = maxBufferedRequests;
            this.maxBatchSizeInBytes = maxBatchSizeInBytes;
            this.maxTimeInBufferMS = maxTimeInBufferMS;
            this.maxRecordSizeInBytes = maxRecordSizeInBytes;
            this.maxBufferedBytes = maxBufferedBytes;
        }

        @Override
        public String toString() {
            return "maxBatchSize=" + maxBatchSize + ", maxBatchSizeInBytes=" + maxBatchSizeInBytes
                    + ", maxTimeInBufferMS=" + maxTimeInBufferMS + ", maxInFlightRequests=" + maxInFlightRequests
                    + ", maxBufferedRequests=" + maxBufferedRequests + ", maxRecordSizeInBytes=" + maxRecordSizeInBytes
                    + ", maxBufferedBytes=" + maxBufferedBytes;
        }
    }

    static BatchSettings batchSettings(int maxBatchSize, int maxInFlightRequests, int maxBufferedRequests, long maxBatchSizeInBytes, long maxTimeInBufferMS, long maxRecordSizeInBytes) {
        return batchSettings(maxBatchSize, maxInFlightRequests, maxBufferedRequests, maxBatchSizeInBytes, maxTimeInBufferMS, maxRecordSizeInBytes,
                Math.max(TinybirdSinkOptions.MAX_BUFFERED_BYTES.defaultValue(), 2 * maxBatchSizeInBytes));
    }

    static BatchSettings batchSettings(int maxBatchSize, int maxInFlightRequests, int maxBufferedRequests, long maxBatchSizeInBytes, long maxTimeInBufferMS, long maxRecordSizeInBytes, long maxBufferedBytes) {
        positive(maxBatchSize, "maxBatchSize (sink.batch.max-size)");
        positive(maxInFlightRequests, "maxInFlightRequests (sink.requests.max-inflight)");
        positive(maxBufferedRequests, "maxBufferedRequests (sink.requests.max-buffered)");
        positive(maxBatchSizeInBytes, "maxBatchSizeInBytes (sink.flush-buffer.size)");
        positive(maxTimeInBufferMS, "maxTimeInBufferMS (sink.flush-buffer.timeout)");
        positive(maxRecordSizeInBytes, "maxRecordSizeInBytes (sink.max-record-size)");
        if (maxBufferedRequests <= maxBatchSize) {
            throw new IllegalArgumentException(
                    "maxBufferedRequests (sink.requests.max-buffered) = " + maxBufferedRequests
                            + " must be greater than maxBatchSize (sink.batch.max-size) = " + maxBatchSize
                            + ": raise maxBufferedRequests (a few batches' worth, e.g. " + (maxBatchSize * 10L)
                            + ") or lower maxBatchSize");
        }
        if (maxBatchSizeInBytes > TinybirdSinkOptions.MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException(
                    "maxBatchSizeInBytes (sink.flush-buffer.size) = " + maxBatchSizeInBytes
                            + " is above Tinybird's request limit of " + TinybirdSinkOptions.MAX_REQUEST_BYTES
                            + " bytes (10 MB, uncompressed): set at most " + TinybirdSinkOptions.MAX_REQUEST_BYTES);
        }
        if (maxRecordSizeInBytes > maxBatchSizeInBytes) {
            throw new IllegalArgumentException(
                    "maxRecordSizeInBytes (sink.max-record-size) = " + maxRecordSizeInBytes
                            + " is above maxBatchSizeInBytes (sink.flush-buffer.size) = " + maxBatchSizeInBytes
                            + ": a record must fit in one request; lower the record cap or raise the batch bytes");
        }
        if (maxBufferedBytes < 2 * maxBatchSizeInBytes) {
            // Below that, a buffer short of a full batch could be over the bound with nothing in
            // flight, and write() would wait for an answer that never comes.
            throw new IllegalArgumentException(
                    "maxBufferedBytes (sink.max-buffered-bytes) = " + maxBufferedBytes
                            + " must be at least twice maxBatchSizeInBytes (sink.flush-buffer.size) = " + maxBatchSizeInBytes
                            + ": raise it to at least " + (2 * maxBatchSizeInBytes) + " or lower sink.flush-buffer.size");
        }
        return new BatchSettings(maxBatchSize, maxInFlightRequests, maxBufferedRequests, maxBatchSizeInBytes, maxTimeInBufferMS, maxRecordSizeInBytes, maxBufferedBytes);
    }

    static Duration waitBudget(Duration waitBudget) {
        if (waitBudget == null || waitBudget.isNegative() || waitBudget.isZero()) {
            throw new IllegalArgumentException(
                    "sink.flow-control.wait-budget must be a positive duration, got " + waitBudget
                            + ": set it to how long a throttled Data Source may wait, e.g. 5 min");
        }
        return waitBudget;
    }

    static void timing(Duration requestTimeout, RetryPolicy retryPolicy) {
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "requestTimeout (sink.request-timeout) must be positive, got " + requestTimeout);
        }
        if (retryPolicy.getMaxBackoff().compareTo(requestTimeout.dividedBy(2)) > 0) {
            throw new IllegalArgumentException(
                    "the retry policy's maxBackoff (sink.retry.max-backoff) = " + retryPolicy.getMaxBackoff()
                            + " must be at most half of requestTimeout (sink.request-timeout) = " + requestTimeout
                            + ", or Flink would time the request out and resend it while it waits:"
                            + " lower maxBackoff or raise requestTimeout");
        }
    }

    static String dataSource(String dataSource, DataSourceSelector<?> selector) {
        if (dataSource != null && selector != null) {
            throw new IllegalArgumentException(
                    "both a Data Source ('" + dataSource + "') and a Data Source selector are set: use one,"
                            + " setDataSource(name) or setDataSourceSelector(element -> name)");
        }
        if (selector != null) {
            return null;
        }
        if (dataSource == null || dataSource.isBlank()) {
            throw new IllegalArgumentException(
                    "no Data Source is set: call setDataSource(\"name\") or setDataSourceSelector(...),"
                            + " or set 'datasource'");
        }
        if (!TinybirdElementConverter.DATA_SOURCE_NAME.matcher(dataSource).matches()) {
            throw new IllegalArgumentException(
                    "'" + dataSource + "' is not a Tinybird Data Source name: use letters, digits and"
                            + " underscores, not starting with a digit");
        }
        return dataSource;
    }

    /**
     * Exactly one of the three ways to give the token; blank counts as not given. Messages name the
     * keys that are set, never their values.
     */
    static TokenSource tokenSource(String token, String environmentVariable, String file) {
        java.util.List<String> given = new java.util.ArrayList<>();
        if (token != null && !token.isBlank()) {
            given.add("token");
        }
        if (environmentVariable != null && !environmentVariable.isBlank()) {
            given.add("token.env-var");
        }
        if (file != null && !file.isBlank()) {
            given.add("token.file");
        }
        if (given.isEmpty()) {
            throw new IllegalArgumentException(
                    "no Tinybird token is set: set 'token.env-var' (setTokenEnvironmentVariable) to the"
                            + " name of an environment variable on the TaskManagers, 'token.file'"
                            + " (setTokenFile) to a file on the TaskManagers, or 'token' (setToken) to the"
                            + " token itself; the token needs the DATASOURCE:APPEND scope");
        }
        if (given.size() > 1) {
            throw new IllegalArgumentException(
                    "the Tinybird token is given more than one way (" + String.join(", ", given)
                            + "): set exactly one of 'token', 'token.env-var' and 'token.file'"
                            + " (setToken, setTokenEnvironmentVariable, setTokenFile)");
        }
        switch (given.get(0)) {
            case "token.env-var":
                return TokenSource.environmentVariable(environmentVariable);
            case "token.file":
                return TokenSource.file(file);
            default:
                return TokenSource.value(token);
        }
    }

    static String token(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(
                    "no Tinybird token is set: call setToken(...) or set 'token' to a token with the"
                            + " DATASOURCE:APPEND scope");
        }
        // Surrounding whitespace is a copy-paste artefact (a trailing newline from a file or
        // secret); whitespace inside cannot be part of a token.
        String trimmed = token.strip();
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException(
                        "the Tinybird token contains whitespace, a line break or a non-ASCII character"
                                + " at position " + i + " of " + trimmed.length()
                                + ": copy the token again, as one line without spaces");
            }
        }
        return trimmed;
    }

    /** The endpoint as {@code scheme://host[:port]}, or an exception saying what is wrong. */
    static String endpoint(String endpoint, boolean allowInsecureHttp) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException(
                    "the endpoint is empty: set it to your region's API base URL, e.g. https://api.tinybird.co");
        }
        URI uri;
        try {
            uri = new URI(endpoint.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "the endpoint '" + endpoint + "' is not a URL (" + e.getReason()
                            + "): set it to your region's API base URL, e.g. https://api.tinybird.co");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException(
                    "the endpoint '" + endpoint + "' must start with https:// (e.g. https://api.tinybird.co)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "the endpoint '" + endpoint + "' has no host: set e.g. https://api.tinybird.co");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "the endpoint must not contain credentials: remove the user info and set the token with setToken(...)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "the endpoint '" + redactQuery(endpoint) + "' must not have a query or fragment: set only"
                            + " scheme and host, e.g. https://api.tinybird.co (the token goes in setToken)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        if (!path.isEmpty()) {
            throw new IllegalArgumentException(
                    "the endpoint '" + endpoint + "' has a path ('" + path + "'): set only the API base URL,"
                            + " e.g. https://api.tinybird.co; the sink adds /v0/events itself");
        }
        if (scheme.equals("http") && !allowInsecureHttp && !isLoopback(uri.getHost())) {
            throw new IllegalArgumentException(
                    "the endpoint '" + endpoint + "' is plain http:// on a host that is not loopback, so the"
                            + " token would travel unencrypted: use https://, or, for Tinybird Local in"
                            + " Docker, allow it with setAllowInsecureHttp(true) (allow-insecure-http = true)");
        }
        return scheme + "://" + uri.getRawAuthority();
    }

    private static String redactQuery(String endpoint) {
        int q = endpoint.indexOf('?');
        return q < 0 ? endpoint : endpoint.substring(0, q) + "?...";
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost")
                || h.equals("[::1]")
                || h.equals("::1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
