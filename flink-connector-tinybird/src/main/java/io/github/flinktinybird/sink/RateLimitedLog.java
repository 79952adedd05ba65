package io.github.flinktinybird.sink;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs at most once per interval and says how many similar messages it held back, so that a stream
 * of quarantined rows or discarded records cannot flood the TaskManager log.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    void warn(String format, Object... args) {
        log(false, format, args);
    }

    /** As {@link #warn}, at ERROR: for answers an operator must act on, which can still come by the thousand. */
    void error(String format, Object... args) {
        log(true, format, args);
    }

    private void log(boolean error, String format, Object... args) {
        long now = System.nanoTime();
        long next = nextAllowed.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long held = suppressed.getAndSet(0);
        String message = held > 0 ? format + " ({} similar messages suppressed)" : format;
        Object[] values = held > 0 ? append(args, held) : args;
        if (error) {
            log.error(message, values);
        } else {
            log.warn(message, values);
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }
}
