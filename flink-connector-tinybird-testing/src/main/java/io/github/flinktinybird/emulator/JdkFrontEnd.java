package io.github.flinktinybird.emulator;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

/** The HTTP/1.1 front-end on the JDK's {@code com.sun.net.httpserver}, plain or over TLS. */
final class JdkFrontEnd implements EmulatorFrontEnd {

    private final EventsHandler handler;
    private final ExecutorService executor;
    /** Null for plain HTTP. */
    private final SSLContext tls;
    private HttpServer server;

    JdkFrontEnd(EventsHandler handler, ExecutorService executor, SSLContext tls) {
        this.handler = handler;
        this.executor = executor;
        this.tls = tls;
    }

    @Override
    public int start(InetSocketAddress address) {
        try {
            HttpServer created;
            if (tls != null) {
                HttpsServer https = HttpsServer.create(address, 128);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                created = https;
            } else {
                created = HttpServer.create(address, 128);
            }
            created.createContext("/", exchange -> handler.handle(new JdkHttpExchange(exchange)));
            created.setExecutor(executor);
            created.start();
            server = created;
            return created.getAddress().getPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the Events API emulator to " + address, e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }
}
