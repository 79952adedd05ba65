package io.github.flinktinybird.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where one completed checkpoint's time went, from Flink's per-subtask statistics: for the subtask
 * that acknowledged last, how long the barrier took to reach it (start delay: queued behind the
 * task thread or the input), the synchronous and asynchronous parts of its snapshot, alignment, and
 * the state it wrote. Printed by the checkpoint tests, so a slow checkpoint says what made it slow.
 */
final class CheckpointBreakdown {
    final long id;
    final long endToEndMs;
    /** The last subtask to acknowledge: vertex name and index. */
    final String slowest;
    final long ackAfterTriggerMs;
    final long startDelayMs;
    final long syncMs;
    final long asyncMs;
    final long alignmentMs;
    final long stateBytes;

    private CheckpointBreakdown(long id, long endToEndMs, String slowest, long ackAfterTriggerMs, long startDelayMs,
            long syncMs, long asyncMs, long alignmentMs, long stateBytes) {
        this.id = id;
        this.endToEndMs = endToEndMs;
        this.slowest = slowest;
        this.ackAfterTriggerMs = ackAfterTriggerMs;
        this.startDelayMs = startDelayMs;
        this.syncMs = syncMs;
        this.asyncMs = asyncMs;
        this.alignmentMs = alignmentMs;
        this.stateBytes = stateBytes;
    }

    /** Reads the statistics of a completed checkpoint; null if Flink no longer has them. */
    static CheckpointBreakdown read(JobQueries jobs, String job, long id) {
        JsonNode details;
        try {
            details = jobs.checkpointDetails(job, id);
        } catch (RuntimeException gone) {
            return null;
        }
        long trigger = details.path("trigger_timestamp").asLong();
        JsonNode last = null;
        String lastName = "?";
        var vertices = details.path("tasks").fields();
        while (vertices.hasNext()) {
            var vertex = vertices.next();
            JsonNode subtasks;
            try {
                subtasks = jobs.checkpointSubtasks(job, id, vertex.getKey());
            } catch (RuntimeException gone) {
                return null;
            }
            for (JsonNode subtask : subtasks.path("subtasks")) {
                if (last == null || subtask.path("ack_timestamp").asLong() > last.path("ack_timestamp").asLong()) {
                    last = subtask;
                    lastName = vertex.getKey().substring(0, 6) + "[" + subtask.path("index").asInt() + "]";
                }
            }
        }
        if (last == null) {
            return null;
        }
        return new CheckpointBreakdown(id, details.path("end_to_end_duration").asLong(), lastName,
                last.path("ack_timestamp").asLong() - trigger, last.path("start_delay").asLong(),
                last.path("checkpoint").path("sync").asLong(), last.path("checkpoint").path("async").asLong(),
                last.path("alignment").path("duration").asLong(), last.path("state_size").asLong());
    }

    /** The {@code n} slowest, slowest first. */
    static List<CheckpointBreakdown> slowest(List<CheckpointBreakdown> all, int n) {
        List<CheckpointBreakdown> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong((CheckpointBreakdown b) -> b.endToEndMs).reversed());
        return sorted.subList(0, Math.min(n, sorted.size()));
    }

    @Override
    public String toString() {
        return "#" + id + " " + endToEndMs + " ms (last ack " + slowest + " at " + ackAfterTriggerMs + " ms: start delay "
                + startDelayMs + ", sync " + syncMs + ", async " + asyncMs + ", alignment " + alignmentMs + ", state "
                + stateBytes / 1024 + " KiB)";
    }
}
