package io.github.flinktinybird.examples;

import org.apache.flink.metrics.Counter;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Totals of a few counters over every subtask of a local run, fed by {@link ProgressReporter}.
 * A counter removed when its task ends keeps counting towards the total with its last value.
 */
final class ProgressMetrics {
    static final String EVENTS_GENERATED = "eventsGenerated";
    static final String ROWS_COMMITTED = "rowsCommitted";
    static final String ROWS_QUARANTINED = "rowsQuarantined";
    static final String REQUESTS_RETRIED = "requestsRetry";
    static final String REQUESTS_COMMITTED = "requestsCommitted";
    static final String RECORDS_DEAD_LETTERED = "recordsDeadLettered";
    static final String RECORDS_DISCARDED = "recordsDiscarded";

    static final Set<String> WATCHED = Set.of(
            EVENTS_GENERATED, ROWS_COMMITTED, ROWS_QUARANTINED, REQUESTS_RETRIED, REQUESTS_COMMITTED,
            RECORDS_DEAD_LETTERED, RECORDS_DISCARDED);

    /** The reporter lives inside the local MiniCluster, the progress line in main: one JVM. */
    static final ProgressMetrics LOCAL = new ProgressMetrics();

    private final Map<Counter, String> live = new IdentityHashMap<>();
    private final Map<String, Long> retired = new HashMap<>();

    synchronized void added(String name, Counter counter) {
        if (WATCHED.contains(name)) {
            live.put(counter, name);
        }
    }

    synchronized void removed(Counter counter) {
        String name = live.remove(counter);
        if (name != null) {
            retired.merge(name, counter.getCount(), Long::sum);
        }
    }

    synchronized long total(String name) {
        long sum = retired.getOrDefault(name, 0L);
        for (Map.Entry<Counter, String> entry : live.entrySet()) {
            if (entry.getValue().equals(name)) {
                sum += entry.getKey().getCount();
            }
        }
        return sum;
    }

    synchronized void reset() {
        live.clear();
        retired.clear();
    }
}
