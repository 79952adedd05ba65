package io.github.flinktinybird.emulator;

import java.util.HashMap;
import java.util.Map;

/**
 * Tinybird's per-Data-Source budget as the emulator models it: a request quota and an optional
 * byte quota per one-second window, shared by every connection and client that writes to the same
 * Data Source (as all subtasks of a job share Tinybird's budget).
 *
 * <p>The model, from Tinybird's documentation where it speaks and stated here where it is silent:
 * <ul>
 *   <li>{@code X-RateLimit-Limit} is the number of requests allowed per window, on every answer;
 *   <li>{@code X-RateLimit-Remaining} is what is left of it in the current window after this
 *       request;
 *   <li>{@code X-RateLimit-Reset} is the whole seconds (rounded up, at least 1) until the current
 *       window ends and the budget is full again: seconds from now, as Tinybird's SDKs read it;
 *   <li>over the budget: 429 with {@code Retry-After} (integer seconds, same value as the reset),
 *       nothing stored. A refused request does not use up budget.
 *   <li>Windows are fixed, one second long, and start with the first request of a Data Source after
 *       the previous window ended (not aligned to wall-clock seconds).
 *   <li>The byte quota counts uncompressed body bytes of admitted requests. A window's first
 *       request is always admitted by it, however large, so that a request bigger than the
 *       quota is slow rather than impossible.
 * </ul>
 * Without a request quota the limit is announced ({@value #ANNOUNCED_LIMIT}, as in Tinybird's docs)
 * and counted down but not enforced, as the emulator always did.
 *
 * <p>Pure apart from its state: the caller passes the clock, so tests can walk it as a table.
 */
final class DataSourceQuotas {

    /** The limit announced when no request quota is set: Tinybird's documented 100 requests/s. */
    static final int ANNOUNCED_LIMIT = 100;

    static final long WINDOW_NANOS = 1_000_000_000L;

    /** Requests per window, 0 = announce {@link #ANNOUNCED_LIMIT} without enforcing it. */
    private final int requestsPerSecond;
    /** Uncompressed bytes per window, 0 = no byte quota. */
    private final long bytesPerSecond;
    private final Map<String, Window> windows = new HashMap<>();

    DataSourceQuotas(int requestsPerSecond, long bytesPerSecond) {
        if (requestsPerSecond < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("quotas must not be negative");
        }
        this.requestsPerSecond = requestsPerSecond;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** What to answer about the budget, and whether the request may go on. */
    static final class Verdict {
        final boolean admitted;
        final int limit;
        final long remaining;
        final long resetSeconds;
        /** "requests" or "bytes" when refused, null when admitted. */
        final String exceeded;

        Verdict(boolean admitted, int limit, long remaining, long resetSeconds, String exceeded) {
            this.admitted = admitted;
            this.limit = limit;
            this.remaining = remaining;
            this.resetSeconds = resetSeconds;
            this.exceeded = exceeded;
        }

        @Override
        public String toString() {
            return (admitted ? "admitted" : "429 (" + exceeded + ")") + " limit=" + limit + " remaining=" + remaining
                    + " reset=" + resetSeconds;
        }
    }

    private static final class Window {
        long start;
        int requests;
        long bytes;

        Window(long start) {
            this.start = start;
        }
    }

    /**
     * Decides one request of {@code bodyBytes} (uncompressed) to {@code dataSource} at {@code
     * nowNanos}, and counts it if admitted.
     */
    synchronized Verdict admit(String dataSource, long bodyBytes, long nowNanos) {
        Window window = current(dataSource, nowNanos);
        int limit = requestsPerSecond > 0 ? requestsPerSecond : ANNOUNCED_LIMIT;
        long reset = resetSeconds(window, nowNanos);
        if (requestsPerSecond > 0 && window.requests >= requestsPerSecond) {
            return new Verdict(false, limit, 0, reset, "requests");
        }
        if (bytesPerSecond > 0 && window.bytes > 0 && window.bytes + bodyBytes > bytesPerSecond) {
            return new Verdict(false, limit, Math.max(0, limit - window.requests), reset, "bytes");
        }
        window.requests++;
        window.bytes += bodyBytes;
        return new Verdict(true, limit, Math.max(0, limit - window.requests), reset, null);
    }

    /** The budget's state for an answer that does not count against it (e.g. 401, 400). */
    synchronized Verdict peek(String dataSource, long nowNanos) {
        Window window = current(dataSource, nowNanos);
        int limit = requestsPerSecond > 0 ? requestsPerSecond : ANNOUNCED_LIMIT;
        return new Verdict(true, limit, Math.max(0, limit - window.requests), resetSeconds(window, nowNanos), null);
    }

    synchronized void clear() {
        windows.clear();
    }

    private Window current(String dataSource, long nowNanos) {
        Window window = windows.computeIfAbsent(dataSource == null ? "" : dataSource, k -> new Window(nowNanos));
        if (nowNanos - window.start >= WINDOW_NANOS) {
            window.start = nowNanos;
            window.requests = 0;
            window.bytes = 0;
        }
        return window;
    }

    private static long resetSeconds(Window window, long nowNanos) {
        long left = window.start + WINDOW_NANOS - nowNanos;
        return Math.max(1, (left + WINDOW_NANOS - 1) / WINDOW_NANOS);
    }
}
