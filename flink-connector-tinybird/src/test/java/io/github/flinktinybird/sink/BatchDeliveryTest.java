package io.github.flinktinybird.sink;

import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;

import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.error.TinybirdSinkException;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.testutil.LogCapture;
import io.github.flinktinybird.testutil.StubEndpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Answers a batch's delivery cannot take at face value, and endpoints that cannot be reached. */
class BatchDeliveryTest {

    record Event(long id) {}

    private static final String TOKEN = "p.batch-delivery-test-token";

    private final List<TinybirdSinkWriter<Event>> writers = new ArrayList<>();
    private final List<StubEndpoint> endpoints = new ArrayList<>();
    private WriterTestContext context = new WriterTestContext();

    @AfterEach
    void close() {
        writers.forEach(TinybirdSinkWriter::close);
        endpoints.forEach(StubEndpoint::close);
    }

    private StubEndpoint stub(StubEndpoint endpoint) {
        endpoints.add(endpoint);
        return endpoint;
    }

    private TinybirdSinkWriter<Event> open(String endpoint, int maxAttempts) {
        TinybirdSinkWriter<Event> writer = TinybirdSink.<Event>builder()
                .setEndpoint(endpoint)
                .setToken(TOKEN)
                .setDataSource("events")
                .setCompression(Compression.NONE)
                .setMaxBatchSize(10)
                .setMaxBufferedRequests(100)
                .setMaxTimeInBufferMS(3_600_000)
                .setRequestTimeout(Duration.ofSeconds(10))
                .setRetryPolicy(RetryPolicy.builder().maxAttempts(maxAttempts)
                        .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20)).build())
                .setErrorPolicy(ErrorPolicy.discard())
                .build()
                .restoreWriter(context, Collections.emptyList());
        writers.add(writer);
        return writer;
    }

    private static void write(TinybirdSinkWriter<Event> writer, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            writer.write(new Event(i), NO_CONTEXT);
        }
    }

    @Test
    void a200WhoseBodyIsNotJsonOrLacksTheCountsCountsTheRowsAsCommittedAndSaysSo() throws Exception {
        for (String body : new String[] {"OK", "{\"status\":\"done\"}"}) {
            context = new WriterTestContext();
            StubEndpoint endpoint = stub(StubEndpoint.answering(200, body, Map.of()));
            TinybirdSinkWriter<Event> writer = open(endpoint.endpoint(), 3);
            List<String> logLines;
            try (LogCapture logs = LogCapture.all()) {
                write(writer, 5);
                writer.flush(true);
                logLines = logs.lines();
            }

            assertThat(endpoint.requests()).as("a 200 is a commit: never resent").isEqualTo(1);
            assertThat(logLines).anyMatch(line -> line.contains("has no row counts") && line.contains(body));
            assertThat(context.counter("rowsCommitted")).isEqualTo(5);
        }
    }

    @Test
    void aRedirectIsNeverFollowedSoTheTokenNeverReachesAnotherHost() throws Exception {
        StubEndpoint elsewhere = stub(StubEndpoint.answering(200, "{\"successful_rows\":5,\"quarantined_rows\":0}", Map.of()));
        for (int status : new int[] {301, 302, 307, 308}) {
            StubEndpoint redirecting = stub(StubEndpoint.answering(status, "",
                    Map.of("Location", elsewhere.endpoint() + "/v0/events?name=events&wait=true")));
            TinybirdSinkWriter<Event> writer = open(redirecting.endpoint(), 3);
            write(writer, 5);

            Throwable failure = catchThrowable(() -> writer.flush(true));

            assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                    .as("fails even under DISCARD: no record could be delivered").isPresent();
            assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class)).hasValueSatisfying(e ->
                    assertThat(e.getMessage()).contains("redirect (" + status, "never follows redirects", elsewhere.endpoint())
                            .doesNotContain(TOKEN));
            assertThat(redirecting.requests()).isEqualTo(1);
        }
        assertThat(elsewhere.requests()).as("requests that reached the redirect target").isZero();
        assertThat(context.counter("recordsDiscarded")).isZero();
    }

    @Test
    void aHostThatDoesNotResolveIsRetriedThenHandedToTheErrorPolicyNamingDns() throws Exception {
        TinybirdSinkWriter<Event> writer = open("https://no-such-host.invalid", 2);
        List<String> logLines;
        try (LogCapture logs = LogCapture.all()) {
            write(writer, 5);
            writer.flush(true);
            logLines = logs.lines();
        }

        assertThat(context.counter("recordsDiscarded")).isEqualTo(5);
        assertThat(logLines).anyMatch(line -> line.contains("could not be resolved") && line.contains("check the endpoint and DNS"));
    }

    @Test
    void aFailedTlsHandshakeFailsTheJobWithoutSendingAnythingUnderAnyPolicy(@TempDir Path dir) throws Exception {
        StubEndpoint untrusted = stub(StubEndpoint.tls(selfSignedTls(dir)));
        TinybirdSinkWriter<Event> writer = open(untrusted.endpoint(), 3);
        write(writer, 5);

        Throwable failure = catchThrowable(() -> writer.flush(true));

        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class)).isPresent();
        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class)).hasValueSatisfying(e ->
                assertThat(e.getMessage()).contains("TLS handshake", "certificate").doesNotContain(TOKEN));
        assertThat(untrusted.requests()).as("no request got past the handshake").isZero();
        assertThat(context.counter("recordsDiscarded")).isZero();
    }

    @Test
    void theRequestTimeoutBoundsABatchSoFlinkNeverResendsHalvesAlreadyCommitted() throws Exception {
        // The worst case validation allows: the longest backoff (half of a 6 s request timeout, as
        // is an HTTP call) and a batch that Tinybird answers 413 slowly twice over, so that its
        // quarters start after 5 s; one quarter then never answers. Past 6 s Flink's own timer
        // would have put the whole batch back, committed quarters included.
        java.util.Set<Long> hungOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Map<Long, Integer> committed = new java.util.concurrent.ConcurrentHashMap<>();
        com.sun.net.httpserver.HttpServer server =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            List<Long> ids = new ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":(\\d+)").matcher(body);
            while (m.find()) {
                ids.add(Long.parseLong(m.group(1)));
            }
            String answer;
            int status;
            try {
                if (ids.size() > 3) {
                    Thread.sleep(2_500);
                    status = 413;
                    answer = "{\"error\":\"too large\"}";
                } else if (ids.contains(9L) && hungOnce.add(9L)) {
                    Thread.sleep(10_000); // past the request timeout: the client is gone
                    status = 500;
                    answer = "{}";
                } else {
                    ids.forEach(id -> committed.merge(id, 1, Integer::sum));
                    status = 200;
                    answer = "{\"successful_rows\":" + ids.size() + ",\"quarantined_rows\":0}";
                }
            } catch (InterruptedException e) {
                return;
            }
            byte[] bytes = answer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try {
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            } catch (java.io.IOException clientGone) {
                // the sink gave up on this call
            }
            exchange.close();
        });
        server.start();
        try {
            TinybirdSinkWriter<Event> writer = TinybirdSink.<Event>builder()
                    .setEndpoint("http://127.0.0.1:" + server.getAddress().getPort())
                    .setToken(TOKEN)
                    .setDataSource("events")
                    .setCompression(Compression.NONE)
                    .setMaxBatchSize(10)
                    .setMaxBufferedRequests(100)
                    .setMaxTimeInBufferMS(3_600_000)
                    .setRequestTimeout(Duration.ofSeconds(6))
                    .setRetryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofSeconds(3)).maxBackoff(Duration.ofSeconds(3)).jitter(0).build())
                    .build()
                    .restoreWriter(context, Collections.emptyList());
            writers.add(writer);
            write(writer, 10);

            // Flink's request timer runs on the test's manual clock: keep it in step with real time.
            org.apache.flink.api.common.operators.MailboxExecutor mailbox = context.getMailboxExecutor();
            long[] clock = {System.nanoTime()};
            io.github.flinktinybird.testutil.Deadline.await("every record committed", Duration.ofSeconds(30), () -> {
                try {
                    while (mailbox.tryYield()) {
                        // run the task thread's mails
                    }
                    long now = System.nanoTime();
                    context.getTestProcessingTimeService().advance((now - clock[0]) / 1_000_000);
                    clock[0] += (now - clock[0]) / 1_000_000 * 1_000_000;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return committed.size() == 10;
            });
            writer.flush(true);

            assertThat(committed.keySet()).as("every record delivered").containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(committed).as("no committed quarter sent again").allSatisfy((id, times) -> assertThat(times).as("id " + id).isEqualTo(1));
        } finally {
            server.stop(0);
        }
    }

    /** A TLS server context with a self-signed certificate, which no JVM trusts by default. */
    private static SSLContext selfSignedTls(Path dir) throws Exception {
        Path keystore = dir.resolve("stub.p12");
        Process keytool = new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "stub", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        return tls;
    }
}
