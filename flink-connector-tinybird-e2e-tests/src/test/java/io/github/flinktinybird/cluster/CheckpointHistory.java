package io.github.flinktinybird.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The checkpoints of a job triggered in a time window, collected from Flink's REST history. The
 * history keeps only the last few checkpoints ({@code web.checkpoints.history}, 10 by default), so
 * {@link #read} is called every few hundred milliseconds; a checkpoint seen again is updated.
 */
final class CheckpointHistory {
    private final JobQueries jobs;
    private final String job;
    private final long fromMs;
    /** id to {status (1 completed, -1 failed, 0 in progress), end-to-end duration ms}. */
    private final Map<Long, long[]> seen = new TreeMap<>();
    /** Where the time of each completed checkpoint went, read once it completed. */
    private final Map<Long, CheckpointBreakdown> breakdowns = new TreeMap<>();
    private long lastRead;

    CheckpointHistory(JobQueries jobs, String job, long fromEpochMs) {
        this.jobs = jobs;
        this.job = job;
        this.fromMs = fromEpochMs;
    }

    /** Reads the history if {@code minIntervalMs} have passed since the last read: call it from a polling loop. */
    void readAtMostEvery(long minIntervalMs) {
        if (System.nanoTime() - lastRead >= minIntervalMs * 1_000_000L) {
            read();
        }
    }

    void read() {
        lastRead = System.nanoTime();
        for (JsonNode checkpoint : jobs.checkpoints(job).path("history")) {
            if (checkpoint.path("trigger_timestamp").asLong() >= fromMs) {
                String status = checkpoint.path("status").asText();
                seen.put(checkpoint.path("id").asLong(), new long[] {
                        status.equals("COMPLETED") ? 1 : status.equals("FAILED") ? -1 : 0,
                        checkpoint.path("end_to_end_duration").asLong()});
                long id = checkpoint.path("id").asLong();
                if (status.equals("COMPLETED") && !breakdowns.containsKey(id)) {
                    CheckpointBreakdown breakdown = CheckpointBreakdown.read(jobs, job, id);
                    if (breakdown != null) {
                        breakdowns.put(id, breakdown);
                    }
                }
            }
        }
    }

    long completed() {
        return seen.values().stream().filter(c -> c[0] == 1).count();
    }

    long failed() {
        return seen.values().stream().filter(c -> c[0] == -1).count();
    }

    /** The nearest-rank percentile (0 < p ≤ 100) of the completed checkpoints' durations, ms; -1 if none. */
    long percentileMs(double p) {
        long[] durations = seen.values().stream().filter(c -> c[0] == 1).mapToLong(c -> c[1]).sorted().toArray();
        if (durations.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100 * durations.length);
        return durations[Math.max(0, rank - 1)];
    }

    /**
     * Where the time went: p50/p99 of the last-acknowledging subtask's start delay, sync and async
     * parts, alignment and state size, and the slowest checkpoints one by one.
     */
    String breakdown() {
        List<CheckpointBreakdown> all = new ArrayList<>(breakdowns.values());
        return "of " + all.size() + " completed, last subtask to acknowledge, p50/p99: start delay "
                + percentiles(all, b -> b.startDelayMs) + " ms, sync " + percentiles(all, b -> b.syncMs) + " ms, async "
                + percentiles(all, b -> b.asyncMs) + " ms, alignment " + percentiles(all, b -> b.alignmentMs)
                + " ms, ack after trigger " + percentiles(all, b -> b.ackAfterTriggerMs) + " ms, state "
                + percentiles(all, b -> b.stateBytes / 1024) + " KiB; slowest: " + CheckpointBreakdown.slowest(all, 4);
    }

    private static String percentiles(List<CheckpointBreakdown> all, ToLongFunction<CheckpointBreakdown> figure) {
        long[] sorted = all.stream().mapToLong(figure).sorted().toArray();
        if (sorted.length == 0) {
            return "-";
        }
        return sorted[(int) Math.ceil(0.5 * sorted.length) - 1] + "/" + sorted[(int) Math.ceil(0.99 * sorted.length) - 1];
    }

    @Override
    public String toString() {
        return "completed=" + completed() + ", failed=" + failed() + ", p50=" + percentileMs(50) + " ms, p99="
                + percentileMs(99) + " ms, max=" + percentileMs(100) + " ms; all (id: ms, 1=completed): "
                + seen.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()[1] + (e.getValue()[0] == 1 ? "" : "/" + e.getValue()[0]))
                        .reduce((a, b) -> a + " " + b).orElse("none");
    }
}
