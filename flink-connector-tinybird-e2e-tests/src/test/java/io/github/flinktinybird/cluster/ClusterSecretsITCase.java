package io.github.flinktinybird.cluster;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.testutil.Deadline;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token stays secret on a real cluster logging at DEBUG: a job with retries, a forced failure,
 * checkpoints and a savepoint, its token in an environment variable that only the TaskManagers
 * have ({@code token.env-var}), and a second job with a wrong token in a file ({@code token.file})
 * that Tinybird refuses. Then every log line, job exception, metric name, and every byte of every
 * checkpoint, savepoint, uploaded job graph and blob store file (the serialized job, offloaded there
 * whatever its size) is searched for either token.
 */
class ClusterSecretsITCase extends StandaloneClusterTest {

    /** The variable the TaskManagers, and only they, hold the token in. */
    static final String TOKEN_VARIABLE = "TINYBIRD_SECRETS_TEST_TOKEN";
    static final String TOKEN = "p.SECRET" + UUID.randomUUID().toString().replace("-", "");
    static final String WRONG_TOKEN = "p.WRONG" + UUID.randomUUID().toString().replace("-", "");

    @BeforeAll
    static void start() throws Exception {
        startCluster("secrets", 1, "DEBUG",
                Map.of("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION",
                        // Every serialized job and task description goes to the blob store on disk
                        // (by default only those above 1 MiB), so that its bytes can be searched.
                        "blob.offload.minsize", "0"),
                Map.of(TOKEN_VARIABLE, TOKEN));
    }

    @Test
    void theTokenAppearsInNoLogExceptionMetricNameOrCheckpointFile() throws Exception {
        String token = TOKEN;
        String wrongToken = WRONG_TOKEN;
        assertThat(System.getenv(TOKEN_VARIABLE)).as("flink run (started from this JVM) has no token").isNull();
        tinybird = EventsApiEmulator.builder()
                .token(token)
                .keepOnlyIds("id")
                .faultPlan(FaultPlan.builder().seed(3).probability(Fault.RATE_LIMITED, 0.1).probability(Fault.SERVER_ERROR_500, 0.1)
                        .probability(Fault.DROP_CONNECTION, 0.05).retryAfterSeconds(1).build())
                .start();
        Path jar = jobJar;
        // As `echo "$TOKEN" > file` writes it: with a trailing newline.
        Path wrongTokenFile = Files.writeString(cluster.dir().resolve("wrong-token"), wrongToken + "\n");
        Path marker = cluster.dir().resolve("failed-once");
        long events = 20_000;

        String job = cluster.submit(jar, List.of(
                "--endpoint", tinybird.endpoint(), "--token.env-var", TOKEN_VARIABLE, "--datasource", "events",
                "--events", Long.toString(events), "--rate", "10000", "--checkpoint-interval", "500",
                "--idle-after-events", "true", "--sink.batch.max-size", "1000",
                "--fail-marker", marker.toString(), "--fail-after-events", "3000"), 1, null);
        Deadline.await("every event delivered", Duration.ofSeconds(120), () -> tinybird.idCounts("events").size() >= events);
        // While the job runs: its blobs are deleted once it ends.
        List<Path> runningBlobs = files(cluster.dir().resolve("blobs"));
        boolean sinkInBlobs = anyContains(runningBlobs, tinybird.endpoint());
        boolean tokenInBlobs = anyContains(runningBlobs, token);
        String savepoint = cluster.jobs().savepoint(job);
        cluster.rest().patch("/jobs/" + job + "?mode=cancel");
        cluster.jobs().awaitJobState(job, "CANCELED", Duration.ofSeconds(60));

        String refused = cluster.submit(jar, List.of(
                "--endpoint", tinybird.endpoint(), "--token.file", wrongTokenFile.toString(), "--datasource", "events",
                "--events", "100", "--rate", "0"), 1, null);
        cluster.jobs().awaitJobState(refused, "FAILED", Duration.ofSeconds(120));

        List<String> seen = new ArrayList<>();
        for (String jobId : List.of(job, refused)) {
            seen.add(cluster.rest().get("/jobs/" + jobId + "/exceptions?maxExceptions=20").toString());
            seen.add(cluster.rest().get("/jobs/" + jobId + "/config").toString());
            seen.add(cluster.rest().get("/jobs/" + jobId + "/plan").toString());
            seen.addAll(metricNames("/jobs/" + jobId + "/metrics"));
            for (JsonNode vertex : cluster.rest().get("/jobs/" + jobId).path("vertices")) {
                seen.addAll(metricNames("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/metrics"));
            }
        }
        for (JsonNode tm : cluster.rest().get("/taskmanagers").path("taskmanagers")) {
            seen.addAll(metricNames("/taskmanagers/" + tm.path("id").asText() + "/metrics"));
        }
        String refusal = cluster.rest().get("/jobs/" + refused + "/exceptions?maxExceptions=5").toString();

        List<Path> logs = files(cluster.logs());
        List<Path> snapshots = files(cluster.dir().resolve("checkpoints"));
        snapshots.addAll(files(cluster.dir().resolve("savepoints")));
        // What is left of the job graphs: uploads of `flink run`, blobs of the JobManager and TaskManagers.
        List<Path> jobGraphFiles = files(cluster.dir().resolve("upload"));
        jobGraphFiles.addAll(files(cluster.dir().resolve("blobs")));
        snapshots.addAll(jobGraphFiles);
        long logLines = 0;
        long snapshotBytes = 0;
        for (Path log : logs) {
            logLines += Files.readAllLines(log, StandardCharsets.ISO_8859_1).size();
        }
        for (Path file : snapshots) {
            snapshotBytes += Files.size(file);
        }
        long debugLines = countLines(logs, " DEBUG ");
        System.out.printf("[secrets] searched %d log files (%d lines, %d at DEBUG), %d checkpoint/savepoint/job graph files (%d bytes, savepoint %s),"
                        + " %d blob files while the job ran (serialized sink among them: %s), %d REST answers and metric names;"
                        + " forced failure=%s; token found: %s%n",
                logs.size(), logLines, debugLines, snapshots.size(), snapshotBytes, savepoint, runningBlobs.size(), sinkInBlobs,
                seen.size(), Files.exists(marker),
                tokenInBlobs || containsAnywhere(logs, snapshots, seen, token) || containsAnywhere(logs, snapshots, seen, wrongToken));

        assertThat(debugLines).as("the cluster logged at DEBUG").isGreaterThan(1000);
        assertThat(refusal).as("the refused job says why").contains("403", "DATASOURCE:APPEND");
        assertThat(snapshots).as("checkpoint and savepoint files").isNotEmpty();
        assertThat(Files.exists(marker)).as("the job failed once and recovered").isTrue();
        assertThat(sinkInBlobs).as("the serialized sink (its endpoint) is in the blob store while the job runs").isTrue();
        assertThat(tokenInBlobs).as("the token in the blob store while the job runs").isFalse();
        for (String secret : List.of(token, wrongToken)) {
            byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
            for (Path file : logs) {
                assertThat(indexOf(Files.readAllBytes(file), needle)).as("token in log " + file).isEqualTo(-1);
            }
            for (Path file : snapshots) {
                assertThat(indexOf(Files.readAllBytes(file), needle)).as("token in " + file).isEqualTo(-1);
            }
            assertThat(seen).noneMatch(text -> text.contains(secret));
        }
    }

    private static List<String> metricNames(String path) {
        List<String> names = new ArrayList<>();
        for (JsonNode metric : cluster.rest().get(path)) {
            names.add(metric.path("id").asText());
        }
        return names;
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return new ArrayList<>();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toList());
        }
    }

    private static boolean anyContains(List<Path> files, String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        for (Path file : files) {
            try {
                if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                    return true;
                }
            } catch (java.nio.file.NoSuchFileException deletedMeanwhile) {
                // a temporary blob file, renamed or removed while we read
            }
        }
        return false;
    }

    private static long countLines(List<Path> logs, String marker) throws IOException {
        long n = 0;
        for (Path log : logs) {
            n += Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains(marker)).count();
        }
        return n;
    }

    private static boolean containsAnywhere(List<Path> logs, List<Path> snapshots, List<String> seen, String secret) throws IOException {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        for (Path file : logs) {
            if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                return true;
            }
        }
        for (Path file : snapshots) {
            if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                return true;
            }
        }
        return seen.stream().anyMatch(text -> text.contains(secret));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
