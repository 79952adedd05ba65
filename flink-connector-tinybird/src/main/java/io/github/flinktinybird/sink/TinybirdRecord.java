package io.github.flinktinybird.sink;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One buffered record: the Data Source it goes to and its NDJSON line (one compact JSON object,
 * UTF-8, without the newline). This is what Flink's buffer and the checkpointed state hold.
 *
 * <p>{@code failedAttempts} counts the failed sends of this record since the job (re)started; it is
 * not checkpointed, so a restored record gets a fresh retry budget.
 */
@Internal
public final class TinybirdRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String dataSource;
    private final byte[] line;
    private final int failedAttempts;

    public TinybirdRecord(String dataSource, byte[] line) {
        this(dataSource, line, 0);
    }

    TinybirdRecord(String dataSource, byte[] line, int failedAttempts) {
        this.dataSource = Objects.requireNonNull(dataSource);
        this.line = Objects.requireNonNull(line);
        this.failedAttempts = failedAttempts;
    }

    public String getDataSource() {
        return dataSource;
    }

    /** The NDJSON line; not copied, do not modify. */
    public byte[] getLine() {
        return line;
    }

    int getFailedAttempts() {
        return failedAttempts;
    }

    /** The same record after one more failed send. */
    TinybirdRecord failedOnceMore() {
        return new TinybirdRecord(dataSource, line, failedAttempts + 1);
    }

    /** Bytes this record adds to a request body: its line and the newline. */
    long sizeInBytes() {
        return line.length + 1L;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TinybirdRecord)) {
            return false;
        }
        TinybirdRecord that = (TinybirdRecord) o;
        return dataSource.equals(that.dataSource) && java.util.Arrays.equals(line, that.line);
    }

    @Override
    public int hashCode() {
        return 31 * dataSource.hashCode() + java.util.Arrays.hashCode(line);
    }

    @Override
    public String toString() {
        return dataSource + ": " + new String(line, StandardCharsets.UTF_8);
    }
}
