package io.github.flinktinybird.examples;

import com.sun.net.httpserver.HttpServer;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The read-back of a real-Tinybird run, against a loopback stand-in for the Query API. */
class TinybirdReadBackTest {
    private HttpServer server;
    private final AtomicReference<String> query = new AtomicReference<>();
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private volatile int status = 200;
    private volatile String body = "";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/v0/sql", exchange -> {
            query.set(URLDecoder.decode(exchange.getRequestURI().getRawQuery().substring(2), StandardCharsets.UTF_8));
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void countsTheRunsRowsWithTheToken() {
        body = "{\"meta\":[],\"data\":[{\"rows\":\"1000\",\"events\":\"1000\"}],\"rows\":1}";

        String printed = readBack(1000);

        assertThat(query.get()).isEqualTo(TinybirdReadBack.query("web_events", "run_1"))
                .contains("FROM web_events", "WHERE run_id = 'run_1'");
        assertThat(authorization.get()).isEqualTo("Bearer p.token");
        assertThat(printed).contains("1,000 rows, 1,000 distinct event ids (1,000 expected)", "Every event arrived.");
    }

    @Test
    void missingEventsPointToTheQuarantine() {
        body = "{\"data\":[{\"rows\":\"990\",\"events\":\"990\"}]}";

        assertThat(readBack(1000)).contains("990 distinct event ids", "web_events_quarantine");
    }

    @Test
    void anAppendOnlyTokenGetsTheQueryToRunByHand() {
        status = 403;
        body = "{\"error\":\"Forbidden\"}";

        assertThat(readBack(1000))
                .contains("HTTP 403", "DATASOURCE:READ", "SELECT count() AS rows")
                .doesNotContain("p.token");
    }

    @Test
    void withTheTokenOnlyOnTheTaskManagersTheQueryIsPrintedToRunByHand() {
        Configuration config = ProgramArguments.toConfiguration(
                "-Dendpoint=http://127.0.0.1:" + server.getAddress().getPort(), "-Dtoken.env-var=TINYBIRD_TOKEN");
        TinybirdTarget target = TinybirdTarget.configured(config, Map.of()).orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        TinybirdReadBack.print(target, "run_1", 1000, new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Not reading back", "token.env-var", "SELECT count() AS rows");
        assertThat(authorization.get()).as("no query was sent").isNull();
    }

    private String readBack(long expected) {
        Configuration config = ProgramArguments.toConfiguration("-Dendpoint=http://127.0.0.1:" + server.getAddress().getPort());
        TinybirdTarget target = TinybirdTarget.configured(config, Map.of("TINYBIRD_TOKEN", "p.token")).orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TinybirdReadBack.print(target, "run_1", expected, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
