package io.github.flinktinybird.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.emulator.RecordedRequest;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The embedded default: the connector's in-process Events API emulator on loopback, so that the
 * example runs with no Tinybird account. Only a local run uses it; the job jar does not contain it.
 */
final class EmbeddedTinybird implements AutoCloseable {
    private final EventsApiEmulator emulator;
    private final double faultRate;

    private EmbeddedTinybird(EventsApiEmulator emulator, double faultRate) {
        this.emulator = emulator;
        this.faultRate = faultRate;
    }

    /** Starts the emulator; {@code faultRate} of the requests get a 503 (two thirds) or a 429. */
    static EmbeddedTinybird start(double faultRate) {
        if (faultRate < 0 || faultRate > 1) {
            throw new IllegalArgumentException(
                    ExampleOptions.EMULATOR_FAULT_RATE.key() + " must be between 0 and 1, got " + faultRate);
        }
        FaultPlan.Builder plan = FaultPlan.builder().seed(7).retryAfterSeconds(1);
        if (faultRate > 0) {
            plan.probability(Fault.UNAVAILABLE_503, faultRate * 2 / 3).probability(Fault.RATE_LIMITED, faultRate / 3);
        }
        return new EmbeddedTinybird(EventsApiEmulator.builder().faultPlan(plan.build()).start(), faultRate);
    }

    String endpoint() {
        return emulator.endpoint();
    }

    String token() {
        return EventsApiEmulator.DEFAULT_TOKEN;
    }

    String describe() {
        return "the embedded Events API at " + endpoint()
                + (faultRate > 0
                        ? String.format(" (answering %.0f%% of requests 503 or 429, to show retries)", faultRate * 100)
                        : "");
    }

    /** Prints what the Data Source holds: the proof that the rows arrived. */
    void printReadBack(String dataSource, long expectedEvents, PrintStream out) {
        List<ObjectNode> rows = emulator.rows(dataSource);
        Set<String> ids = rows.stream().map(row -> row.path("event_id").asText()).collect(Collectors.toSet());
        List<RecordedRequest> requests = emulator.requests();
        long answered200 = requests.stream().filter(r -> r.status() == 200).count();
        out.printf("Read back from '%s': %,d rows, %,d distinct event ids (%,d expected), %,d quarantined.%n",
                dataSource, rows.size(), ids.size(), expectedEvents, emulator.quarantined(dataSource).size());
        out.printf("The Events API answered %,d requests: %,d committed (200), %,d refused for a retry (503/429).%n",
                requests.size(), answered200, requests.size() - answered200);
        out.println(ids.size() == expectedEvents ? "Every event arrived." : "Some events are missing!");
        if (!rows.isEmpty()) {
            out.println("Sample rows:");
            rows.stream().skip(rows.size() / 2).limit(3).forEach(row -> out.println("  " + row));
        }
    }

    @Override
    public void close() {
        emulator.close();
    }
}
