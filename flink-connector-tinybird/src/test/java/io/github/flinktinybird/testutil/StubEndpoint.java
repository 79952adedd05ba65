package io.github.flinktinybird.testutil;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An endpoint on loopback that answers every request with one fixed status, body and headers: for
 * answers the emulator does not give (a 200 that is not JSON, a redirect, a 401, a TLS server).
 */
public final class StubEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger authorized = new AtomicInteger();
    private volatile int status;
    private volatile String body;
    private volatile Map<String, String> headers;

    private StubEndpoint(SSLContext tls, int status, String body, Map<String, String> headers) {
        this.status = status;
        this.body = body;
        this.headers = headers;
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
            if (tls != null) {
                HttpsServer https = HttpsServer.create(address, 16);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            } else {
                server = HttpServer.create(address, 16);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stub-endpoint");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                authorized.incrementAndGet();
            }
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = this.body.getBytes(StandardCharsets.UTF_8);
            this.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(this.status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** A plain-HTTP endpoint answering {@code status} with {@code body}. */
    public static StubEndpoint answering(int status, String body, Map<String, String> headers) {
        return new StubEndpoint(null, status, body, headers);
    }

    /** An HTTPS endpoint with the given TLS context (e.g. a certificate no JVM trusts). */
    public static StubEndpoint tls(SSLContext tls) {
        return new StubEndpoint(tls, 200, "{\"successful_rows\":0,\"quarantined_rows\":0}", Map.of());
    }

    public String endpoint() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /** Requests that carried an {@code Authorization} header. */
    public int authorizedRequests() {
        return authorized.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
