package io.github.flinktinybird.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local, in-process stand-in for Tinybird's Events API ({@code POST /v0/events}), for tests.
 *
 * <p>It checks the bearer token, accepts NDJSON bodies (optionally gzip), enforces a size limit
 * on the uncompressed body, stores each valid JSON object line as a row of its Data Source and
 * quarantines every other line, and answers like Tinybird: 200 with {@code wait=true}, otherwise
 * 202, with {@code {"successful_rows": N, "quarantined_rows": M}}. Faults can be injected at
 * random from a seeded {@link FaultPlan} or one by one with {@link #failNext(int, Fault)}.
 *
 * <p>Each Data Source has a budget shared by every client, as in Tinybird: every answer carries
 * {@code X-RateLimit-Limit/Remaining/Reset}, and with {@link Builder#requestQuota(int)} or
 * {@link Builder#byteQuota(long)} requests over it get 429 with {@code Retry-After}. By default the
 * emulator speaks plain HTTP/1.1; {@link Builder#https()} adds TLS, and {@link Builder#http2()}
 * serves TLS + HTTP/2 (as Tinybird does) with GOAWAY and refused-stream injection. Clients trust
 * the emulator's certificate with {@link #trustManager()}.
 *
 * <p>Rows are visible as soon as the request is answered, also for 202: the emulator does not
 * model Tinybird's delayed flush. The {@code ?token=} query parameter is deliberately not
 * accepted, so that a client leaking its token into URLs fails its tests.
 *
 * <p>All methods are thread-safe; read-back methods return copies.
 */
public final class EventsApiEmulator implements AutoCloseable {

    static {
        // Without it every small request stalls ~40 ms on Nagle plus delayed ACK over loopback.
        // Read once, when the JDK's HTTP server first loads, hence a static initializer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** The token accepted when the builder is given none. */
    public static final String DEFAULT_TOKEN = "emulator-token";
    /** Default limit on the uncompressed body: 10 MB, Tinybird's Free plan limit. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 10_000_000;
    /** The path served. */
    public static final String EVENTS_PATH = "/v0/events";

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final EmulatorStore store;
    private final FaultInjector faults;
    private final DataSourceQuotas quotas;
    private final EventsHandler handler;
    private final ExecutorService executor;
    private final InetAddress address = ipv4Loopback();
    /** Null for plain HTTP. */
    private final EmulatorTls tls;
    /** Null unless serving HTTP/2. */
    private final Http2Faults http2;
    private final EmulatorFrontEnd frontEnd;
    private boolean running;
    private int port;
    private boolean closed;

    private EventsApiEmulator(Builder builder) {
        Set<String> tokens = builder.tokens.isEmpty()
                ? Collections.singleton(DEFAULT_TOKEN)
                : Collections.unmodifiableSet(new LinkedHashSet<>(builder.tokens));
        this.store = new EmulatorStore(builder.idField, builder.countRowsOnly);
        this.faults = new FaultInjector(builder.faultPlan);
        this.quotas = new DataSourceQuotas(builder.requestQuota, builder.byteQuota);
        this.handler = new EventsHandler(tokens, builder.maxRequestBytes, store, faults, quotas, builder.commitLatency);
        // Unbounded and cached so that a SLOW answer never holds up other requests.
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "tinybird-emulator-" + THREAD_IDS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.port = builder.port;
        this.tls = builder.https || builder.http2 ? EmulatorTls.load() : null;
        if (builder.http2) {
            this.http2 = new Http2Faults(builder.maxConcurrentStreams, builder.goAwayEvery, builder.refuseEvery);
            this.frontEnd = new Http2FrontEnd(handler, store, http2, executor, builder.maxRequestBytes, tls);
        } else {
            this.http2 = null;
            this.frontEnd = new JdkFrontEnd(handler, executor, tls == null ? null : tls.serverContext());
        }
    }

    /** Starts configuring an emulator. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The base URL to give a client, {@code http://127.0.0.1:<port>} ({@code https://} with TLS),
     * without a trailing slash.
     */
    public String endpoint() {
        return (tls == null ? "http://" : "https://") + address.getHostAddress() + ":" + port();
    }

    /**
     * A trust manager that trusts the emulator's self-signed certificate (for {@code 127.0.0.1}
     * and {@code localhost}) and nothing else, for a client of {@link Builder#https()} or
     * {@link Builder#http2()}.
     *
     * @throws IllegalStateException if the emulator speaks plain HTTP
     */
    public X509TrustManager trustManager() {
        return requireTls().trustManager();
    }

    /**
     * A client {@link SSLContext} that trusts the emulator's certificate only, e.g. for
     * {@code java.net.http.HttpClient.newBuilder().sslContext(...)}.
     *
     * @throws IllegalStateException if the emulator speaks plain HTTP
     */
    public SSLContext clientSslContext() {
        return requireTls().clientContext();
    }

    /**
     * TCP connections the HTTP/2 front-end has accepted so far, e.g. to check that a client opened
     * more connections when {@link Builder#maxConcurrentStreams(int)} was low.
     *
     * @throws IllegalStateException if the emulator does not speak HTTP/2
     */
    public long http2Connections() {
        return requireHttp2().connectionsAccepted();
    }

    /**
     * GOAWAY frames sent by {@link Builder#goAwayEvery(int)} so far.
     *
     * @throws IllegalStateException if the emulator does not speak HTTP/2
     */
    public long goAwaysSent() {
        return requireHttp2().goAwaysSent();
    }

    private EmulatorTls requireTls() {
        if (tls == null) {
            throw new IllegalStateException("the emulator speaks plain HTTP: build it with https() or http2()");
        }
        return tls;
    }

    private Http2Faults requireHttp2() {
        if (http2 == null) {
            throw new IllegalStateException("the emulator does not speak HTTP/2: build it with http2()");
        }
        return http2;
    }

    /** The port bound; it stays the same across {@link #stop()} and {@link #restart()}. */
    public synchronized int port() {
        return port;
    }

    /** Whether the server currently accepts connections. */
    public synchronized boolean isRunning() {
        return running;
    }

    /**
     * Stops accepting connections and closes open ones, keeping the stored data, so that
     * clients get "connection refused" until {@link #restart()}. Does nothing if already stopped.
     */
    public synchronized void stop() {
        if (running) {
            frontEnd.stop();
            running = false;
        }
    }

    /**
     * Binds the same port again after {@link #stop()} (stopping first if running); stored data,
     * the request log and queued faults are kept.
     *
     * @throws UncheckedIOException if the port cannot be bound again
     * @throws IllegalStateException if the emulator was closed
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("the emulator is closed");
        }
        stop();
        bind();
    }

    /** Stops the server and its threads. The emulator cannot be restarted afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        executor.shutdownNow();
    }

    /**
     * Makes the next {@code count} valid requests (authenticated, with a {@code name}) get
     * {@code fault}; queued faults come before random ones.
     */
    public void failNext(int count, Fault fault) {
        faults.enqueue(count, fault);
    }

    /** Replaces the random fault plan; the random sequence restarts from the new plan's seed. */
    public void setFaultPlan(FaultPlan plan) {
        faults.setPlan(plan);
    }

    /** The fault plan in force. */
    public FaultPlan faultPlan() {
        return faults.plan();
    }

    /** While true, every request to {@value #EVENTS_PATH} is answered 503, as during an outage. */
    public void setUnavailable(boolean unavailable) {
        faults.setUnavailable(unavailable);
    }

    /** Copies of the rows stored in {@code dataSource}, in arrival order. */
    public List<ObjectNode> rows(String dataSource) {
        return store.rows(dataSource);
    }

    /** The stored rows of {@code dataSource} as the lines received, in arrival order. */
    public List<String> rawRows(String dataSource) {
        return store.rawRows(dataSource);
    }

    /**
     * How often each value of the id field arrived in {@code dataSource} (the value as text, e.g.
     * {@code "42"}), for an emulator built with {@link Builder#keepOnlyIds(String)}.
     *
     * @throws IllegalStateException if the emulator keeps whole rows
     */
    public Map<String, Integer> idCounts(String dataSource) {
        return store.idCounts(dataSource);
    }

    /** How many rows {@code dataSource} holds. */
    public long rowCount(String dataSource) {
        return store.rowCount(dataSource);
    }

    /** Rows stored across all Data Sources. */
    public long totalRowCount() {
        return store.totalRowCount();
    }

    /** The Data Sources holding at least one row, sorted. */
    public Set<String> dataSources() {
        return store.dataSources();
    }

    /** Lines sent to {@code dataSource} (the landing name, not {@code _quarantine}) that were quarantined. */
    public List<QuarantinedRow> quarantined(String dataSource) {
        return store.quarantined(dataSource);
    }

    /** Every request received, in the order they were answered (or dropped). */
    public List<RecordedRequest> requests() {
        return store.requests();
    }

    /**
     * Forgets rows, quarantined lines, the request log and queued faults, ends an outage, refills
     * the quotas and restarts the random fault sequence (and the HTTP/2 fault count) from the
     * start; tokens, limits and the plan are kept.
     */
    public void reset() {
        store.clear();
        faults.reset();
        quotas.clear();
        if (http2 != null) {
            http2.reset();
        }
    }

    private static InetAddress ipv4Loopback() {
        try {
            // Not getLoopbackAddress(): it may answer ::1, and clients are told 127.0.0.1.
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private void bind() {
        port = frontEnd.start(new InetSocketAddress(address, port));
        running = true;
    }

    /** Configures an {@link EventsApiEmulator}. */
    public static final class Builder {
        private final Set<String> tokens = new LinkedHashSet<>();
        private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private FaultPlan faultPlan = FaultPlan.none();
        private int port;
        private String idField;
        private boolean countRowsOnly;
        private Duration commitLatency = Duration.ZERO;
        private int requestQuota;
        private long byteQuota;
        private boolean https;
        private boolean http2;
        private int maxConcurrentStreams = Http2Faults.UNLIMITED_STREAMS;
        private int goAwayEvery;
        private int refuseEvery;

        private Builder() {
        }

        /**
         * How long Tinybird takes to commit a {@code wait=true} request: its rows are stored, and
         * its answer sent, only after this delay (from a fraction of a second to several seconds on
         * Tinybird, by plan). Other requests are not held up. Default zero.
         */
        public Builder commitLatency(Duration commitLatency) {
            Objects.requireNonNull(commitLatency, "commitLatency");
            if (commitLatency.isNegative()) {
                throw new IllegalArgumentException("commitLatency must not be negative: " + commitLatency);
            }
            this.commitLatency = commitLatency;
            return this;
        }

        /**
         * Limits every Data Source to {@code requestsPerSecond} requests per one-second window,
         * shared by all clients and connections; requests over it get 429 with {@code Retry-After}
         * and store nothing. {@code X-RateLimit-Limit} announces it, {@code X-RateLimit-Remaining}
         * counts it down, {@code X-RateLimit-Reset} says in how many seconds it is full again.
         * Default 0: the limit announced is 100 (Tinybird's documented quota), counted but not
         * enforced.
         */
        public Builder requestQuota(int requestsPerSecond) {
            if (requestsPerSecond < 0) {
                throw new IllegalArgumentException("requestQuota must not be negative: " + requestsPerSecond);
            }
            this.requestQuota = requestsPerSecond;
            return this;
        }

        /**
         * Limits every Data Source to {@code bytesPerSecond} uncompressed body bytes per
         * one-second window, shared by all clients; a request that would go over it gets 429 with
         * {@code Retry-After}, except the first of a window, which is always admitted. Default 0:
         * no byte quota.
         */
        public Builder byteQuota(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("byteQuota must not be negative: " + bytesPerSecond);
            }
            this.byteQuota = bytesPerSecond;
            return this;
        }

        /** Serves HTTP/1.1 over TLS ({@code https://}) with the emulator's self-signed certificate. */
        public Builder https() {
            this.https = true;
            return this;
        }

        /**
         * Serves TLS + HTTP/2 only (ALPN {@code h2}), as Tinybird's endpoints do for clients that
         * offer it, on Netty. Enables the HTTP/2 faults below.
         */
        public Builder http2() {
            this.http2 = true;
            return this;
        }

        /** The MAX_CONCURRENT_STREAMS the HTTP/2 server announces and enforces; default unlimited. */
        public Builder maxConcurrentStreams(int streams) {
            if (streams < 1) {
                throw new IllegalArgumentException("maxConcurrentStreams must be at least 1: " + streams);
            }
            this.maxConcurrentStreams = streams;
            return this;
        }

        /**
         * Answers every {@code n}th HTTP/2 request (counted over all connections) with a GOAWAY
         * whose last-stream id is the stream just before it: that request and any later stream of
         * the connection are not processed, the earlier ones are answered, then the connection
         * closes. 0 (the default) never.
         */
        public Builder goAwayEvery(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("goAwayEvery must not be negative: " + n);
            }
            this.goAwayEvery = n;
            return this;
        }

        /**
         * Refuses every {@code k}th HTTP/2 request (counted over all connections) with {@code
         * RST_STREAM REFUSED_STREAM}, unprocessed. 0 (the default) never. A request that falls on
         * both this and {@link #goAwayEvery(int)} is refused.
         */
        public Builder refuseEveryKthStream(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("refuseEveryKthStream must not be negative: " + k);
            }
            this.refuseEvery = k;
            return this;
        }

        /** Adds an accepted token; may be called several times. Without any, {@value #DEFAULT_TOKEN} is accepted. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            if (token.trim().isEmpty()) {
                throw new IllegalArgumentException("token must not be blank");
            }
            tokens.add(token.trim());
            return this;
        }

        /** The largest uncompressed body accepted; larger ones get 413. */
        public Builder maxRequestBytes(int maxRequestBytes) {
            if (maxRequestBytes < 1 || maxRequestBytes > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("maxRequestBytes out of range: " + maxRequestBytes);
            }
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /** The random fault plan; default {@link FaultPlan#none()}. */
        public Builder faultPlan(FaultPlan faultPlan) {
            this.faultPlan = Objects.requireNonNull(faultPlan, "faultPlan");
            return this;
        }

        /**
         * Keeps no rows, only how often each value of {@code idField} arrived per Data Source
         * (read with {@link EventsApiEmulator#idCounts(String)}): a memory-light store for runs of
         * millions of rows. {@link EventsApiEmulator#rows(String)} and
         * {@link EventsApiEmulator#rawRows(String)} then throw; row counts, quarantine and the request
         * log work as usual.
         */
        public Builder keepOnlyIds(String idField) {
            Objects.requireNonNull(idField, "idField");
            if (idField.isBlank()) {
                throw new IllegalArgumentException("idField must not be blank");
            }
            if (countRowsOnly) {
                throw new IllegalStateException("keepOnlyIds and countRowsOnly exclude each other: choose one");
            }
            this.idField = idField;
            return this;
        }

        /**
         * Keeps nothing of the rows, only how many arrived per Data Source ({@link
         * EventsApiEmulator#rowCount(String)}): for load tests and benchmarks of hours, where even
         * an id per row fills the heap of the JVM the emulator shares with the job. The rows are
         * still parsed (invalid lines still go to the quarantine); {@link
         * EventsApiEmulator#rows(String)}, {@link EventsApiEmulator#rawRows(String)} and {@link
         * EventsApiEmulator#idCounts(String)} then throw.
         */
        public Builder countRowsOnly() {
            if (idField != null) {
                throw new IllegalStateException("keepOnlyIds and countRowsOnly exclude each other: choose one");
            }
            this.countRowsOnly = true;
            return this;
        }

        /** The port to bind on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Binds and starts the emulator.
         *
         * @throws UncheckedIOException if the port cannot be bound
         */
        public EventsApiEmulator start() {
            if (!http2 && (maxConcurrentStreams != Http2Faults.UNLIMITED_STREAMS || goAwayEvery > 0 || refuseEvery > 0)) {
                throw new IllegalStateException(
                        "maxConcurrentStreams, goAwayEvery and refuseEveryKthStream are HTTP/2 settings: add http2()");
            }
            EventsApiEmulator emulator = new EventsApiEmulator(this);
            try {
                emulator.restart();
            } catch (RuntimeException e) {
                emulator.close();
                throw e;
            }
            return emulator;
        }
    }
}
