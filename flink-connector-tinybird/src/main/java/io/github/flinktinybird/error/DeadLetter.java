package io.github.flinktinybird.error;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Records that could not be delivered to one Data Source, with why. A line is the exact NDJSON line
 * the sink would have sent (one JSON object); an element that could not even be serialized has no
 * line, and its letter has none.
 */
public final class DeadLetter {
    private final String dataSource;
    private final List<byte[]> lines;
    private final String reason;
    private final int httpStatus;
    private final Instant failedAt;

    public DeadLetter(String dataSource, List<byte[]> lines, String reason, int httpStatus, Instant failedAt) {
        this.dataSource = dataSource;
        this.lines = Collections.unmodifiableList(new ArrayList<>(lines));
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.failedAt = failedAt;
    }

    /** The Data Source the records were meant for, or {@code null} if it could not be chosen. */
    public String getDataSource() {
        return dataSource;
    }

    /** The NDJSON lines, UTF-8, without the trailing newline. */
    public List<byte[]> getLines() {
        return lines;
    }

    /** The lines as strings. */
    public List<String> getLinesAsStrings() {
        List<String> out = new ArrayList<>(lines.size());
        for (byte[] line : lines) {
            out.add(new String(line, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Why the records could not be delivered. */
    public String getReason() {
        return reason;
    }

    /** Tinybird's HTTP status, or 0 when there was no answer or no request. */
    public int getHttpStatus() {
        return httpStatus;
    }

    public Instant getFailedAt() {
        return failedAt;
    }

    @Override
    public String toString() {
        return "DeadLetter{dataSource="
                + dataSource
                + ", records="
                + lines.size()
                + ", httpStatus="
                + httpStatus
                + ", reason="
                + reason
                + '}';
    }
}
