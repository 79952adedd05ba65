package io.github.flinktinybird.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** The {@link CountingServer} in a child JVM, and the calls that read and reset its counters. */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final int port;
    private final HttpClient control = HttpClient.newHttpClient();

    /** What the server counted since the last reset. */
    static final class Stats {
        final long lines;
        final long requests;
        final long bodyBytes;
        final long ndjsonBytes;
        final long lastAnswerNanos;
        /** The server JVM's time spent compiling since it started. */
        final long jitMillis;

        Stats(String text) {
            String[] f = text.trim().split(" ");
            lines = Long.parseLong(f[0]);
            requests = Long.parseLong(f[1]);
            bodyBytes = Long.parseLong(f[2]);
            ndjsonBytes = Long.parseLong(f[3]);
            lastAnswerNanos = Long.parseLong(f[4]);
            jitMillis = Long.parseLong(f[5]);
        }
    }

    ServerProcess(int threads) throws IOException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        process =
                new ProcessBuilder(
                                List.of(
                                        java.toString(),
                                        "-Xmx1g",
                                        "-XX:+UseParallelGC",
                                        "-Dsun.net.httpserver.nodelay=true",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        CountingServer.class.getName(),
                                        Integer.toString(threads)))
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        stdin = process.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("port=")) {
            process.destroy();
            throw new IOException("the counting server did not start: " + line);
        }
        port = Integer.parseInt(line.substring(5).trim());
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    String eventsUrl() {
        return endpoint() + "/v0/events?name=bench_events&wait=true";
    }

    void reset(boolean recordLatency) throws IOException, InterruptedException {
        call("POST", "/reset" + (recordLatency ? "?record=1" : ""));
    }

    Stats stats() throws IOException, InterruptedException {
        return new Stats(call("GET", "/stats"));
    }

    String latencyRows() throws IOException, InterruptedException {
        return call("GET", "/latency");
    }

    /**
     * Checks that this JVM and the server's read the same monotonic clock (both use
     * CLOCK_MONOTONIC on Linux), which the latency figures rely on.
     */
    void checkSharedClock() throws IOException, InterruptedException {
        for (int i = 0; i < 5; i++) {
            long before = System.nanoTime();
            long there = Long.parseLong(call("GET", "/now").trim());
            long after = System.nanoTime();
            if (there < before || there > after) {
                throw new IllegalStateException("the server's nanoTime is not this JVM's: latency cannot be measured across processes");
            }
        }
    }

    Wait waitFor(long lines, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            Stats s = stats();
            if (s.lines >= lines) {
                return new Wait(s, true);
            }
            if (System.currentTimeMillis() > deadline) {
                return new Wait(s, false);
            }
            Thread.sleep(20);
        }
    }

    static final class Wait {
        final Stats stats;
        final boolean complete;

        Wait(Stats stats, boolean complete) {
            this.stats = stats;
            this.complete = complete;
        }
    }

    private String call(String method, String path) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(endpoint() + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build();
        HttpResponse<String> response = control.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode());
        }
        return response.body();
    }

    @Override
    public void close() throws IOException {
        stdin.close();
        process.destroy();
    }
}
