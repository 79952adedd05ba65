package io.github.flinktinybird.sink;

import java.util.HashMap;
import java.util.Map;

/**
 * One {@link FlowController} per Data Source of a writer, created on first use, so that each Data
 * Source is paced on its own answers and a throttled one never holds back another.
 */
final class FlowControllers {

    private final FlowControlSettings settings;
    private final Map<String, FlowController> byDataSource = new HashMap<>();

    FlowControllers(FlowControlSettings settings) {
        this.settings = settings;
    }

    FlowController of(String dataSource, long nowNanos) {
        return byDataSource.computeIfAbsent(dataSource, name -> new FlowController(settings, nowNanos));
    }

    /** The earliest time any of {@code dataSources} (those with records waiting) may send, or {@code Long.MAX_VALUE}. */
    long earliestNextSend(Iterable<String> dataSources, long nowNanos) {
        long earliest = Long.MAX_VALUE;
        boolean any = false;
        for (String dataSource : dataSources) {
            long next = of(dataSource, nowNanos).nextSendNanos();
            if (!any || next - earliest < 0) {
                earliest = next;
                any = true;
            }
        }
        return earliest;
    }
}
