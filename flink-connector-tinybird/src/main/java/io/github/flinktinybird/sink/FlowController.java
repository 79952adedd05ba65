package io.github.flinktinybird.sink;

import io.github.flinktinybird.http.Outcome;

/**
 * Paces the requests to one Data Source from what Tinybird answers: a pure decision (answers and
 * the clock in, permits out), apart from the writer that acts on it.
 *
 * <p>Tinybird's quota is per Data Source and shared by every subtask writing to it, and each
 * subtask sees the same {@code X-RateLimit-*} headers but not the others' traffic. So each subtask
 * runs additive increase / multiplicative decrease on its own request rate, which converges on a
 * fair share of the budget without coordination:
 * <ul>
 *   <li><b>Rate.</b> It starts at {@code initialRate}. Until the first sign of the quota (a 429,
 *       or {@code X-RateLimit-Remaining: 0}) each clean answer adds one request/s, doubling the
 *       rate about every second (slow start). Afterwards the rate grows each second by {@code
 *       increaseShare} of the quota, and by more the longer the quota gives no sign (twice as much
 *       after {@code increaseDoublingSeconds}); well below the rate the last 429 came at, it
 *       closes half the gap to 95% of that rate each second: gentle where the quota was last met,
 *       quick to recover from a deep cut. An answer with nothing remaining adds nothing and restarts the
 *       gentle probing. A 429 (or 503 with {@code Retry-After}) multiplies the rate by {@code
 *       decreaseFactor}, at most once a second (the quota's window; a 429 does not wait for a
 *       commit, so it comes back at once whatever the latency), so that a burst of 429s for
 *       requests sent together counts once. The rate stays within {@code minRate} and both {@code
 *       maxRate} and the announced {@code X-RateLimit-Limit}. With the defaults, subtasks sharing
 *       a quota of 10 or 100 requests/s reach 0.92–0.98 of what their in-flight cap allows, with at
 *       most 5% of 429s
 *       ({@code QuotaSimulationTest}).
 *   <li><b>Pause.</b> A throttled request waits its {@code Retry-After} (or {@code
 *       X-RateLimit-Reset}, or one second) before it goes again. A 503, or a 429 asking for more
 *       than the quota's one-second window, stops the whole Data Source for that long; a 429
 *       within the window does not (the rate cut answers it). The time asked for is counted, and
 *       a Data Source throttled with nothing committed for longer than the wait budget is {@link
 *       #overWaitBudget over it}: the job must fail visibly rather than wait forever. Waits the
 *       server asked for are not failed attempts.
 *   <li><b>Concurrency.</b> Requests in flight follow latency by Little's law: rate × latency
 *       (an average over clean answers) × headroom, at least 1 and at most {@code maxInFlight}.
 *       Until a latency is known, {@code initialInFlight}.
 *   <li><b>Neutral answers.</b> A request never processed ({@link Outcome.Kind#RESEND_NOW}), a
 *       transport failure or a 5xx without {@code Retry-After} changes neither rate nor
 *       concurrency: they say nothing about the quota, and the retry policy backs them off.
 * </ul>
 * One controller per Data Source ({@link FlowControllers}), so a throttled Data Source never
 * holds back another. Not thread-safe: the writer calls it from its mailbox thread.
 */
final class FlowController {

    private static final long SECOND = 1_000_000_000L;
    /** The quota assumed while Tinybird announces none: its documented 100 requests/s. */
    private static final double UNANNOUNCED_QUOTA = 100;
    /** After a cut, the rate returns quickly to this share of the rate the last 429 came at. */
    private static final double RECOVERY_TARGET = 0.95;
    /** Share of the way back to it made each second. */
    private static final double RECOVERY_PER_SECOND = 0.5;
    /** Weight of a new latency sample in the moving average. */
    private static final double LATENCY_WEIGHT = 0.2;

    private final FlowControlSettings settings;
    private double rate;
    private boolean slowStart = true;
    /** Moving average of clean answers' latency in seconds; negative until the first. */
    private double latencySeconds = -1;
    private long nextSendNanos;
    /** Until when every request to the Data Source waits (a long throttle, or a 503). */
    private long pausedUntilNanos;
    /** The end of the latest wait any throttled answer asked for, for the waiting time counted. */
    private long waitedUntilNanos;
    private long lastDecreaseNanos;
    private boolean decreasedOnce;
    /** Since when the quota gave no sign (429, or nothing remaining): the increase grows with it. */
    private long calmSinceNanos;
    /** The rate when the last 429 cut it: where the quota was last met. */
    private double rateAtLastThrottle;
    private double announcedLimit = Double.POSITIVE_INFINITY;
    /** Since when the Data Source is throttled with nothing committed, or -1. */
    private long throttledSinceNanos = -1;
    private long pausedNanosTotal;
    private long throttledAnswers;

    FlowController(FlowControlSettings settings, long nowNanos) {
        this.settings = settings;
        this.rate = settings.initialRate;
        this.nextSendNanos = nowNanos;
        this.pausedUntilNanos = nowNanos;
        this.waitedUntilNanos = nowNanos;
        this.calmSinceNanos = nowNanos;
    }

    /** Whether a request may start now, with {@code inFlight} requests to this Data Source running. */
    boolean maySend(long nowNanos, int inFlight) {
        return inFlight < allowedInFlight() && nowNanos - nextSendNanos() >= 0;
    }

    /** The earliest time the next request may start (the pacing interval, or a pause). */
    long nextSendNanos() {
        return nextSendNanos - pausedUntilNanos >= 0 ? nextSendNanos : pausedUntilNanos;
    }

    /** Whether a throttled answer paused the Data Source past {@code nowNanos}. */
    boolean pausedAt(long nowNanos) {
        return pausedUntilNanos - nowNanos > 0;
    }

    /** A request started now: the next one waits one interval at the current rate. */
    void sent(long nowNanos) {
        long from = nowNanos - nextSendNanos >= 0 ? nowNanos : nextSendNanos;
        nextSendNanos = from + (long) (SECOND / rate);
    }

    /** Learns from one answer (or transport failure) received at {@code nowNanos}. */
    void answered(FlowAnswer answer, long nowNanos) {
        if (answer.limit != null && answer.limit > 0) {
            announcedLimit = answer.limit;
        }
        if (answer.throttled()) {
            throttled(answer, nowNanos);
        } else if (answer.clean()) {
            throttledSinceNanos = -1;
            double seconds = answer.latencyNanos / (double) SECOND;
            latencySeconds = latencySeconds < 0 ? seconds : latencySeconds + LATENCY_WEIGHT * (seconds - latencySeconds);
            if (answer.remaining != null && answer.remaining == 0) {
                // This window's budget is used up: the Data Source is at its quota. Hold, and
                // probe gently again from now on.
                slowStart = false;
                calmSinceNanos = nowNanos;
            } else if (slowStart) {
                rate += 1.0;
            } else {
                rate += increasePerSecond(nowNanos) / rate;
            }
        }
        rate = Math.max(settings.minRate, Math.min(rate, Math.min(settings.maxRate, announcedLimit)));
    }

    /**
     * Requests/s added per second: a small share of the quota right after the last sign of it,
     * growing the longer the quota stays silent, so that the rate probes gently where the quota
     * was last met and still recovers within seconds from a deep cut or a quota raised.
     */
    private double increasePerSecond(long nowNanos) {
        double quota = announcedLimit < Double.POSITIVE_INFINITY ? announcedLimit : UNANNOUNCED_QUOTA;
        double calmSeconds = (nowNanos - calmSinceNanos) / (double) SECOND;
        double probe = settings.increaseShare * quota * (1 + calmSeconds / settings.increaseDoublingSeconds);
        // Well below where the last 429 came: the quota was fine up to near there, so close half
        // the gap each second, and probe gently only near it.
        double gap = RECOVERY_TARGET * rateAtLastThrottle - rate;
        return gap > 0 ? Math.max(probe, gap * RECOVERY_PER_SECOND) : probe;
    }

    private void throttled(FlowAnswer answer, long nowNanos) {
        throttledAnswers++;
        slowStart = false;
        if (throttledSinceNanos < 0) {
            throttledSinceNanos = nowNanos;
        }
        // Once per quota window: 429s of requests sent together say the same thing. A 429 comes
        // back at once (it waits for no commit), so the window, not the commit latency, is the period.
        if (!decreasedOnce || nowNanos - lastDecreaseNanos >= SECOND) {
            // Throttled again in the window right after a cut: that cut was not enough (a start
            // above the quota, a quota lowered), so cut twice as hard.
            boolean again = decreasedOnce && nowNanos - lastDecreaseNanos < 2 * SECOND;
            rateAtLastThrottle = again ? Math.min(rateAtLastThrottle, rate) : rate;
            rate *= again ? settings.decreaseFactor * settings.decreaseFactor : settings.decreaseFactor;
            lastDecreaseNanos = nowNanos;
            decreasedOnce = true;
        }
        calmSinceNanos = nowNanos;
        long until = nowNanos + waitNanos(answer);
        if (until - waitedUntilNanos > 0) {
            long from = waitedUntilNanos - nowNanos > 0 ? waitedUntilNanos : nowNanos;
            pausedNanosTotal += until - from;
            waitedUntilNanos = until;
        }
        // A 429 whose wait is the quota's own one-second window says this window is used up, and
        // the window ends somewhere within that second (Retry-After is rounded up to whole
        // seconds): stopping every request for all of it would leave half a window unused on
        // average, for each 429. The cut rate answers it; only the throttled request waits its
        // Retry-After. A longer wait, or a 503 (Tinybird itself asking for time), stops the Data
        // Source for all of it.
        if ((answer.status != 429 || until - nowNanos > SECOND) && until - pausedUntilNanos > 0) {
            pausedUntilNanos = until;
        }
    }

    /**
     * How long a throttled answer asks the throttled request to wait: its {@code Retry-After},
     * else {@code X-RateLimit-Reset}, else one second.
     */
    static long waitNanos(FlowAnswer answer) {
        if (answer.retryAfter != null) {
            return answer.retryAfter.toNanos();
        }
        return answer.resetSeconds != null ? answer.resetSeconds * SECOND : SECOND;
    }

    /** The request rate allowed now, in requests per second. */
    double allowedRate() {
        return rate;
    }

    /** Requests allowed in flight at once (Little's law on the allowed rate and the latency seen). */
    int allowedInFlight() {
        if (latencySeconds < 0) {
            return settings.initialInFlight;
        }
        double needed = Math.ceil(rate * latencySeconds * settings.inFlightHeadroom);
        return (int) Math.max(1, Math.min(settings.maxInFlight, needed));
    }

    /** Whether the Data Source has been throttled, with nothing committed, for longer than the wait budget. */
    boolean overWaitBudget(long nowNanos) {
        return throttledSinceNanos >= 0 && nowNanos - throttledSinceNanos > settings.waitBudgetNanos;
    }

    /** Total time throttled answers asked this Data Source to wait (overlaps once), for the metrics. */
    long pausedNanos() {
        return pausedNanosTotal;
    }

    /** Answers that throttled this Data Source (429, or 503 with Retry-After), for the metrics. */
    long throttledAnswers() {
        return throttledAnswers;
    }

    @Override
    public String toString() {
        return "FlowController{rate=" + rate + ", inFlight=" + allowedInFlight() + ", latency=" + latencySeconds
                + ", slowStart=" + slowStart + '}';
    }
}
