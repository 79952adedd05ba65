package io.github.flinktinybird.sink;

/**
 * An element that cannot become a record (serialization failed, not one JSON object, over the
 * record size cap, no valid Data Source). Thrown by the converter and caught by the writer, which
 * applies the error policy before the record could reach Flink's buffer.
 */
final class RecordRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String dataSource;
    private final byte[] line;

    RecordRejectedException(String dataSource, byte[] line, String reason, Throwable cause) {
        super(reason, cause, false, false);
        this.dataSource = dataSource;
        this.line = line;
    }

    /** The Data Source, or {@code null} if it could not be chosen. */
    String dataSource() {
        return dataSource;
    }

    /** The serialized line, or {@code null} if serialization failed. */
    byte[] line() {
        return line;
    }
}
