package io.github.flinktinybird.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads a request body, gunzipping it if asked, into memory up to a limit on the uncompressed
 * size, so that neither a huge body nor a gzip bomb can exhaust the heap.
 */
final class BoundedBody {

    /** Past this many raw bytes a rejected body is no longer drained; the connection is dropped instead. */
    private static final long DRAIN_LIMIT = 256L * 1024 * 1024;

    private final byte[] bytes;
    private final int length;
    private final boolean overLimit;

    private BoundedBody(byte[] bytes, int length, boolean overLimit) {
        this.bytes = bytes;
        this.length = length;
        this.overLimit = overLimit;
    }

    /**
     * Reads at most {@code limit + 1} uncompressed bytes. When the body is larger, the rest of the
     * raw stream is drained (discarded) so that the client, still sending, reads the answer
     * rather than a reset connection.
     *
     * @throws java.util.zip.ZipException or {@link java.io.EOFException} for a broken gzip stream
     */
    static BoundedBody read(InputStream raw, boolean gzip, int limit) throws IOException {
        InputStream in = gzip ? new GZIPInputStream(raw, 8192) : raw;
        byte[] buffer = new byte[Math.min(limit + 1, 64 * 1024)];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                if (length > limit) {
                    drain(raw);
                    return new BoundedBody(buffer, length, true);
                }
                int grown = (int) Math.min((long) limit + 1, Math.max(2L * buffer.length, 64 * 1024));
                buffer = Arrays.copyOf(buffer, grown);
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                return new BoundedBody(buffer, length, false);
            }
            length += n;
        }
    }

    /** Discards what is left of a body that will not be processed. */
    static void drain(InputStream raw) throws IOException {
        byte[] scrap = new byte[64 * 1024];
        long drained = 0;
        int n;
        while (drained < DRAIN_LIMIT && (n = raw.read(scrap)) >= 0) {
            drained += n;
        }
    }

    byte[] bytes() {
        return bytes;
    }

    /** Uncompressed bytes read; {@code limit + 1} when over the limit. */
    int length() {
        return length;
    }

    boolean overLimit() {
        return overLimit;
    }
}
