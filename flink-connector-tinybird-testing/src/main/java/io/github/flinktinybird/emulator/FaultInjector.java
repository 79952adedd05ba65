package io.github.flinktinybird.emulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Random;

/**
 * Decides the fault of each request: queued faults first, then one draw from the plan's seeded
 * random source. Draws happen under one lock, so the sequence of faults depends only on the seed
 * and the number of requests, not on thread timing.
 */
final class FaultInjector {

    private final Deque<Fault> queue = new ArrayDeque<>();
    private FaultPlan plan;
    private Random random;
    private volatile boolean unavailable;

    FaultInjector(FaultPlan plan) {
        setPlan(plan);
    }

    synchronized void setPlan(FaultPlan plan) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.random = new Random(plan.seed());
    }

    synchronized FaultPlan plan() {
        return plan;
    }

    synchronized void enqueue(int count, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        for (int i = 0; i < count; i++) {
            queue.addLast(fault);
        }
    }

    /** The fault for the next request, or null for a normal answer. */
    synchronized Fault next() {
        Fault queued = queue.pollFirst();
        if (queued != null) {
            return queued;
        }
        return plan.injectsAtRandom() ? plan.pick(random.nextDouble()) : null;
    }

    boolean unavailable() {
        return unavailable;
    }

    void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    /** Forgets queued faults, ends an outage, and restarts the random sequence from the seed. */
    synchronized void reset() {
        queue.clear();
        random = new Random(plan.seed());
        unavailable = false;
    }
}
