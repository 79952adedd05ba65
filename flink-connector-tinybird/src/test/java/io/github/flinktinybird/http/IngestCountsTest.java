package io.github.flinktinybird.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IngestCountsTest {

    @Test
    void parsesTheSuccessBody() {
        IngestCounts counts = IngestCounts.parse("{\"successful_rows\": 42, \"quarantined_rows\": 3}");

        assertThat(counts).isNotNull();
        assertThat(counts.successfulRows()).isEqualTo(42);
        assertThat(counts.quarantinedRows()).isEqualTo(3);
        assertThat(counts.toString()).contains("successful_rows=42").contains("quarantined_rows=3");
    }

    @Test
    void toleratesOtherFieldsOrderAndWhitespace() {
        IngestCounts counts =
                IngestCounts.parse(
                        "\n {\"quarantined_rows\":0,\n \"import_id\":\"abc\", \"successful_rows\":7}\n");

        assertThat(counts).isNotNull();
        assertThat(counts.successfulRows()).isEqualTo(7);
        assertThat(counts.quarantinedRows()).isZero();
    }

    @Test
    void keepsCountsBeyondIntRange() {
        IngestCounts counts =
                IngestCounts.parse("{\"successful_rows\": 5000000000, \"quarantined_rows\": 1}");

        assertThat(counts).isNotNull();
        assertThat(counts.successfulRows()).isEqualTo(5_000_000_000L);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "   ",
                "not json",
                "<html><body>502 Bad Gateway</body></html>",
                "{\"successful_rows\": 3",
                "[1, 2]",
                "42",
                "null",
                "{}",
                "{\"error\": \"invalid token\"}",
                "{\"successful_rows\": 3}",
                "{\"quarantined_rows\": 0}",
                "{\"successful_rows\": \"3\", \"quarantined_rows\": 0}",
                "{\"successful_rows\": 3, \"quarantined_rows\": \"0\"}",
                "{\"successful_rows\": 1.5, \"quarantined_rows\": 0}",
                "{\"successful_rows\": 3, \"quarantined_rows\": 0.0}",
                "{\"successful_rows\": null, \"quarantined_rows\": 0}",
                "{\"successful_rows\": true, \"quarantined_rows\": 0}",
                "{\"successful_rows\": {\"n\": 3}, \"quarantined_rows\": 0}",
            })
    void answersNullWhenTheBodyHasNoUsableCounts(String body) {
        assertThat(IngestCounts.parse(body)).isNull();
    }
}
