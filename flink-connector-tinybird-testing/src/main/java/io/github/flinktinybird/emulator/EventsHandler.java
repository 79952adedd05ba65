package io.github.flinktinybird.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipException;

/**
 * Serves {@code POST /v0/events} for {@link EventsApiEmulator}, whichever front-end (HTTP/1.1 or
 * TLS + HTTP/2) received the request: the Events API's logic lives only here.
 */
final class EventsHandler {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Set<String> tokens;
    private final int maxRequestBytes;
    private final EmulatorStore store;
    private final FaultInjector faults;
    private final DataSourceQuotas quotas;
    /** How long a {@code wait=true} request takes to commit; its own thread waits, no other. */
    private final Duration commitLatency;

    EventsHandler(Set<String> tokens, int maxRequestBytes, EmulatorStore store, FaultInjector faults,
            DataSourceQuotas quotas, Duration commitLatency) {
        this.tokens = tokens;
        this.maxRequestBytes = maxRequestBytes;
        this.store = store;
        this.faults = faults;
        this.quotas = quotas;
        this.commitLatency = commitLatency;
    }

    void handle(EmulatorExchange exchange) {
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

    private void serve(EmulatorExchange exchange, RequestOutcome outcome) throws IOException, InterruptedException {
        if (!EventsApiEmulator.EVENTS_PATH.equals(exchange.path())) {
            respond(exchange, outcome, 404, error("Not found"), null);
            return;
        }
        if (!"POST".equals(exchange.method())) {
            respond(exchange, outcome, 405, error("Method not allowed: use POST"), headers("Allow", "POST"));
            return;
        }
        if (faults.unavailable()) {
            outcome.fault = Fault.UNAVAILABLE_503;
            BoundedBody.drain(exchange.body());
            respond(exchange, outcome, 503, faultBody(Fault.UNAVAILABLE_503, outcome), null);
            return;
        }
        String authorization = exchange.header("Authorization");
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
        String encoding = exchange.header("Content-Encoding");
        encoding = encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
        if (!encoding.isEmpty() && !encoding.equals("identity") && !encoding.equals("gzip")) {
            BoundedBody.drain(exchange.body());
            respond(exchange, outcome, 415, error("Unsupported Content-Encoding: " + encoding), null);
            return;
        }
        answer(exchange, outcome);
    }

    /** The part after the request was accepted: quotas, faults, body limits, storage. */
    private void answer(EmulatorExchange exchange, RequestOutcome outcome) throws IOException, InterruptedException {
        BoundedBody body = null;
        String bodyError = null;
        try {
            body = BoundedBody.read(exchange.body(), outcome.gzip, maxRequestBytes);
            outcome.bodyBytes = body.length();
        } catch (ZipException | EOFException e) {
            bodyError = "Invalid gzip body: " + e.getMessage();
            BoundedBody.drain(exchange.body());
        }
        // Before any fault is drawn, so that the fault sequence stays a function of the seed and
        // the requests admitted.
        DataSourceQuotas.Verdict quota = quotas.admit(outcome.dataSource, outcome.bodyBytes, System.nanoTime());
        if (!quota.admitted) {
            outcome.quotaExceeded = true;
            respond(exchange, outcome, 429, error("Too many " + quota.exceeded + ": the " + quota.exceeded
                    + " quota of Data Source '" + outcome.dataSource + "' is used up for this second"),
                    headers("Retry-After", Long.toString(quota.resetSeconds)), quota);
            return;
        }

        FaultPlan plan = faults.plan();
        Fault fault = faults.next();
        if (fault == Fault.SLOW) {
            outcome.fault = fault;
            Thread.sleep(plan.slowDelay().toMillis());
        }

        if (fault != null && !fault.storesRows()) {
            outcome.fault = fault;
            if (body != null && !body.overLimit()) {
                outcome.lineCount = NdjsonBody.parse(outcome.dataSource, body.bytes(), body.length()).lineCount();
            }
            if (fault == Fault.DROP_CONNECTION) {
                outcome.record(store, RecordedRequest.NO_RESPONSE);
                exchange.drop();
                return;
            }
            if (fault == Fault.RATE_LIMITED) {
                int retryAfter = plan.retryAfterSeconds();
                respond(exchange, outcome, 429, faultBody(fault, outcome), headers("Retry-After", Integer.toString(retryAfter)),
                        new DataSourceQuotas.Verdict(false, quota.limit, 0, Math.max(1, retryAfter), "requests"));
                return;
            }
            respond(exchange, outcome, fault.status(), faultBody(fault, outcome), null, quota);
            return;
        }
        if (bodyError != null) {
            respond(exchange, outcome, 400, error(bodyError), null, quota);
            return;
        }
        if (body.overLimit()) {
            respond(exchange, outcome, 413,
                    error("Request body is larger than " + maxRequestBytes + " bytes (uncompressed)"), null, quota);
            return;
        }

        NdjsonBody parsed = NdjsonBody.parse(outcome.dataSource, body.bytes(), body.length(), store.keepsRows());
        outcome.lineCount = parsed.lineCount();
        body = null; // not held over the commit latency: a load test keeps dozens of bodies waiting
        if (outcome.waitRequested && !commitLatency.isZero()) {
            // Tinybird answers wait=true once the rows are committed: they appear, and the answer
            // leaves, after the commit latency.
            Thread.sleep(commitLatency.toMillis());
        }
        store.append(outcome.dataSource, parsed);
        ObjectNode counts = MAPPER.createObjectNode()
                .put("successful_rows", parsed.rowCount())
                .put("quarantined_rows", parsed.quarantined().size());
        if (fault == Fault.MATERIALIZATION_FAILED_422 || fault == Fault.COMMITTED_THEN_500) {
            outcome.fault = fault;
            ObjectNode errorBody = faultBody(fault, outcome);
            if (fault == Fault.MATERIALIZATION_FAILED_422) {
                errorBody.setAll(counts);
            }
            respond(exchange, outcome, fault.status(), errorBody, null, quota);
            return;
        }
        respond(exchange, outcome, outcome.waitRequested ? 200 : 202, counts, null, quota);
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

    private void respond(EmulatorExchange exchange, RequestOutcome outcome, int status, ObjectNode body,
            Map<String, String> headers) throws IOException {
        respond(exchange, outcome, status, body, headers, quotas.peek(outcome.dataSource, System.nanoTime()));
    }

    /**
     * Records the request, then answers it, with the rate-limit headers on every answer. Recording
     * first means a test that reads the log right after getting the answer always finds the
     * request there.
     */
    private void respond(EmulatorExchange exchange, RequestOutcome outcome, int status, ObjectNode body,
            Map<String, String> headers, DataSourceQuotas.Verdict quota) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Content-Type", "application/json");
        all.put("X-RateLimit-Limit", Integer.toString(quota.limit));
        all.put("X-RateLimit-Remaining", Long.toString(quota.remaining));
        all.put("X-RateLimit-Reset", Long.toString(quota.resetSeconds));
        if (headers != null) {
            all.putAll(headers);
        }
        outcome.record(store, status);
        exchange.respond(status, all, bytes);
    }

    private static Map<String, String> headers(String name, String value) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(name, value);
        return headers;
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
