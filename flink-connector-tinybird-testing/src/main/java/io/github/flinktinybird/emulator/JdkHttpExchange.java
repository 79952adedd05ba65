package io.github.flinktinybird.emulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** Adapts the JDK server's {@link HttpExchange} (HTTP/1.1, plain or TLS) to {@link EmulatorExchange}. */
final class JdkHttpExchange implements EmulatorExchange {

    private final HttpExchange exchange;

    JdkHttpExchange(HttpExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public String method() {
        return exchange.getRequestMethod();
    }

    @Override
    public String path() {
        return exchange.getRequestURI().getPath();
    }

    @Override
    public String rawQuery() {
        return exchange.getRequestURI().getRawQuery();
    }

    @Override
    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    @Override
    public InputStream body() {
        return exchange.getRequestBody();
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void drop() {
        // Closing an exchange whose response headers were never sent closes the socket.
        exchange.close();
    }

    @Override
    public void close() {
        exchange.close();
    }
}
