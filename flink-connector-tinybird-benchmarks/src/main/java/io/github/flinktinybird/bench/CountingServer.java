package io.github.flinktinybird.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * A loopback server that answers {@code POST /v0/events} like the Events API under {@code
 * wait=true} (200, {@code {"successful_rows":N,"quarantined_rows":0}}) and only counts lines: no
 * JSON parsing, gunzip when asked. It runs in its own JVM ({@link #main}) so that the benchmark
 * JVM's CPU time is the sink's, not the server's.
 *
 * <p>Control: {@code POST /reset[?record=1]} zeroes the counters (and records, per request, the
 * first and last event id and the {@link System#nanoTime()} after its answer was written, for the
 * latency run); {@code GET /stats} answers {@code lines requests bodyBytes ndjsonBytes lastAnswerNanos jitMillis}
 * (the last: this JVM's time spent compiling so far);
 * {@code GET /latency} the recorded {@code firstId lastId lines answerNanos} rows; {@code GET
 * /now} this JVM's {@code nanoTime} (to check that both JVMs share the monotonic clock).
 */
public final class CountingServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong lines = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();
    private final AtomicLong ndjsonBytes = new AtomicLong();
    private final AtomicLong lastAnswerNanos = new AtomicLong();
    private volatile boolean record;
    private final List<long[]> answers = new ArrayList<>();
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    public CountingServer(int port, int threads) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "counting-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v0/events", this::events);
        server.createContext("/reset", this::reset);
        server.createContext("/stats", x -> answer(x, 200, lines.get() + " " + requests.get() + " " + bodyBytes.get() + " " + ndjsonBytes.get() + " " + lastAnswerNanos.get()
                + " " + Sampler.jitMillis()));
        server.createContext("/now", x -> answer(x, 200, Long.toString(System.nanoTime())));
        server.createContext("/latency", this::latency);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void events(HttpExchange x) throws IOException {
        boolean gzip = "gzip".equalsIgnoreCase(x.getRequestHeaders().getFirst("Content-Encoding"));
        InputStream raw = x.getRequestBody();
        CountingInput counting = new CountingInput(raw);
        long[] counts = new long[2];
        long[] ids = record ? new long[] {-1, -1} : null;
        try (InputStream in = gzip ? new GZIPInputStream(counting, 64 * 1024) : counting) {
            countLines(in, buffers.get(), ids, counts);
        }
        long count = counts[0];
        bodyBytes.addAndGet(counting.bytes);
        ndjsonBytes.addAndGet(counts[1]);
        answer(x, 200, "{\"successful_rows\":" + count + ",\"quarantined_rows\":0}");
        long now = System.nanoTime();
        lines.addAndGet(count);
        requests.incrementAndGet();
        lastAnswerNanos.accumulateAndGet(now, Math::max);
        if (ids != null) {
            synchronized (answers) {
                answers.add(new long[] {ids[0], ids[1], count, now});
            }
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW_SEVEN = 0x7F7F7F7F7F7F7F7FL;

    /**
     * The newlines among the first {@code n} bytes, eight bytes at a time. The server stands in for
     * Tinybird, whose CPU is not the client's; on this loopback machine it shares the client's two
     * cores, so its per-byte work is kept as small as counting allows.
     */
    static long newlines(byte[] buffer, int n) {
        long count = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long x = (long) LONGS.get(buffer, i) ^ NEWLINES; // a newline is now a zero byte
            // The high bit of each byte of t is set exactly where x has a zero byte; no carry crosses bytes.
            long t = ~(((x & LOW_SEVEN) + LOW_SEVEN) | x | LOW_SEVEN);
            count += Long.bitCount(t);
        }
        for (; i < n; i++) {
            if (buffer[i] == '\n') {
                count++;
            }
        }
        return count;
    }

    /**
     * Counts lines (a last one without its newline too); with {@code ids}, also reads the number after {@code {"id":} at the start of
     * the first and of the last line.
     */
    static void countLines(InputStream in, byte[] buffer, long[] ids, long[] counts) throws IOException {
        long count = 0;
        long bytes = 0;
        int linePos = 0;
        long id = 0;
        int n;
        byte lastByte = '\n';
        while ((n = in.read(buffer)) > 0) {
            bytes += n;
            lastByte = buffer[n - 1];
            if (ids == null) {
                count += newlines(buffer, n);
                continue;
            }
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (b == '\n') {
                    if (ids[0] < 0) {
                        ids[0] = id;
                    }
                    ids[1] = id;
                    count++;
                    linePos = 0;
                    id = 0;
                    continue;
                }
                if (linePos >= 6 && b >= '0' && b <= '9' && linePos < 26) {
                    id = id * 10 + (b - '0');
                } else if (linePos >= 6) {
                    linePos = 26; // past the number
                }
                linePos++;
            }
        }
        if (lastByte != '\n') {
            // A last line without its newline (one event per request, as the naive sink sends).
            count++;
            if (ids != null) {
                if (ids[0] < 0) {
                    ids[0] = id;
                }
                ids[1] = id;
            }
        }
        counts[0] = count;
        counts[1] = bytes;
    }

    private void reset(HttpExchange x) throws IOException {
        lines.set(0);
        requests.set(0);
        bodyBytes.set(0);
        ndjsonBytes.set(0);
        lastAnswerNanos.set(0);
        synchronized (answers) {
            answers.clear();
        }
        String query = x.getRequestURI().getQuery();
        record = query != null && query.contains("record=1");
        answer(x, 200, "ok");
    }

    private void latency(HttpExchange x) throws IOException {
        StringBuilder out = new StringBuilder();
        synchronized (answers) {
            for (long[] a : answers) {
                out.append(a[0]).append(' ').append(a[1]).append(' ').append(a[2]).append(' ').append(a[3]).append('\n');
            }
        }
        answer(x, 200, out.toString());
    }

    private static void answer(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static final class CountingInput extends InputStream {
        private final InputStream in;
        long bytes;

        CountingInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                bytes++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                bytes += n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Runs the server; prints {@code port=N} once listening, stops when stdin closes. */
    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        try (CountingServer s = new CountingServer(0, threads)) {
            System.out.println("port=" + s.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to go away
            }
        }
    }
}
