package io.github.flinktinybird.http;

import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The NDJSON body of one request: each line followed by {@code \n}.
 *
 * <p>OkHttp asks for the length and the bytes on its own dispatcher thread, so the gzip work is done
 * lazily there rather than on Flink's task thread. The compressed bytes are kept so that the body
 * can be written again (and the request carries a {@code Content-Length} rather than chunks).
 */
final class NdjsonRequestBody extends RequestBody {
    static final MediaType NDJSON = MediaType.get("application/x-ndjson");

    private final List<byte[]> lines;
    private final boolean gzip;
    private final long uncompressedLength;
    private byte[] compressed;

    NdjsonRequestBody(List<byte[]> lines, boolean gzip) {
        this.lines = lines;
        this.gzip = gzip;
        long length = 0;
        for (byte[] line : lines) {
            length += line.length + 1;
        }
        this.uncompressedLength = length;
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
        return gzip ? compressed().length : uncompressedLength;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        if (gzip) {
            sink.write(compressed());
        } else {
            writeLines(sink.outputStream());
        }
    }

    private synchronized byte[] compressed() {
        if (compressed == null) {
            // NDJSON events typically compress about 10:1.
            ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, uncompressedLength / 8 + 64));
            try (GZIPOutputStream out = new GZIPOutputStream(bytes, 64 * 1024)) {
                writeLines(out);
            } catch (IOException e) {
                throw new UncheckedIOException("gzip of an in-memory request body failed", e);
            }
            compressed = bytes.toByteArray();
        }
        return compressed;
    }

    private void writeLines(OutputStream out) throws IOException {
        for (byte[] line : lines) {
            out.write(line);
            out.write('\n');
        }
        out.flush();
    }
}
