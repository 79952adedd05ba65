package io.github.flinktinybird.examples;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class WebEventGeneratorTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @Test
    void theSameNumberGivesTheSameEventSoReplaysCanBeDeduplicated() {
        WebEventGenerator generator = new WebEventGenerator("run_1");

        assertThat(generator.eventAt(42, NOW)).isEqualTo(new WebEventGenerator("run_1").eventAt(42, NOW));
        assertThat(generator.eventAt(42, NOW).eventId()).isNotEqualTo(new WebEventGenerator("run_2").eventAt(42, NOW).eventId());
    }

    @Test
    void eventsComeInSessionsWithUniqueIds() {
        WebEventGenerator generator = new WebEventGenerator("run_1");
        Set<String> ids = new HashSet<>();
        for (long n = 0; n < 10_000; n++) {
            ids.add(generator.eventAt(n, NOW).eventId());
        }
        assertThat(ids).hasSize(10_000);

        WebEvent start = generator.eventAt(8, NOW);
        WebEvent end = generator.eventAt(15, NOW);
        assertThat(start.eventType()).isEqualTo("session_start");
        assertThat(end.eventType()).isEqualTo("session_end");
        assertThat(end.sessionId()).isEqualTo(start.sessionId());
        assertThat(end.userId()).isEqualTo(start.userId());
        assertThat(end.durationMs()).isPositive();
        assertThat(generator.eventAt(9, NOW).eventType()).isIn("page_view", "click");
        assertThat(start.timestamp()).isEqualTo("2025-06-01 12:00:00.000");
        assertThat(start.url()).startsWith("https://example.com/");
    }
}
