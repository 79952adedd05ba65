package io.github.flinktinybird.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipException;

/** Serves {@code POST /v0/events} for {@link EventsApiEmulator}. */
final class EventsHandler implements HttpHandler {

    /** Requests per second per Data Source announced in {@code X-RateLimit-Limit}, as in Tinybird's docs. */
    static final int RATE_LIMIT_PER_SECOND = 100;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final Set<String> tokens;
    private final int maxRequestBytes;
    private final EmulatorStore store;
    private final FaultInjector faults;
    /** How long a {@code wait=true} request takes to commit; its own thread waits, no other. */
    private final Duration commitLatency;
    /** Per key (Data Source): {window start nanos, requests in window}. Guarded by itself. */
    private final Map<String, long[]> windows = new HashMap<>();

    EventsHandler(Set<String> tokens, int maxRequestBytes, EmulatorStore store, FaultInjector faults) {
        this(tokens, maxRequestBytes, store, faults, Duration.ZERO);
    }

    EventsHandler(Set<String> tokens, int maxRequestBytes, EmulatorStore store, FaultInjector faults, Duration commitLatency) {
        this.tokens = tokens;
        this.maxRequestBytes = maxRequestBytes;
        this.store = store;
        this.faults = faults;
        this.commitLatency = commitLatency;
    }

    @Override
    public void handle(HttpExchange exchange) {
        RequestOutcome outcome = new RequestOutcome(exchange, System.nanoTime());
        try {
            serve(exchange, outcome);
        } catch (InterruptedException e) {
            // The emulator is closing while a SLOW answer waits: leave without answering.
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away; nothing left to answer.
        } catch (RuntimeException e) {
            // A bug here must not look like a Tinybird answer, so the connection just closes.
            e.printStackTrace();
        } finally {
            outcome.record(store, RecordedRequest.NO_RESPONSE);
            exchange.close();
        }
    }

    private void serve(HttpExchange exchange, RequestOutcome outcome) throws IOException, InterruptedException {
        if (!EventsApiEmulator.EVENTS_PATH.equals(exchange.getRequestURI().getPath())) {
            respond(exchange, outcome, 404, error("Not found"), null);
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            respond(exchange, outcome, 405, error("Method not allowed: use POST"), null);
            return;
        }
        if (faults.unavailable()) {
            outcome.fault = Fault.UNAVAILABLE_503;
            BoundedBody.drain(exchange.getRequestBody());
            respond(exchange, outcome, 503, faultBody(Fault.UNAVAILABLE_503, outcome), null);
            return;
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null) {
            respond(exchange, outcome, 401, error("Authorization header with a Bearer token is required"), null);
            return;
        }
        String token = bearerToken(authorization);
        if (token == null) {
            respond(exchange, outcome, 401, error("Authorization header must be 'Bearer <token>'"), null);
            return;
        }
        if (!tokens.contains(token)) {
            respond(exchange, outcome, 403, error("Invalid token: it does not grant DATASOURCE:APPEND"), null);
            return;
        }
        if (outcome.dataSource == null) {
            respond(exchange, outcome, 400, error("The 'name' query parameter (the Data Source) is required"), null);
            return;
        }
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        encoding = encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
        if (!encoding.isEmpty() && !encoding.equals("identity") && !encoding.equals("gzip")) {
            BoundedBody.drain(exchange.getRequestBody());
            respond(exchange, outcome, 415, error("Unsupported Content-Encoding: " + encoding), null);
            return;
        }
        answer(exchange, outcome);
    }

    /** The part after the request was accepted: faults, body limits, storage. */
    private void answer(HttpExchange exchange, RequestOutcome outcome) throws IOException, InterruptedException {
        FaultPlan plan = faults.plan();
        Fault fault = faults.next();
        if (fault == Fault.SLOW) {
            outcome.fault = fault;
            Thread.sleep(plan.slowDelay().toMillis());
        }

        BoundedBody body = null;
        String bodyError = null;
        try {
            body = BoundedBody.read(exchange.getRequestBody(), outcome.gzip, maxRequestBytes);
            outcome.bodyBytes = body.length();
        } catch (ZipException | EOFException e) {
            bodyError = "Invalid gzip body: " + e.getMessage();
            BoundedBody.drain(exchange.getRequestBody());
        }

        if (fault != null && !fault.storesRows()) {
            outcome.fault = fault;
            if (body != null && !body.overLimit()) {
                outcome.lineCount = NdjsonBody.parse(outcome.dataSource, body.bytes(), body.length()).lineCount();
            }
            if (fault == Fault.DROP_CONNECTION) {
                // Closing an exchange whose response headers were never sent closes the socket.
                outcome.record(store, RecordedRequest.NO_RESPONSE);
                exchange.close();
                return;
            }
            if (fault == Fault.RATE_LIMITED) {
                exchange.getResponseHeaders().set("Retry-After", Integer.toString(plan.retryAfterSeconds()));
            }
            respond(exchange, outcome, fault.status(), faultBody(fault, outcome), plan);
            return;
        }
        if (bodyError != null) {
            respond(exchange, outcome, 400, error(bodyError), null);
            return;
        }
        if (body.overLimit()) {
            respond(exchange, outcome, 413,
                    error("Request body is larger than " + maxRequestBytes + " bytes (uncompressed)"), null);
            return;
        }

        NdjsonBody parsed = NdjsonBody.parse(outcome.dataSource, body.bytes(), body.length());
        outcome.lineCount = parsed.lineCount();
        if (outcome.waitRequested && !commitLatency.isZero()) {
            // Tinybird answers wait=true once the rows are committed: they appear, and the answer
            // leaves, after the commit latency.
            Thread.sleep(commitLatency.toMillis());
        }
        store.append(outcome.dataSource, parsed);
        ObjectNode counts = MAPPER.createObjectNode()
                .put("successful_rows", parsed.rows().size())
                .put("quarantined_rows", parsed.quarantined().size());
        if (fault == Fault.MATERIALIZATION_FAILED_422 || fault == Fault.COMMITTED_THEN_500) {
            outcome.fault = fault;
            ObjectNode errorBody = faultBody(fault, outcome);
            if (fault == Fault.MATERIALIZATION_FAILED_422) {
                errorBody.setAll(counts);
            }
            respond(exchange, outcome, fault.status(), errorBody, null);
            return;
        }
        respond(exchange, outcome, outcome.waitRequested ? 200 : 202, counts, null);
    }

    private static ObjectNode faultBody(Fault fault, RequestOutcome outcome) {
        switch (fault) {
            case RATE_LIMITED:
                return error("Too many requests: rate limit exceeded for Data Source '" + outcome.dataSource + "'");
            case BAD_GATEWAY_502:
                return error("Bad gateway");
            case UNAVAILABLE_503:
                return error("Service temporarily unavailable");
            case GATEWAY_TIMEOUT_504:
                return error("Gateway timeout");
            case MATERIALIZATION_FAILED_422:
                return error("Rows were appended to '" + outcome.dataSource
                        + "' but a Materialized View failed to process them");
            case BAD_REQUEST_400:
                return error("Bad request: the rows could not be parsed for Data Source '" + outcome.dataSource + "'");
            case WRONG_REGION_404:
                return error("Workspace not found in this region: check the API endpoint");
            default:
                // COMMITTED_THEN_500 must be indistinguishable from a plain 500.
                return error("Internal server error");
        }
    }

    /**
     * Records the request, then answers it. Recording first means a test that reads the log
     * right after getting the answer always finds the request there.
     */
    private void respond(HttpExchange exchange, RequestOutcome outcome, int status, ObjectNode body, FaultPlan plan)
            throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        setRateLimitHeaders(exchange, outcome, status == 429 ? plan : null);
        outcome.record(store, status);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void setRateLimitHeaders(HttpExchange exchange, RequestOutcome outcome, FaultPlan rateLimitedBy) {
        long remaining;
        long resetSeconds;
        if (rateLimitedBy != null) {
            remaining = 0;
            resetSeconds = Math.max(1, rateLimitedBy.retryAfterSeconds());
        } else {
            String key = outcome.dataSource == null ? "" : outcome.dataSource;
            long now = System.nanoTime();
            synchronized (windows) {
                long[] window = windows.computeIfAbsent(key, k -> new long[] {now, 0});
                if (now - window[0] >= WINDOW_NANOS) {
                    window[0] = now;
                    window[1] = 0;
                }
                window[1]++;
                remaining = Math.max(0, RATE_LIMIT_PER_SECOND - window[1]);
                resetSeconds = Math.max(1, (window[0] + WINDOW_NANOS - now + 999_999_999L) / 1_000_000_000L);
            }
        }
        exchange.getResponseHeaders().set("X-RateLimit-Limit", Integer.toString(RATE_LIMIT_PER_SECOND));
        exchange.getResponseHeaders().set("X-RateLimit-Remaining", Long.toString(remaining));
        exchange.getResponseHeaders().set("X-RateLimit-Reset", Long.toString(resetSeconds));
    }

    private static ObjectNode error(String message) {
        return MAPPER.createObjectNode().put("error", message);
    }

    private static String bearerToken(String authorization) {
        String value = authorization.trim();
        if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
