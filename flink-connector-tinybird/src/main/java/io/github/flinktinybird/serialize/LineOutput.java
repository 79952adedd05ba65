package io.github.flinktinybird.serialize;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Where the JSON generator flushes one element: the line comes out as an exactly sized array
 * with a single copy when the generator hands it over in one write, which it does for any line
 * shorter than its own buffer (about 8,000 bytes). {@code ByteArrayOutputStream} would copy it
 * twice (into its buffer, then {@code toByteArray}) and take a lock on each call. Not thread-safe.
 */
final class LineOutput extends OutputStream {
    /** A buffer kept across elements for lines that come in several writes; bigger ones are dropped. */
    private static final int MAX_KEPT_BUFFER = 64 * 1024;

    private byte[] whole;
    private byte[] parts;
    private int count;

    @Override
    public void write(int b) {
        ensureParts(1);
        parts[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        if (whole == null && count == 0) {
            whole = Arrays.copyOfRange(b, off, off + len);
            return;
        }
        ensureParts(len);
        System.arraycopy(b, off, parts, count, len);
        count += len;
    }

    /** The bytes written since the last call, and an empty buffer for the next element. */
    byte[] take() {
        byte[] line;
        if (count == 0) {
            line = whole == null ? new byte[0] : whole;
        } else {
            line = Arrays.copyOf(parts, count);
            if (parts.length > MAX_KEPT_BUFFER) {
                parts = null;
            }
        }
        clear();
        return line;
    }

    /** Drops whatever was written (after an element that failed half-way). */
    void clear() {
        whole = null;
        count = 0;
    }

    private void ensureParts(int more) {
        if (whole != null) {
            // A second write for the same element: move the first one into the growing buffer.
            byte[] first = whole;
            whole = null;
            ensureCapacity(first.length + more);
            System.arraycopy(first, 0, parts, 0, first.length);
            count = first.length;
        } else {
            ensureCapacity(count + more);
        }
    }

    private void ensureCapacity(int needed) {
        if (parts == null) {
            parts = new byte[Math.max(16 * 1024, needed)];
        } else if (parts.length < needed) {
            parts = Arrays.copyOf(parts, Math.max(needed, parts.length * 2));
        }
    }
}
