package io.github.flinktinybird.cluster;

import io.github.flinktinybird.testutil.Deadline;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** What the tests ask Flink's REST API about a running job: state, tasks, checkpoints, savepoints, metrics. */
final class JobQueries {
    private final FlinkRest rest;
    private final String savepointDir;

    JobQueries(FlinkRest rest, String savepointDir) {
        this.rest = rest;
        this.savepointDir = savepointDir;
    }

    String jobState(String jobId) {
        return rest.get("/jobs/" + jobId).path("state").asText();
    }

    /** Waits until the job is in {@code state}; fails at once if it ends in another terminal state. */
    void awaitJobState(String jobId, String state, Duration timeout) {
        Deadline.await("job " + jobId + " " + state, timeout, () -> {
            String now = jobState(jobId);
            if (!now.equals(state) && (now.equals("FAILED") || now.equals("CANCELED") || now.equals("FINISHED"))) {
                throw new AssertionError("job " + jobId + " ended " + now + " while waiting for " + state
                        + "; exceptions: " + rest.get("/jobs/" + jobId + "/exceptions?maxExceptions=3"));
            }
            return now.equals(state);
        });
    }

    /** Waits until every subtask of the job is RUNNING (or the job has finished). */
    void awaitAllSubtasksRunning(String jobId, Duration timeout) {
        Deadline.await("every task of job " + jobId + " running", timeout, () -> {
            JsonNode job = rest.get("/jobs/" + jobId);
            String state = job.path("state").asText();
            if (state.equals("FINISHED")) {
                return true;
            }
            if (state.equals("FAILED") || state.equals("CANCELED")) {
                throw new AssertionError("job " + jobId + " ended " + state + "; exceptions: "
                        + rest.get("/jobs/" + jobId + "/exceptions?maxExceptions=3"));
            }
            if (!state.equals("RUNNING")) {
                return false;
            }
            for (JsonNode vertex : job.path("vertices")) {
                if (!vertex.path("status").asText().equals("RUNNING")) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Resource ids of the TaskManagers running a subtask of the job. */
    Set<String> taskManagersOf(String jobId) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode vertex : rest.get("/jobs/" + jobId).path("vertices")) {
            for (JsonNode subtask : rest.get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText()).path("subtasks")) {
                String tm = subtask.path("taskmanager-id").asText();
                if (!tm.isEmpty() && !tm.equals("(unassigned)")) {
                    ids.add(tm);
                }
            }
        }
        return ids;
    }

    JsonNode checkpoints(String jobId) {
        return rest.get("/jobs/" + jobId + "/checkpoints");
    }

    /** One checkpoint's statistics: {@code tasks} maps each vertex id to its figures. */
    JsonNode checkpointDetails(String jobId, long checkpointId) {
        return rest.get("/jobs/" + jobId + "/checkpoints/details/" + checkpointId);
    }

    /** One checkpoint's statistics per subtask of a vertex: sync, async, alignment, start delay, state size. */
    JsonNode checkpointSubtasks(String jobId, long checkpointId, String vertexId) {
        return rest.get("/jobs/" + jobId + "/checkpoints/details/" + checkpointId + "/subtasks/" + vertexId);
    }

    /** The id of a checkpoint of the job now in progress, or -1. */
    long checkpointInProgress(String jobId) {
        for (JsonNode checkpoint : checkpoints(jobId).path("history")) {
            if (checkpoint.path("status").asText().equals("IN_PROGRESS")) {
                return checkpoint.path("id").asLong();
            }
        }
        return -1;
    }

    /**
     * TaskManagers running a subtask that has not yet acknowledged checkpoint {@code checkpointId}
     * (its snapshot is still being taken), empty if none or the checkpoint is no longer pending.
     */
    Set<String> taskManagersSnapshotting(String jobId, long checkpointId) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode vertex : rest.get("/jobs/" + jobId).path("vertices")) {
            String vertexId = vertex.path("id").asText();
            JsonNode subtasks = rest.get("/jobs/" + jobId + "/vertices/" + vertexId).path("subtasks");
            JsonNode acks;
            try {
                acks = rest.get("/jobs/" + jobId + "/checkpoints/details/" + checkpointId + "/subtasks/" + vertexId);
            } catch (RuntimeException gone) {
                return Set.of();
            }
            if (!acks.path("status").asText().equals("IN_PROGRESS")) {
                return Set.of();
            }
            for (JsonNode ack : acks.path("subtasks")) {
                if (!ack.path("status").asText().equals("completed")) {
                    for (JsonNode subtask : subtasks) {
                        if (subtask.path("subtask").asInt(-1) == ack.path("index").asInt()) {
                            ids.add(subtask.path("taskmanager-id").asText());
                        }
                    }
                }
            }
        }
        return ids;
    }

    /** The status Flink reports for one checkpoint of the job (e.g. COMPLETED, FAILED), or "unknown". */
    String checkpointStatus(String jobId, long checkpointId) {
        try {
            return rest.get("/jobs/" + jobId + "/checkpoints/details/" + checkpointId).path("status").asText("unknown");
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    /** Records the job's source has emitted, summed over its subtasks (Flink's operator metric). */
    long sourceRecordsOut(String jobId) {
        String base = "/jobs/" + jobId + "/vertices/" + rest.get("/jobs/" + jobId).path("vertices").get(0).path("id").asText();
        for (JsonNode metric : rest.get(base + "/subtasks/metrics")) {
            String id = metric.path("id").asText();
            if (id.startsWith("Source") && id.endsWith(".numRecordsOut")) {
                JsonNode sum = rest.get(base + "/subtasks/metrics?get=" + id + "&agg=sum");
                return sum.size() == 0 ? 0 : sum.get(0).path("sum").asLong();
            }
        }
        return 0;
    }

    /** Task attempts so far, summed over the job's subtasks: grows by one for each subtask restarted. */
    long taskAttempts(String jobId) {
        long attempts = 0;
        for (JsonNode vertex : rest.get("/jobs/" + jobId).path("vertices")) {
            for (JsonNode subtask : rest.get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText()).path("subtasks")) {
                attempts += subtask.path("attempt").asLong();
            }
        }
        return attempts;
    }

    /** Stops the job with a savepoint without draining it (buffers stay in the savepoint); returns its path. */
    String stopWithSavepoint(String jobId) {
        Map<String, Object> stop = new LinkedHashMap<>();
        stop.put("targetDirectory", savepointDir);
        stop.put("drain", false);
        String trigger = rest.post("/jobs/" + jobId + "/stop", stop).path("request-id").asText();
        return awaitSavepoint(jobId, trigger);
    }

    /** Takes a savepoint of the running job; returns its path. */
    String savepoint(String jobId) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("target-directory", savepointDir);
        request.put("cancel-job", false);
        String trigger = rest.post("/jobs/" + jobId + "/savepoints", request).path("request-id").asText();
        return awaitSavepoint(jobId, trigger);
    }

    private String awaitSavepoint(String jobId, String trigger) {
        String[] location = {null};
        Deadline.await("savepoint of job " + jobId, Duration.ofSeconds(120), () -> {
            JsonNode status = rest.get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (!status.path("status").path("id").asText().equals("COMPLETED")) {
                return false;
            }
            JsonNode operation = status.path("operation");
            if (operation.has("failure-cause")) {
                throw new AssertionError("savepoint failed: " + operation.path("failure-cause"));
            }
            location[0] = operation.path("location").asText();
            return true;
        });
        return location[0];
    }

    /** Heap in use now on each registered TaskManager, in bytes, from Flink's metrics. */
    Map<String, Long> heapUsed() {
        Map<String, Long> used = new LinkedHashMap<>();
        for (JsonNode tm : rest.get("/taskmanagers").path("taskmanagers")) {
            String id = tm.path("id").asText();
            JsonNode metric = rest.get("/taskmanagers/" + id + "/metrics?get=Status.JVM.Memory.Heap.Used");
            if (metric.size() > 0) {
                used.put(id, metric.get(0).path("value").asLong());
            }
        }
        return used;
    }
}
