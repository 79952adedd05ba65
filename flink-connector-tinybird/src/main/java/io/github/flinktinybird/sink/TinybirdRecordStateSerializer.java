package io.github.flinktinybird.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The checkpointed form of buffered records, explicit and versioned so that savepoints restore
 * across connector upgrades.
 *
 * <p>Version 1, per record (after the size the base class writes): the Data Source as an {@code
 * int} byte length and UTF-8 bytes, then the line as an {@code int} byte length and its bytes. The
 * lengths are our own: the size the base class hands back is the record's request size, not what
 * was written here. A test keeps a version-1 fixture restoring.
 */
@Internal
public final class TinybirdRecordStateSerializer extends AsyncSinkWriterStateSerializer<TinybirdRecord> {
    static final int VERSION_1 = 1;

    /** Data Source names are short; anything larger means corrupt state, not a real name. */
    private static final int MAX_DATA_SOURCE_BYTES = 4096;

    @Override
    public int getVersion() {
        return VERSION_1;
    }

    @Override
    public BufferedRequestState<TinybirdRecord> deserialize(int version, byte[] serialized)
            throws IOException {
        if (version != VERSION_1) {
            throw new IOException(
                    "Tinybird sink state has version "
                            + version
                            + ", which this connector version cannot read (it reads version "
                            + VERSION_1
                            + "); restore with the connector version that took the snapshot");
        }
        try {
            return super.deserialize(version, serialized);
        } catch (IllegalStateException e) {
            // The base class reports a wrong header this way; a restore wants an IOException.
            throw new IOException("corrupt Tinybird sink state: " + e.getMessage(), e);
        }
    }

    @Override
    protected void serializeRequestToStream(TinybirdRecord record, DataOutputStream out)
            throws IOException {
        byte[] dataSource = record.getDataSource().getBytes(StandardCharsets.UTF_8);
        out.writeInt(dataSource.length);
        out.write(dataSource);
        out.writeInt(record.getLine().length);
        out.write(record.getLine());
    }

    @Override
    protected TinybirdRecord deserializeRequestFromStream(long requestSize, DataInputStream in)
            throws IOException {
        byte[] dataSource = readBytes(in, MAX_DATA_SOURCE_BYTES, "Data Source name");
        byte[] line = readBytes(in, Integer.MAX_VALUE - 8, "record");
        return new TinybirdRecord(new String(dataSource, StandardCharsets.UTF_8), line);
    }

    private static byte[] readBytes(DataInputStream in, int max, String what) throws IOException {
        int length = in.readInt();
        // Checked against what is left, so corrupt lengths fail cleanly instead of allocating.
        if (length < 0 || length > max || length > in.available()) {
            throw new IOException("corrupt Tinybird sink state: " + what + " length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
