package io.github.flinktinybird.sink;

import io.github.flinktinybird.http.Outcome.Kind;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Subtasks that each run the sink's own {@link DataSourceFlow} (as each writer does, without
 * talking to the others) against one Data Source's shared request quota, on a virtual clock: the
 * pacing, the slots a paced request holds, the in-flight cap and the answers' headers as the
 * writer has them, with a source that always has a full batch ready. The quota is counted in
 * fixed one-second windows, a window starting at the first request after the previous one ended,
 * as the project's emulator and Tinybird's headers describe it: {@code X-RateLimit-Remaining}
 * after each admitted request, {@code X-RateLimit-Reset} in whole seconds rounded up, and a 429
 * with {@code Retry-After} of the same value over the budget.
 */
final class QuotaSimulation {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    private static final String DATA_SOURCE = "events";

    final int subtasks;
    final int quota;
    final long latencyNanos;
    final int maxInFlight;

    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long sequence;
    private long windowStart = Long.MIN_VALUE;
    private int windowRequests;
    private long measureFrom;
    private long admitted;
    private long rejected;
    /**
     * What a real machine adds, drawn uniformly from a seeded source: up to {@code sendJitterNanos}
     * between a request's slot and its arrival (timers, threads, the connection), and up to {@code
     * latencyJitterNanos} on top of the commit latency.
     */
    private final Random jitter = new Random(42);
    long sendJitterNanos = 30 * MS;
    long latencyJitterNanos = 500 * MS;

    QuotaSimulation(int subtasks, int quota, Duration latency, int maxInFlight) {
        this.subtasks = subtasks;
        this.quota = quota;
        this.latencyNanos = latency.toNanos();
        this.maxInFlight = maxInFlight;
    }

    /** What one run measured after its warm-up. */
    static final class Result {
        /** Requests admitted per second, as a share of the quota. */
        final double goodput;
        /** 429s as a share of all requests that reached the server. */
        final double rateLimitedShare;

        Result(double goodput, double rateLimitedShare) {
            this.goodput = goodput;
            this.rateLimitedShare = rateLimitedShare;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "goodput %.3fx, 429s %.1f%%", goodput, 100 * rateLimitedShare);
        }
    }

    private final class Subtask {
        final DataSourceFlow flow;
        int cap = maxInFlight;
        int inFlight;

        Subtask() {
            FlowControlSettings settings = FlowControlSettings.withMaxInFlight(maxInFlight);
            this.flow = new DataSourceFlow(settings, new UnregisteredMetricsGroup(), n -> cap = Math.min(maxInFlight, n));
        }

        /** Cuts batches while the in-flight cap allows, as Flink's writer does with a full buffer. */
        void cut(long now) {
            while (inFlight < cap) {
                inFlight++;
                offer(now);
            }
        }

        /** The writer's send of one part: at once, at its slot, or after a long pause (no slot held). */
        void offer(long now) {
            long maxHeld = 15 * SECOND;
            long at = flow.reserve(DATA_SOURCE, now, maxHeld);
            if (at - now <= 0) {
                long reaches = now + jitter(sendJitterNanos);
                schedule(reaches, () -> arrive(this, reaches));
            } else if (at - now <= maxHeld) {
                schedule(at, () -> {
                    if (flow.stillClear(DATA_SOURCE, at)) {
                        long reaches = at + jitter(sendJitterNanos);
                        schedule(reaches, () -> arrive(this, reaches));
                    } else {
                        offer(at);
                    }
                });
            } else {
                inFlight--;
                schedule(at, () -> cut(at));
            }
        }

        void answered(FlowAnswer answer, long sentAt, long now) {
            boolean throttled = flow.answered(DATA_SOURCE, answer, now);
            if (throttled) {
                long after = now + (answer.retryAfter == null ? 0 : answer.retryAfter.toNanos());
                schedule(after, () -> offer(after));
                return;
            }
            inFlight--;
            cut(now);
        }
    }

    private void arrive(Subtask subtask, long now) {
        if (windowStart == Long.MIN_VALUE || now - windowStart >= SECOND) {
            windowStart = now;
            windowRequests = 0;
        }
        long reset = Math.max(1, (windowStart + SECOND - now + SECOND - 1) / SECOND);
        boolean counted = now - measureFrom >= 0;
        if (windowRequests >= quota) {
            if (counted) {
                rejected++;
            }
            long answerAt = now + MS;
            FlowAnswer answer = new FlowAnswer(Kind.RETRY, 429, answerAt - now, (long) quota, 0L, reset, Duration.ofSeconds(reset));
            schedule(answerAt, () -> subtask.answered(answer, now, answerAt));
            return;
        }
        windowRequests++;
        if (counted) {
            admitted++;
        }
        long answerAt = now + latencyNanos + jitter(latencyJitterNanos);
        FlowAnswer answer = new FlowAnswer(
                Kind.COMMITTED, 200, answerAt - now, (long) quota, (long) (quota - windowRequests), reset, null);
        schedule(answerAt, () -> subtask.answered(answer, now, answerAt));
    }

    /** Runs {@code warmUp} then measures for {@code measure}, virtual time. */
    Result run(Duration warmUp, Duration measure) {
        for (int i = 0; i < subtasks; i++) {
            Subtask subtask = new Subtask();
            // Subtasks do not start in the same nanosecond.
            long start = i * 7 * MS;
            schedule(start, () -> subtask.cut(start));
        }
        measureFrom = warmUp.toNanos();
        long end = measureFrom + measure.toNanos();
        while (!events.isEmpty() && events.peek().at - end < 0) {
            events.poll().action.run();
        }
        double seconds = measure.toNanos() / (double) SECOND;
        long all = admitted + rejected;
        return new Result(admitted / seconds / quota, all == 0 ? 0 : rejected / (double) all);
    }

    private long jitter(long max) {
        return max <= 0 ? 0 : (long) (jitter.nextDouble() * max);
    }

    private void schedule(long at, Runnable action) {
        events.add(new Event(at, sequence++, action));
    }

    private static final class Event implements Comparable<Event> {
        final long at;
        final long sequence;
        final Runnable action;

        Event(long at, long sequence, Runnable action) {
            this.at = at;
            this.sequence = sequence;
            this.action = action;
        }

        @Override
        public int compareTo(Event other) {
            return at != other.at ? Long.compare(at, other.at) : Long.compare(sequence, other.sequence);
        }
    }
}
