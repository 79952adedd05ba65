package io.github.flinktinybird.emulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What is known about one request while it is served, turned into a {@link RecordedRequest}
 * exactly once, whichever way the request ends.
 */
final class RequestOutcome {
    final String method;
    final String path;
    final String dataSource;
    final boolean waitRequested;
    final boolean gzip;
    final String contentType;
    final String userAgent;
    final boolean authorizationPresent;
    final long arrivalNanos;
    long bodyBytes;
    int lineCount;
    Fault fault;
    /** Answered 429 because the Data Source's quota was used up (not an injected fault). */
    boolean quotaExceeded;
    private boolean recorded;

    RequestOutcome(EmulatorExchange exchange, long arrivalNanos) {
        Map<String, String> query = parseQuery(exchange.rawQuery());
        String name = query.get("name");
        String encoding = exchange.header("Content-Encoding");
        this.method = exchange.method();
        this.path = exchange.path();
        this.dataSource = name == null || name.trim().isEmpty() ? null : name;
        this.waitRequested = "true".equalsIgnoreCase(query.get("wait"));
        this.gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
        this.contentType = exchange.header("Content-Type");
        this.userAgent = exchange.header("User-Agent");
        this.authorizationPresent = exchange.header("Authorization") != null;
        this.arrivalNanos = arrivalNanos;
    }

    /** Adds the request to the log with {@code status}, unless it was already recorded. */
    synchronized void record(EmulatorStore store, int status) {
        if (recorded) {
            return;
        }
        recorded = true;
        store.record(new RecordedRequest(method, path, dataSource, waitRequested, gzip, contentType, userAgent,
                authorizationPresent, bodyBytes, lineCount, status, fault, quotaExceeded, arrivalNanos));
    }

    /** The first value of each query parameter, percent-decoded; a malformed escape is kept as is. */
    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.putIfAbsent(key, value);
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
