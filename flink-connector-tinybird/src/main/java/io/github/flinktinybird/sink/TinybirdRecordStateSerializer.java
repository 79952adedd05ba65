package io.github.flinktinybird.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The checkpointed form of buffered records, explicit and versioned so that savepoints restore
 * across connector upgrades.
 *
 * <p>Version 1: the base class's layout (a data identifier, the record count, then per record the
 * size the base class keeps), and per record the Data Source as an {@code int} byte length and
 * UTF-8 bytes, then the line as an {@code int} byte length and its bytes. The lengths are our own:
 * the size the base class hands back is the record's request size, not what was written here.
 *
 * <p>Version 2 (written since the snapshot holds the records in flight): the version-1 bytes'
 * length as an {@code int}, then those bytes deflated (raw deflate, fastest level). The state is
 * then several MiB per subtask, and Flink writes operator state to the checkpoint stream one byte
 * per call ({@code CompressibleFSDataOutputStream} has no bulk write on 1.20-2.3): NDJSON shrinks
 * about ten times, and deflating costs far less than writing the bytes saved. Both versions are
 * read; a test keeps a version-1 fixture restoring.
 *
 * <p>Version 3 (written since a request's gzip body became its checkpointed form): one byte for
 * the form, then either the version-2 bytes ({@link #FORM_RECORDS}), or a request's records as
 * the gzip body it was sent with ({@link #FORM_GZIP_BODY}, see {@link GzipBodyState}): that body
 * is compressed already, so a checkpoint that comes while Tinybird commits a request costs a
 * copy, not a second deflate. Versions 1-3 are read; tests keep a fixture of each restoring.
 *
 * <p>A writer's snapshot is several states: one per request in flight (its bytes made once,
 * whatever the number of checkpoints it is in) and one for the rest. Each restores on its own,
 * and a restore takes the records of all of them.
 */
@Internal
public final class TinybirdRecordStateSerializer extends AsyncSinkWriterStateSerializer<TinybirdRecord> {
    static final int VERSION_1 = 1;
    static final int VERSION_2 = 2;
    static final int VERSION_3 = 3;

    /** Version 3's first byte: the version-2 bytes follow. */
    static final byte FORM_RECORDS = 0;
    /** Version 3's first byte: a request's gzip body follows ({@link GzipBodyState}). */
    static final byte FORM_GZIP_BODY = 1;

    /** The base class's marker at the head of the version-1 bytes. */
    private static final long DATA_IDENTIFIER = -1L;

    /** Data Source names are short; anything larger means corrupt state, not a real name. */
    private static final int MAX_DATA_SOURCE_BYTES = 4096;

    /** Deflate expands by at most ~1032:1; a larger claimed length means corrupt state. */
    private static final long MAX_INFLATE_RATIO = 1032;

    @Override
    public int getVersion() {
        return VERSION_3;
    }

    /**
     * A state of the records in flight of one request comes with its bytes made already (once for
     * all the checkpoints taken while Tinybird commits it, see {@link InFlightPartState}); they are
     * the same version-3 bytes this writes for any state of those records, or the gzip form.
     */
    @Override
    public byte[] serialize(BufferedRequestState<TinybirdRecord> state) throws IOException {
        if (state instanceof InFlightPartState) {
            return ((InFlightPartState) state).serialized();
        }
        List<RequestEntryWrapper<TinybirdRecord>> listed = state.getBufferedRequestEntries();
        List<RequestEntryWrapper<TinybirdRecord>> entries =
                listed instanceof RandomAccess ? listed : new ArrayList<>(listed);
        return deflate(version1Bytes(entries.size(), i -> entries.get(i).getRequestEntry(), i -> entries.get(i).getSize()));
    }

    /** The version-3 bytes of a state of {@code records}, each of the size Flink's buffer counts for it. */
    static byte[] serializeRecords(List<TinybirdRecord> records) {
        return deflate(version1Bytes(records.size(), records::get, i -> records.get(i).sizeInBytes()));
    }

    /** The form byte, then the version-2 bytes: the plain length and the raw deflate of {@code plain}. */
    private static byte[] deflate(byte[] plain) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            deflater.setInput(plain);
            deflater.finish();
            int head = 1 + Integer.BYTES;
            byte[] out = new byte[head + Math.max(64, plain.length / 4)];
            out[0] = FORM_RECORDS;
            ByteBuffer.wrap(out, 1, Integer.BYTES).putInt(plain.length);
            int length = head;
            while (!deflater.finished()) {
                if (length == out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, out.length * 2L));
                }
                length += deflater.deflate(out, length, out.length - length);
            }
            return Arrays.copyOf(out, length);
        } finally {
            deflater.end();
        }
    }

    /**
     * The version-1 bytes, written into one array of the exact size (the base class grows a stream
     * and copies it; this runs on the task thread inside the checkpoint).
     */
    private static byte[] version1Bytes(int count, IntFunction<TinybirdRecord> records, IntToLongFunction sizes) {
        long size = Long.BYTES + Integer.BYTES;
        String lastName = null;
        byte[] lastNameBytes = null;
        for (int i = 0; i < count; i++) {
            TinybirdRecord record = records.apply(i);
            if (!record.getDataSource().equals(lastName)) {
                lastName = record.getDataSource();
                lastNameBytes = lastName.getBytes(StandardCharsets.UTF_8);
            }
            size += Long.BYTES + Integer.BYTES + lastNameBytes.length + Integer.BYTES + record.getLine().length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("Tinybird sink state of " + size + " bytes is too large for one snapshot");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.putLong(DATA_IDENTIFIER).putInt(count);
        lastName = null;
        for (int i = 0; i < count; i++) {
            TinybirdRecord record = records.apply(i);
            if (!record.getDataSource().equals(lastName)) {
                lastName = record.getDataSource();
                lastNameBytes = lastName.getBytes(StandardCharsets.UTF_8);
            }
            out.putLong(sizes.applyAsLong(i)).putInt(lastNameBytes.length).put(lastNameBytes);
            out.putInt(record.getLine().length).put(record.getLine());
        }
        return out.array();
    }

    @Override
    public BufferedRequestState<TinybirdRecord> deserialize(int version, byte[] serialized)
            throws IOException {
        if (version != VERSION_1 && version != VERSION_2 && version != VERSION_3) {
            throw new IOException(
                    "Tinybird sink state has version "
                            + version
                            + ", which this connector version cannot read (it reads versions "
                            + VERSION_1
                            + " to "
                            + VERSION_3
                            + "); restore with the connector version that took the snapshot");
        }
        byte[] plain;
        if (version == VERSION_3) {
            if (serialized.length == 0) {
                throw new IOException("corrupt Tinybird sink state: no bytes for version 3");
            }
            if (serialized[0] == FORM_GZIP_BODY) {
                return GzipBodyState.read(serialized, 1);
            }
            if (serialized[0] != FORM_RECORDS) {
                throw new IOException("corrupt Tinybird sink state: unknown form " + serialized[0] + " in version 3");
            }
            plain = inflate(serialized, 1);
        } else {
            plain = version == VERSION_2 ? inflate(serialized, 0) : serialized;
        }
        try {
            return super.deserialize(VERSION_1, plain);
        } catch (IllegalStateException e) {
            // The base class reports a wrong header this way; a restore wants an IOException.
            throw new IOException("corrupt Tinybird sink state: " + e.getMessage(), e);
        }
    }

    /** The version-2 bytes starting at {@code from}: the plain length, then the raw deflate. */
    private static byte[] inflate(byte[] serialized, int from) throws IOException {
        if (serialized.length - from < Integer.BYTES) {
            throw new IOException("corrupt Tinybird sink state: " + serialized.length + " bytes, too short for version 2");
        }
        int length = ByteBuffer.wrap(serialized, from, Integer.BYTES).getInt();
        long compressed = serialized.length - from - Integer.BYTES;
        if (length < 0 || length > Integer.MAX_VALUE - 8 || length > (compressed + 1) * MAX_INFLATE_RATIO) {
            throw new IOException("corrupt Tinybird sink state: length " + length + " from " + compressed + " deflated bytes");
        }
        byte[] plain = new byte[length];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(serialized, from + Integer.BYTES, serialized.length - from - Integer.BYTES);
            int inflated = 0;
            while (inflated < length && !inflater.finished()) {
                int n = inflater.inflate(plain, inflated, length - inflated);
                if (n == 0) {
                    break; // input used up (truncated) or a dictionary asked for (not ours)
                }
                inflated += n;
            }
            // A raw stream may need one more call to see its end once the output is full.
            if (inflated == length && !inflater.finished()) {
                inflater.inflate(new byte[1]);
            }
            if (inflated != length || !inflater.finished() || inflater.getRemaining() != 0) {
                throw new IOException("corrupt Tinybird sink state: deflated bytes do not give the "
                        + length + " bytes announced (got " + inflated + ")");
            }
        } catch (DataFormatException e) {
            throw new IOException("corrupt Tinybird sink state: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return plain;
    }

    @Override
    protected void serializeRequestToStream(TinybirdRecord record, DataOutputStream out)
            throws IOException {
        // Unused since serialize writes the records itself; kept identical to that layout.
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
