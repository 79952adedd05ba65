package io.github.flinktinybird.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Acts on the per-Data-Source {@link FlowControllers} for one writer: answers go in from HTTP
 * threads, sends are paced from the task thread and HTTP threads (413 halves), so every call is
 * under one lock (the controllers themselves are not thread-safe).
 *
 * <p>A Data Source is paced only once Tinybird pushed back on it (a 429, or a 503 with
 * Retry-After), and stays paced for the writer's life: until then its requests go out as the
 * in-flight limit allows, as without flow control, so an endpoint that never says no is not slowed
 * by the controller's cautious start. The controller learns from every answer all along (its rate
 * is bounded by the announced {@code X-RateLimit-Limit} from the first answer).
 *
 * <p>Pacing never blocks: {@link #sendAt} says when a request to a Data Source may start, and a
 * request that may not start yet has its records wait in {@code UnconfirmedRecords} until then,
 * holding no in-flight slot (FLINK-38096). Successive requests that must wait get successive
 * slots, so that they do not all come back at once only to wait again. The requests allowed in
 * flight for the whole writer follow the controllers (Little's law per Data Source, summed, capped
 * by {@code sink.requests.max-inflight}) through {@code capInFlight}.
 *
 * <p>Metrics per Data Source, in the group {@code dataSource=<name>}: {@code allowedRequestRate},
 * {@code allowedRequestsInFlight} (gauges), {@code quotaWaitMs} (time paused by throttled answers)
 * and {@code requestsRateLimited} (counters).
 */
final class DataSourceFlow {
    private static final long SECOND = 1_000_000_000L;

    private final FlowControllers controllers;
    private final MetricGroup group;
    private final int maxInFlight;
    private final IntConsumer capInFlight;
    private final Map<String, PerDataSource> byDataSource = new HashMap<>();

    private static final class PerDataSource {
        final FlowController controller;
        /** The first free slot after the requests already told to wait. */
        long reservedUntilNanos;
        /** Whether Tinybird throttled this Data Source yet: pacing and the in-flight cap apply from then. */
        boolean engaged;
        long pausedMsCounted;
        Counter quotaWaitMs;
        Counter rateLimited;

        PerDataSource(FlowController controller, long nowNanos) {
            this.controller = controller;
            this.reservedUntilNanos = nowNanos;
        }
    }

    DataSourceFlow(FlowControlSettings settings, MetricGroup group, IntConsumer capInFlight) {
        this.controllers = new FlowControllers(settings);
        this.group = group;
        this.maxInFlight = settings.maxInFlight;
        this.capInFlight = capInFlight;
    }

    /**
     * When a request to {@code dataSource} may start: {@code nowNanos} if now (and it counts as
     * started), else a later time, reserved for it.
     */
    synchronized long sendAt(String dataSource, long nowNanos) {
        PerDataSource flow = of(dataSource, nowNanos);
        long next = flow.controller.nextSendNanos();
        if (!flow.engaged || nowNanos - next >= 0) {
            flow.controller.sent(nowNanos);
            return nowNanos;
        }
        // Records coming back at their slot cannot be told from new ones: whichever asks first
        // sends, the other waits again; the reservations only spread out the waiting ones.
        long at = next - flow.reservedUntilNanos >= 0 ? next : flow.reservedUntilNanos;
        flow.reservedUntilNanos = at + (long) (SECOND / flow.controller.allowedRate());
        return at;
    }

    /** Learns from one answer to {@code dataSource}; returns whether it throttled the Data Source. */
    synchronized boolean answered(String dataSource, FlowAnswer answer, long nowNanos) {
        PerDataSource flow = of(dataSource, nowNanos);
        flow.controller.answered(answer, nowNanos);
        long pausedMs = flow.controller.pausedNanos() / 1_000_000;
        flow.quotaWaitMs.inc(pausedMs - flow.pausedMsCounted);
        flow.pausedMsCounted = pausedMs;
        if (answer.throttled()) {
            flow.rateLimited.inc();
            flow.engaged = true;
        }
        long allowed = 0;
        for (PerDataSource each : byDataSource.values()) {
            allowed += each.engaged ? each.controller.allowedInFlight() : maxInFlight;
        }
        capInFlight.accept((int) Math.min(maxInFlight, Math.max(1, allowed)));
        return answer.throttled();
    }

    /** The earliest time the next request to {@code dataSource} may start. */
    synchronized long nextSendNanos(String dataSource, long nowNanos) {
        return of(dataSource, nowNanos).controller.nextSendNanos();
    }

    synchronized boolean overWaitBudget(String dataSource, long nowNanos) {
        return of(dataSource, nowNanos).controller.overWaitBudget(nowNanos);
    }

    private PerDataSource of(String dataSource, long nowNanos) {
        PerDataSource flow = byDataSource.get(dataSource);
        if (flow == null) {
            FlowController controller = controllers.of(dataSource, nowNanos);
            flow = new PerDataSource(controller, nowNanos);
            MetricGroup metrics = group.addGroup("dataSource", dataSource);
            // Gauges are read by the metric reporter's thread: read under the same lock.
            metrics.gauge("allowedRequestRate", (Gauge<Double>) () -> readRate(controller));
            metrics.gauge("allowedRequestsInFlight", (Gauge<Integer>) () -> readInFlight(controller));
            flow.quotaWaitMs = metrics.counter("quotaWaitMs", new ThreadSafeSimpleCounter());
            flow.rateLimited = metrics.counter("requestsRateLimited", new ThreadSafeSimpleCounter());
            byDataSource.put(dataSource, flow);
        }
        return flow;
    }

    private synchronized double readRate(FlowController controller) {
        return controller.allowedRate();
    }

    private synchronized int readInFlight(FlowController controller) {
        return controller.allowedInFlight();
    }
}
