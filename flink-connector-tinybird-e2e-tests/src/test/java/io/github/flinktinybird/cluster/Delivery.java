package io.github.flinktinybird.cluster;

import io.github.flinktinybird.emulator.EventsApiEmulator;

import java.util.Map;

/** What arrived in a Data Source of an emulator built with {@code keepOnlyIds("id")}, against ids 0..events-1. */
final class Delivery {
    final long events;
    final long distinct;
    final long lost;
    final long duplicates;
    final long unexpected;
    final long firstMissing;

    private Delivery(long events, long distinct, long lost, long duplicates, long unexpected, long firstMissing) {
        this.events = events;
        this.distinct = distinct;
        this.lost = lost;
        this.duplicates = duplicates;
        this.unexpected = unexpected;
        this.firstMissing = firstMissing;
    }

    static Delivery of(EventsApiEmulator tinybird, String dataSource, long events) {
        Map<String, Integer> counts = tinybird.idCounts(dataSource);
        long lost = 0;
        long duplicates = 0;
        long distinct = 0;
        long firstMissing = -1;
        for (long id = 0; id < events; id++) {
            Integer n = counts.get(Long.toString(id));
            if (n == null) {
                lost++;
                if (firstMissing < 0) {
                    firstMissing = id;
                }
            } else {
                distinct++;
                duplicates += n - 1;
            }
        }
        return new Delivery(events, distinct, lost, duplicates, counts.size() - distinct, firstMissing);
    }

    @Override
    public String toString() {
        return "events=" + events + ", distinct delivered=" + distinct + ", lost=" + lost + ", duplicates=" + duplicates
                + (lost > 0 ? ", first missing id=" + firstMissing : "") + (unexpected > 0 ? ", unexpected ids=" + unexpected : "");
    }
}
