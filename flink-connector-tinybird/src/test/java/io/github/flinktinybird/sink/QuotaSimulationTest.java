package io.github.flinktinybird.sink;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flow controller's defaults against a shared request quota, as a table over issue 12's grid
 * (commit latency × quota × subtasks), on a virtual clock ({@link QuotaSimulation}): subtasks that
 * never talk to each other share the quota, reaching most of it with few 429s. Deterministic: the
 * same answers at the same virtual times give the same figures on any machine. The real job under
 * the emulator is measured in bench/quota.sh; this pins the decision logic.
 */
class QuotaSimulationTest {

    private static final int MAX_IN_FLIGHT = TinybirdSinkOptions.MAX_IN_FLIGHT_REQUESTS.defaultValue();

    static Stream<Arguments> grid() {
        Stream.Builder<Arguments> rows = Stream.builder();
        for (int quota : new int[] {10, 100}) {
            for (long latencyMs : new long[] {200, 1_000, 3_000}) {
                for (int subtasks : new int[] {1, 2, 4}) {
                    rows.add(Arguments.of(quota, latencyMs, subtasks));
                }
            }
        }
        return rows.build();
    }

    @ParameterizedTest(name = "quota {0} requests/s, commit latency {1} ms, {2} subtask(s)")
    @MethodSource("grid")
    void subtasksShareTheQuotaWithFew429s(int quota, long latencyMs, int subtasks) {
        QuotaSimulation simulation = new QuotaSimulation(subtasks, quota, Duration.ofMillis(latencyMs), MAX_IN_FLIGHT);
        QuotaSimulation.Result result = simulation.run(Duration.ofSeconds(30), Duration.ofSeconds(90));

        // Little's law: the requests the in-flight cap lets the subtasks keep going, at the
        // latency the server answers with (the commit latency and the jitter's mean).
        double seconds = latencyMs / 1000.0 + simulation.latencyJitterNanos / 2e9;
        double reachable = Math.min(1.0, subtasks * MAX_IN_FLIGHT / seconds / quota);
        assertThat(result.goodput).as("requests admitted per second, share of the quota (%s)", result)
                .isGreaterThanOrEqualTo(0.85 * reachable);
        assertThat(result.rateLimitedShare).as("429s, share of the requests (%s)", result).isLessThanOrEqualTo(0.10);
    }
}
