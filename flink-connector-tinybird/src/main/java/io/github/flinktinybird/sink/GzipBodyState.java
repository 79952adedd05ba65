package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Version 3's second form of a state: one request's records as the gzip body it was sent with.
 * After the form byte: the Data Source as an {@code int} byte length and UTF-8 bytes, the number of
 * records as an {@code int}, then the gzip member of the NDJSON body (each line followed by
 * {@code \n}; a line never holds one, the converter makes sure).
 *
 * <p>With gzip on (the default) the body is compressed before it is sent, so its checkpointed form
 * costs a copy of about a tenth of the records' bytes, where deflating the records again would
 * cost as much CPU as the request's own gzip: at a checkpoint a second with Tinybird committing in
 * a second or more, that second deflate is most of what checkpointing costs the job.
 */
final class GzipBodyState {
    /** Data Source names are short; anything larger means corrupt state, not a real name. */
    private static final int MAX_DATA_SOURCE_BYTES = 4096;

    private GzipBodyState() {}

    /** The version-3 bytes of {@code records}, sent to {@code dataSource} as {@code gzipBody}. */
    static byte[] bytes(String dataSource, int records, byte[] gzipBody) {
        byte[] name = dataSource.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(1 + Integer.BYTES + name.length + Integer.BYTES + gzipBody.length);
        out.put(TinybirdRecordStateSerializer.FORM_GZIP_BODY).putInt(name.length).put(name).putInt(records).put(gzipBody);
        return out.array();
    }

    /** Reads the form that starts at {@code from} (after the form byte) back into records. */
    static BufferedRequestState<TinybirdRecord> read(byte[] serialized, int from) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(serialized, from, serialized.length - from);
        int nameLength = readLength(in, MAX_DATA_SOURCE_BYTES, "Data Source name");
        byte[] name = new byte[nameLength];
        in.get(name);
        String dataSource = new String(name, StandardCharsets.UTF_8);
        int count = readLength(in, Integer.MAX_VALUE, "record count");
        byte[] body;
        try (InputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(serialized, in.position(), in.remaining()))) {
            body = gunzip.readAllBytes();
        } catch (IOException e) {
            throw new IOException("corrupt Tinybird sink state: the gzip body of " + count + " records does not read: " + e.getMessage(), e);
        }
        List<RequestEntryWrapper<TinybirdRecord>> entries = new ArrayList<>(Math.min(count, body.length));
        int start = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                TinybirdRecord record = new TinybirdRecord(dataSource, Arrays.copyOfRange(body, start, i));
                entries.add(new RequestEntryWrapper<>(record, record.sizeInBytes()));
                start = i + 1;
            }
        }
        if (start != body.length || entries.size() != count) {
            throw new IOException("corrupt Tinybird sink state: a gzip body announced " + count + " records and holds "
                    + entries.size() + (start != body.length ? " and an unterminated line" : ""));
        }
        return new BufferedRequestState<>(entries);
    }

    private static int readLength(ByteBuffer in, int max, String what) throws IOException {
        if (in.remaining() < Integer.BYTES) {
            throw new IOException("corrupt Tinybird sink state: no " + what + " in a gzip body state");
        }
        int length = in.getInt();
        if (length < 0 || length > max || (max != Integer.MAX_VALUE && length > in.remaining())) {
            throw new IOException("corrupt Tinybird sink state: " + what + " " + length);
        }
        return length;
    }
}
