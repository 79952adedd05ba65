package io.github.flinktinybird.emulator;

/**
 * A failure the emulator can inject into one request, either drawn at random from a
 * {@link FaultPlan} or queued with {@link EventsApiEmulator#failNext(int, Fault)}.
 *
 * <p>Each fault reproduces a situation a client of the real Events API has to survive. Some
 * faults store the rows before answering badly ({@link #storesRows()}): those are the cases
 * where a client that retries writes duplicates.
 */
public enum Fault {
    /** 429 with {@code Retry-After} and {@code X-RateLimit-*} headers; nothing stored. */
    RATE_LIMITED(429, false),
    /** 500; nothing stored. */
    SERVER_ERROR_500(500, false),
    /** 502; nothing stored. */
    BAD_GATEWAY_502(502, false),
    /** 503; nothing stored. */
    UNAVAILABLE_503(503, false),
    /** 504; nothing stored. */
    GATEWAY_TIMEOUT_504(504, false),
    /** Rows stored, then 422: a Materialized View fed by the Data Source failed. */
    MATERIALIZATION_FAILED_422(422, true),
    /** 400 as for a request Tinybird rejects outright; nothing stored. */
    BAD_REQUEST_400(400, false),
    /** 404 as when the token's Workspace lives in another region; nothing stored. */
    WRONG_REGION_404(404, false),
    /** A normal answer (rows stored), sent only after the plan's slow delay. */
    SLOW(-1, true),
    /** The request is read, then the connection is closed without any answer; nothing stored. */
    DROP_CONNECTION(-1, false),
    /** Rows stored, then 500: the client cannot tell this from {@link #SERVER_ERROR_500}. */
    COMMITTED_THEN_500(500, true);

    private final int status;
    private final boolean storesRows;

    Fault(int status, boolean storesRows) {
        this.status = status;
        this.storesRows = storesRows;
    }

    /**
     * The HTTP status this fault answers with, or -1 when it has none of its own ({@link #SLOW}
     * answers normally, {@link #DROP_CONNECTION} does not answer).
     */
    public int status() {
        return status;
    }

    /** Whether the request's rows are stored despite the fault. */
    public boolean storesRows() {
        return storesRows;
    }
}
