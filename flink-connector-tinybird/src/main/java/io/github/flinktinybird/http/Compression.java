package io.github.flinktinybird.http;

/**
 * How request bodies travel to the Events API.
 *
 * <p>Tinybird accepts {@code Content-Encoding: gzip}. Typical JSON events shrink about ten times,
 * which matters far more on a real network than the CPU it costs; on loopback, {@link #NONE} is
 * faster.
 */
public enum Compression {
    /** Send the NDJSON body as it is. */
    NONE,
    /** Gzip the NDJSON body ({@code Content-Encoding: gzip}). The default. */
    GZIP
}
