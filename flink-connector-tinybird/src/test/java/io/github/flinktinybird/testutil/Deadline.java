package io.github.flinktinybird.testutil;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition, polling, until a deadline; never a fixed sleep. */
public final class Deadline {
    private Deadline() {}

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(10); // polling interval, not synchronisation: the loop re-checks
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
