package io.github.flinktinybird.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.emulator.RecordedRequest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

class EventsApiClientTest {

    private static final String TOKEN = EventsApiEmulator.DEFAULT_TOKEN;
    private static final String USER_AGENT = "flink-connector-tinybird/test (unit)";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final long WAIT_SECONDS = 10;

    private EventsApiEmulator emulator;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startEmulator() {
        emulator = EventsApiEmulator.builder().start();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        emulator.close();
    }

    private EventsApiClient client(String endpoint, String token, boolean wait, Compression compression) {
        EventsApiClient client =
                new EventsApiClient(endpoint, token, wait, compression, CALL_TIMEOUT, 4, USER_AGENT);
        toClose.add(client);
        return client;
    }

    private EventsApiClient client(boolean wait, Compression compression) {
        return client(emulator.endpoint(), TOKEN, wait, compression);
    }

    private static List<byte[]> lines(String... json) {
        List<byte[]> lines = new ArrayList<>();
        for (String line : json) {
            lines.add(line.getBytes(StandardCharsets.UTF_8));
        }
        return lines;
    }

    private static EventsApiResponse await(CompletableFuture<EventsApiResponse> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static Throwable awaitFailure(CompletableFuture<EventsApiResponse> future) {
        ExecutionException failure =
                org.assertj.core.api.Assertions.catchThrowableOfType(
                        ExecutionException.class, () -> future.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertThat(failure).as("the future completes exceptionally").isNotNull();
        return failure.getCause();
    }

    private static void waitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    // ---- what goes over the wire --------------------------------------------------------------

    /**
     * The sink makes a request's checkpointed bytes in this hook, while Tinybird commits: it must
     * run on the HTTP thread, once the server holds the whole body (the last segment flushed, not
     * held back until the hook is done), and before the answer is handed over.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NONE", "GZIP"})
    void theAfterBodyHookRunsOnTheHttpThreadOnceTheServerHasTheWholeBody(String compression) throws Exception {
        EventsApiClient client = client(false, Compression.valueOf(compression));
        List<String> json = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            json.add("{\"id\":" + i + ",\"page\":\"/products/" + (i % 977) + "\"}");
        }
        List<String> threads = new CopyOnWriteArrayList<>();
        List<Long> rowsWhileInTheHook = new CopyOnWriteArrayList<>();
        AtomicInteger answeredBeforeTheHookEnded = new AtomicInteger();
        AtomicInteger hookEnded = new AtomicInteger();

        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        CompletableFuture<EventsApiResponse> answer = client.send("events", lines(json.toArray(new String[0])), gzipBody -> {
            threads.add(Thread.currentThread().getName());
            bodies.add(gzipBody == null ? new byte[0] : gzipBody);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (emulator.rowCount("events") < json.size() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.yield();
            }
            rowsWhileInTheHook.add(emulator.rowCount("events"));
            hookEnded.incrementAndGet();
        });
        answer.whenComplete((r, e) -> answeredBeforeTheHookEnded.set(hookEnded.get() == 0 ? 1 : 0));

        assertThat(await(answer).status()).isEqualTo(202);
        // One of the client's threads, which OkHttp renames while it runs a call.
        assertThat(threads).hasSize(1).allMatch(name -> !name.equals(Thread.currentThread().getName()) && name.startsWith("OkHttp "));
        assertThat(rowsWhileInTheHook).as("rows the server held while the hook ran").containsExactly((long) json.size());
        assertThat(answeredBeforeTheHookEnded.get()).as("answer handed over before the hook ended").isZero();
        if (compression.equals("GZIP")) {
            // The body as sent: it gunzips to the lines, each followed by a newline.
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bodies.get(0)))) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(String.join("\n", json) + "\n");
            }
        } else {
            assertThat(bodies.get(0)).as("no gzip body without gzip").isEmpty();
        }
    }

    @Test
    void oneRequestDeliversAllLinesWithWait() throws Exception {
        EventsApiClient client = client(true, Compression.NONE);

        EventsApiResponse response =
                await(client.send("events", lines("{\"id\":1,\"s\":\"a\"}", "{\"id\":2,\"s\":\"é✓\"}", "{}")));

        assertThat(response.status()).isEqualTo(200);
        assertThat(IngestCounts.parse(response.body()))
                .satisfies(
                        counts -> {
                            assertThat(counts.successfulRows()).isEqualTo(3);
                            assertThat(counts.quarantinedRows()).isZero();
                        });
        assertThat(emulator.rawRows("events"))
                .containsExactly("{\"id\":1,\"s\":\"a\"}", "{\"id\":2,\"s\":\"é✓\"}", "{}");

        assertThat(emulator.requests()).hasSize(1);
        RecordedRequest request = emulator.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v0/events");
        assertThat(request.dataSource()).isEqualTo("events");
        assertThat(request.waitRequested()).isTrue();
        assertThat(request.authorizationPresent()).isTrue();
        assertThat(request.userAgent()).isEqualTo(USER_AGENT);
        assertThat(request.contentType()).startsWith("application/x-ndjson");
        assertThat(request.gzip()).isFalse();
        assertThat(request.lineCount()).isEqualTo(3);
        assertThat(request.status()).isEqualTo(200);
    }

    @Test
    void withoutWaitTheQuerySaysFalseAndTinybirdAnswers202() throws Exception {
        EventsApiClient client = client(false, Compression.NONE);

        EventsApiResponse response = await(client.send("events", lines("{\"id\":1}")));

        assertThat(response.status()).isEqualTo(202);
        assertThat(emulator.requests()).singleElement().satisfies(r -> assertThat(r.waitRequested()).isFalse());
        assertThat(emulator.rowCount("events")).isEqualTo(1);
    }

    @Test
    void gzipBodyIsMarkedAndArrivesIntact() throws Exception {
        EventsApiClient client = client(true, Compression.GZIP);
        List<String> json = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            json.add("{\"id\":" + i + ",\"payload\":\"" + "abc".repeat(20) + "\"}");
        }

        EventsApiResponse response = await(client.send("events", lines(json.toArray(new String[0]))));

        assertThat(response.status()).isEqualTo(200);
        RecordedRequest request = emulator.requests().get(0);
        assertThat(request.gzip()).isTrue();
        assertThat(request.contentType()).startsWith("application/x-ndjson");
        assertThat(request.lineCount()).isEqualTo(500);
        assertThat(emulator.rawRows("events")).containsExactlyElementsOf(json);
    }

    @Test
    void eachDataSourceGoesToItsOwnNameAndLinesDoNotMix() throws Exception {
        EventsApiClient client = client(true, Compression.NONE);

        EventsApiResponse first = await(client.send("events", lines("{\"a\":1}")));
        EventsApiResponse second = await(client.send("clicks", lines("{\"b\":2}", "{\"b\":3}")));
        EventsApiResponse third = await(client.send("events", lines("{\"a\":4}")));

        assertThat(List.of(first.status(), second.status(), third.status())).containsOnly(200);
        assertThat(emulator.rawRows("events")).containsExactly("{\"a\":1}", "{\"a\":4}");
        assertThat(emulator.rawRows("clicks")).containsExactly("{\"b\":2}", "{\"b\":3}");
        assertThat(emulator.requests()).extracting(RecordedRequest::dataSource)
                .containsExactly("events", "clicks", "events");
    }

    @Test
    void wrongTokenIsAnAnswerNotATransportFailure() throws Exception {
        EventsApiClient client = client(emulator.endpoint(), "not-the-token", true, Compression.NONE);

        EventsApiResponse response = await(client.send("events", lines("{\"id\":1}")));

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).contains("DATASOURCE:APPEND");
        assertThat(emulator.rowCount("events")).isZero();
    }

    @Test
    void rateLimitHeadersReachTheAnswer() throws Exception {
        emulator.setFaultPlan(FaultPlan.builder().retryAfterSeconds(3).build());
        emulator.failNext(1, Fault.RATE_LIMITED);
        EventsApiClient client = client(true, Compression.NONE);

        EventsApiResponse response = await(client.send("events", lines("{\"id\":1}")));

        assertThat(response.status()).isEqualTo(429);
        assertThat(response.retryAfter()).isEqualTo("3");
        assertThat(response.rateLimitReset()).isNotBlank();
        assertThat(ResponseClassifier.classify(response, "events", 0).serverDelay())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void tokenTravelsOnlyInTheAuthorizationHeader() throws Exception {
        String token = "p.secretTokenValue123";
        List<String> uris = new CopyOnWriteArrayList<>();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer capture =
                server(
                        exchange -> {
                            uris.add(exchange.getRequestURI().toString());
                            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
                            drain(exchange);
                            answer(exchange, 200, "{\"successful_rows\":1,\"quarantined_rows\":0}");
                        });
        EventsApiClient client = client(endpointOf(capture), token, true, Compression.NONE);

        EventsApiResponse response = await(client.send("events", lines("{\"id\":1}")));

        assertThat(response.status()).isEqualTo(200);
        assertThat(uris).singleElement().satisfies(uri -> {
            assertThat(uri).doesNotContain(token).doesNotContain("token");
            assertThat(uri).startsWith("/v0/events?").contains("name=events").contains("wait=true");
        });
        assertThat(authorizations).containsExactly("Bearer " + token);
    }

    @Test
    void toStringDoesNotRevealTheToken() {
        String token = "p.veryPrivateToken987";
        EventsApiClient client = client(emulator.endpoint(), token, true, Compression.GZIP);

        assertThat(client.toString())
                .doesNotContain(token)
                .doesNotContain("veryPrivate")
                .contains("/v0/events")
                .contains("gzip=true");
    }

    // ---- transport failures ---------------------------------------------------------------------

    @Test
    void unreachableEndpointFailsTheFutureWithAnIoException() {
        emulator.stop();
        EventsApiClient client = client(true, Compression.NONE);

        Throwable cause = awaitFailure(client.send("events", lines("{\"id\":1}")));

        assertThat(cause).isInstanceOf(IOException.class);
        assertThat(ResponseClassifier.classifyTransportFailure(cause, "events").kind())
                .isEqualTo(Outcome.Kind.RETRY);
    }

    @Test
    void droppedConnectionFailsTheFutureWithAnIoExceptionAndIsNotResentSilently() throws Exception {
        EventsApiClient client = client(true, Compression.NONE);
        // A first request leaves a pooled connection, the case where HTTP clients like to resend.
        assertThat(await(client.send("events", lines("{\"id\":0}"))).status()).isEqualTo(200);
        emulator.failNext(1, Fault.DROP_CONNECTION);

        Throwable cause = awaitFailure(client.send("events", lines("{\"id\":1}")));

        assertThat(cause).isInstanceOf(IOException.class);
        // OkHttp's own silent retry is off: every resend goes through the sink's retry policy.
        assertThat(emulator.requests()).hasSize(2);
        assertThat(emulator.requests().get(1).status()).isEqualTo(RecordedRequest.NO_RESPONSE);
        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":0}");
    }

    @Test
    void clientWorksAgainAfterATransportFailure() throws Exception {
        emulator.failNext(1, Fault.DROP_CONNECTION);
        EventsApiClient client = client(true, Compression.NONE);
        awaitFailure(client.send("events", lines("{\"id\":1}")));

        EventsApiResponse response = await(client.send("events", lines("{\"id\":2}")));

        assertThat(response.status()).isEqualTo(200);
        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":2}");
    }

    // ---- redirects ------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {301, 302, 307, 308})
    void redirectsAreNotFollowed(int status) throws Exception {
        AtomicInteger elsewhereHits = new AtomicInteger();
        HttpServer elsewhere =
                server(
                        exchange -> {
                            elsewhereHits.incrementAndGet();
                            drain(exchange);
                            answer(exchange, 200, "{\"successful_rows\":1,\"quarantined_rows\":0}");
                        });
        String location = endpointOf(elsewhere) + "/v0/events?name=events&wait=true";
        AtomicInteger redirectorHits = new AtomicInteger();
        HttpServer redirector =
                server(
                        exchange -> {
                            redirectorHits.incrementAndGet();
                            drain(exchange);
                            exchange.getResponseHeaders().set("Location", location);
                            answer(exchange, status, "");
                        });
        EventsApiClient client = client(endpointOf(redirector), TOKEN, true, Compression.NONE);

        EventsApiResponse response = await(client.send("events", lines("{\"id\":1}")));

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.location()).isEqualTo(location);
        assertThat(redirectorHits).hasValue(1);
        assertThat(elsewhereHits).as("the token must never reach another host").hasValue(0);
        assertThat(ResponseClassifier.classify(response, "events", 0).kind()).isEqualTo(Outcome.Kind.FATAL);
    }

    // ---- close ------------------------------------------------------------------------------------

    @Test
    void closeStopsTheHttpThreads() throws Exception {
        Set<Thread> before = httpThreads();
        EventsApiClient client =
                new EventsApiClient(emulator.endpoint(), TOKEN, true, Compression.GZIP, CALL_TIMEOUT, 4, USER_AGENT);
        List<CompletableFuture<EventsApiResponse>> sends = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sends.add(client.send("events", lines("{\"id\":" + i + "}")));
        }
        for (CompletableFuture<EventsApiResponse> send : sends) {
            assertThat(await(send).status()).isEqualTo(200);
        }
        Set<Thread> ours = httpThreads();
        ours.removeAll(before);
        assertThat(ours).as("the client ran its calls on tinybird-http- threads").isNotEmpty();

        client.close();

        waitUntil(
                "the client's HTTP threads have ended",
                () -> ours.stream().noneMatch(Thread::isAlive));
        Set<Thread> after = httpThreads();
        after.removeAll(before);
        assertThat(after).as("no new tinybird-http- thread remains").isEmpty();
    }

    @Test
    void closeEndsACallStillWaitingForItsAnswer() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer stalling =
                server(
                        exchange -> {
                            drain(exchange);
                            received.countDown();
                            try {
                                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            answer(exchange, 200, "{\"successful_rows\":1,\"quarantined_rows\":0}");
                        });
        EventsApiClient client =
                new EventsApiClient(endpointOf(stalling), TOKEN, true, Compression.NONE, CALL_TIMEOUT, 4, USER_AGENT);
        try {
            CompletableFuture<EventsApiResponse> pending = client.send("events", lines("{\"id\":1}"));
            assertThat(received.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("request reached the server").isTrue();

            client.close();

            // Well before the 10 s call timeout: close cancels, it does not wait for the answer.
            long started = System.nanoTime();
            assertThat(awaitFailure(pending)).isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        } finally {
            release.countDown();
        }
    }

    private static Set<Thread> httpThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("tinybird-http-") && t.isAlive())
                .collect(Collectors.toSet());
    }

    // ---- tiny servers for the tests the emulator cannot do ---------------------------------------

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private HttpServer server(Handler handler) throws IOException {
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 16);
        server.createContext(
                "/",
                exchange -> {
                    try {
                        handler.handle(exchange);
                    } finally {
                        exchange.close();
                    }
                });
        server.start();
        toClose.add(() -> server.stop(0));
        return server;
    }

    private static String endpointOf(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void drain(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Test
    void sendAfterCloseDoesNotReachTinybird() {
        EventsApiClient client =
                new EventsApiClient(emulator.endpoint(), TOKEN, true, Compression.NONE, CALL_TIMEOUT, 4, USER_AGENT);
        client.close();

        // Refused at once or failed through the future: either way nothing is sent.
        Throwable failure =
                org.assertj.core.api.Assertions.catchThrowable(
                        () -> client.send("events", lines("{\"id\":1}")).get(WAIT_SECONDS, TimeUnit.SECONDS));

        assertThat(failure).isNotNull().isNotInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(emulator.requests()).isEmpty();
        assertThat(emulator.rowCount("events")).isZero();
    }
}
