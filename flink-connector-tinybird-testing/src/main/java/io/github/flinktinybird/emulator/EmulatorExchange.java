package io.github.flinktinybird.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * One request as a front-end (the JDK's HTTP/1.1 server, or the Netty TLS + HTTP/2 server) hands
 * it to {@link EventsHandler}, so that both serve exactly the same Events API logic.
 */
interface EmulatorExchange {

    String method();

    /** The path without the query. */
    String path();

    /** The raw (still percent-encoded) query, or null. */
    String rawQuery();

    /** The first value of a request header, matched case-insensitively, or null. */
    String header(String name);

    /** The raw request body (possibly gzip); read at most once. */
    InputStream body();

    /** Sends the whole answer; the exchange is finished afterwards. */
    void respond(int status, Map<String, String> headers, byte[] body) throws IOException;

    /** Ends the request without any answer, closing its connection. */
    void drop();

    /** Releases what the front-end holds for the request, if {@link #respond} or {@link #drop} did not. */
    void close();
}
