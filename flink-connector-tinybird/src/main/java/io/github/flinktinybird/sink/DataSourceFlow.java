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
 * by the controller's cautious start. Only the in-flight cap starts low (slow start: the initial
 * in-flight, one more per clean answer, up to the maximum), so that a job's first burst does not
 * meet a quota all at once. The controller learns from every answer all along (its rate
 * is bounded by the announced {@code X-RateLimit-Limit} from the first answer).
 *
 * <p>Pacing never blocks the task thread: {@link #reserve} says when a request to a Data Source may
 * start. A request due soon keeps its in-flight slot and is sent from a timer when its slot comes
 * (successive requests get successive slots); one due later (a long pause) lets its records wait
 * in {@code UnconfirmedRecords}, holding no slot, and asks again when they come back. The requests allowed in
 * flight for the whole writer follow the controllers (Little's law per Data Source, summed, capped
 * by {@code sink.requests.max-inflight}) through {@code capInFlight}.
 *
 * <p>Metrics per Data Source, in the group {@code dataSource=<name>}: {@code allowedRequestRate},
 * {@code allowedRequestsInFlight} (gauges), {@code quotaWaitMs} (time paused by throttled answers)
 * and {@code requestsRateLimited} (counters).
 */
final class DataSourceFlow {
    private final FlowControllers controllers;
    private final MetricGroup group;
    private final int maxInFlight;
    private final int initialInFlight;
    private final IntConsumer capInFlight;
    private final Map<String, PerDataSource> byDataSource = new HashMap<>();

    private static final class PerDataSource {
        final FlowController controller;
        /** Whether Tinybird throttled this Data Source yet: pacing and the in-flight cap apply from then. */
        boolean engaged;
        /** Clean answers before that: the in-flight cap grows by one with each (slow start). */
        int cleanAnswers;
        long pausedMsCounted;
        Counter quotaWaitMs;
        Counter rateLimited;

        PerDataSource(FlowController controller) {
            this.controller = controller;
        }
    }

    DataSourceFlow(FlowControlSettings settings, MetricGroup group, IntConsumer capInFlight) {
        this.controllers = new FlowControllers(settings);
        this.group = group;
        this.maxInFlight = settings.maxInFlight;
        this.initialInFlight = settings.initialInFlight;
        this.capInFlight = capInFlight;
        // Before any answer: a job's first requests all leave at once, and with a commit latency
        // of seconds their 429s would be the first sign of a quota.
        capInFlight.accept(initialInFlight);
    }

    /**
     * When a request to {@code dataSource} may start: {@code nowNanos} if now, else a later time. A
     * time at most {@code maxWaitNanos} away is the request's own slot (taken now, so that the
     * requests after it line up behind it): the caller sends then, after {@link #stillClear}. A
     * time further away takes no slot: the caller lets the request's records wait and asks again.
     */
    synchronized long reserve(String dataSource, long nowNanos, long maxWaitNanos) {
        PerDataSource flow = of(dataSource, nowNanos);
        long next = flow.controller.nextSendNanos();
        if (!flow.engaged || nowNanos - next >= 0) {
            flow.controller.sent(nowNanos);
            return nowNanos;
        }
        if (next - nowNanos <= maxWaitNanos) {
            flow.controller.sent(next);
        }
        return next;
    }

    /**
     * Whether a request whose slot came may go: false when Tinybird throttled the Data Source
     * since the slot was taken (the pause moved its next send), so that it must {@link #reserve}
     * again.
     */
    synchronized boolean stillClear(String dataSource, long nowNanos) {
        return !of(dataSource, nowNanos).controller.pausedAt(nowNanos);
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
        } else if (answer.clean()) {
            flow.cleanAnswers++;
        }
        long allowed = 0;
        for (PerDataSource each : byDataSource.values()) {
            allowed += each.engaged
                    ? each.controller.allowedInFlight()
                    : Math.min((long) maxInFlight, (long) initialInFlight + each.cleanAnswers);
        }
        capInFlight.accept((int) Math.min(maxInFlight, Math.max(1, allowed)));
        return answer.throttled();
    }

    synchronized boolean overWaitBudget(String dataSource, long nowNanos) {
        return of(dataSource, nowNanos).controller.overWaitBudget(nowNanos);
    }

    private PerDataSource of(String dataSource, long nowNanos) {
        PerDataSource flow = byDataSource.get(dataSource);
        if (flow == null) {
            FlowController controller = controllers.of(dataSource, nowNanos);
            flow = new PerDataSource(controller);
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
