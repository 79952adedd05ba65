package io.github.flinktinybird.http;

import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.Buffer;
import okio.BufferedSink;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The NDJSON body of one request: each line followed by {@code \n}.
 *
 * <p>OkHttp asks for the length and the bytes on its own dispatcher thread, so the gzip work is done
 * lazily there rather than on Flink's task thread. The compressed bytes are kept so that the body
 * can be written again (and the request carries a {@code Content-Length} rather than chunks).
 *
 * <p>Without gzip, lines go straight into okio's segments, which okio recycles. With it, they reach
 * the deflater 64 KiB at a time (handed over one by one, each ~220-byte line and its newline would
 * cost native deflate calls of their own), and the compressed segments are shared, not copied, each
 * time the body is written; a body allocates little besides its compressed bytes, a 64 KiB
 * staging array and gzip's 16 KiB output buffer.
 *
 * <p>Deflate runs at its fastest level: on a batch of typical events it takes half the CPU of the
 * default level (4.4 ms against 9.8 ms for 10,000 events, 2.2 MB) for 13% more bytes on the wire
 * (13.8:1 against 15.6:1); gzip is the largest per-event CPU cost of the sink (see
 * docs/performance.md).
 */
final class NdjsonRequestBody extends RequestBody {
    static final MediaType NDJSON = MediaType.get("application/x-ndjson");
    private static final int STAGE_BYTES = 64 * 1024;

    private final List<byte[]> lines;
    private final boolean gzip;
    private final long uncompressedLength;
    /** Run once the body is on its way, or {@code null}; see {@link EventsApiClient#send}. */
    private final Consumer<byte[]> afterWritten;
    private Buffer compressed;

    NdjsonRequestBody(List<byte[]> lines, boolean gzip) {
        this(lines, gzip, null);
    }

    NdjsonRequestBody(List<byte[]> lines, boolean gzip, Consumer<byte[]> afterWritten) {
        this(lines, ndjsonBytes(lines), gzip, afterWritten);
    }

    /** {@code ndjsonBytes}: the lines' length with a newline each, counted by the caller. */
    NdjsonRequestBody(List<byte[]> lines, long ndjsonBytes, boolean gzip, Consumer<byte[]> afterWritten) {
        this.lines = lines;
        this.gzip = gzip;
        this.afterWritten = afterWritten;
        this.uncompressedLength = ndjsonBytes;
    }

    private static long ndjsonBytes(List<byte[]> lines) {
        long length = 0;
        for (byte[] line : lines) {
            length += line.length + 1;
        }
        return length;
    }

    long uncompressedLength() {
        return uncompressedLength;
    }

    @Override
    public MediaType contentType() {
        return NDJSON;
    }

    @Override
    public long contentLength() {
        return gzip ? compressed().size() : uncompressedLength;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        if (gzip) {
            Buffer bytes = compressed().copy();
            sink.write(bytes, bytes.size());
        } else {
            writeLines(sink);
        }
        if (afterWritten != null) {
            // OkHttp sends the last segment when it closes the sink, after this returns: flushed
            // first, so that the server has the whole request while the hook runs.
            sink.flush();
            afterWritten.accept(gzip ? compressed().snapshot().toByteArray() : null);
        }
    }

    private synchronized Buffer compressed() {
        if (compressed == null) {
            Buffer bytes = new Buffer();
            try (GZIPOutputStream gzip = new FastGzip(bytes.outputStream())) {
                writeStaged(gzip);
            } catch (IOException e) {
                throw new UncheckedIOException("gzip of an in-memory request body failed", e);
            }
            compressed = bytes;
        }
        return compressed;
    }

    /**
     * Hands the lines to the deflater {@link #STAGE_BYTES} at a time: each hand-over is a native
     * call and a CRC update, and fewer, larger ones took 7% less CPU per body than okio's 8 KiB
     * segments (docs/performance.md).
     */
    private void writeStaged(OutputStream gzip) throws IOException {
        byte[] stage = new byte[STAGE_BYTES];
        int staged = 0;
        for (byte[] line : lines) {
            if (staged + line.length + 1 > stage.length) {
                gzip.write(stage, 0, staged);
                staged = 0;
                if (line.length + 1 > stage.length) {
                    gzip.write(line);
                    gzip.write('\n');
                    continue;
                }
            }
            System.arraycopy(line, 0, stage, staged, line.length);
            staged += line.length;
            stage[staged++] = '\n';
        }
        gzip.write(stage, 0, staged);
    }

    /**
     * Gzip at deflate's fastest level. Its output buffer is smaller than the input's stage: 64 KiB
     * of events deflate to about 5 KiB.
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 16 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    private void writeLines(BufferedSink out) throws IOException {
        for (byte[] line : lines) {
            out.write(line);
            out.writeByte('\n');
        }
        out.emit();
    }
}
