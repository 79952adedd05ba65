package io.github.flinktinybird.http;

import org.apache.flink.annotation.Internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The row counts of an accepted request: {@code {"successful_rows": N, "quarantined_rows": M}}.
 */
@Internal
public final class IngestCounts {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long successfulRows;
    private final long quarantinedRows;

    public IngestCounts(long successfulRows, long quarantinedRows) {
        this.successfulRows = successfulRows;
        this.quarantinedRows = quarantinedRows;
    }

    /** The counts in a success body, or {@code null} if the body is not JSON or lacks them. */
    public static IngestCounts parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null
                    || !node.path("successful_rows").isIntegralNumber()
                    || !node.path("quarantined_rows").isIntegralNumber()) {
                return null;
            }
            return new IngestCounts(
                    node.get("successful_rows").asLong(), node.get("quarantined_rows").asLong());
        } catch (Exception e) {
            return null;
        }
    }

    public long successfulRows() {
        return successfulRows;
    }

    public long quarantinedRows() {
        return quarantinedRows;
    }

    @Override
    public String toString() {
        return "successful_rows=" + successfulRows + ", quarantined_rows=" + quarantinedRows;
    }
}
