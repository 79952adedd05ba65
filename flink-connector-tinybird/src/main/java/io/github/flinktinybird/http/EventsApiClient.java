package io.github.flinktinybird.http;

import org.apache.flink.annotation.Internal;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends NDJSON requests to the Events API ({@code POST /v0/events}) without blocking the caller.
 *
 * <p>The token lives only here, in the {@code Authorization} header of each request: it has no
 * getter, is not in {@link #toString()}, and never goes into a URL (URLs end up in logs).
 * Redirects are not followed, so the token can never be sent to another host. OkHttp's own silent
 * retries are off: every resend goes through the sink's retry policy, where it is backed off,
 * bounded and counted.
 */
@Internal
public final class EventsApiClient implements AutoCloseable {
    private static final int MAX_BODY_CHARS = 64 * 1024;
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private final HttpUrl eventsUrl;
    private final String authorization;
    private final boolean wait;
    private final boolean gzip;
    private final String userAgent;
    private final OkHttpClient http;
    private final ExecutorService callbacks;
    private final DataSourceUrls urls;

    /**
     * @param endpoint the base URL, e.g. {@code https://api.tinybird.co} (validated by the caller)
     * @param token the Tinybird token (validated by the caller)
     * @param callTimeout the longest one request may take, connect to last byte
     * @param maxConcurrentRequests calls allowed at once (requests beyond it queue in OkHttp)
     */
    public EventsApiClient(
            String endpoint,
            String token,
            boolean wait,
            Compression compression,
            Duration callTimeout,
            int maxConcurrentRequests,
            String userAgent) {
        this(endpoint, token, wait, compression, callTimeout, maxConcurrentRequests, userAgent, null);
    }

    /**
     * As above, trusting the certificates {@code trustManager} trusts instead of the JVM's default
     * trust store: for endpoints with a private certificate authority, such as a TLS emulator in
     * tests. {@code null} keeps the JVM's default.
     */
    public EventsApiClient(
            String endpoint,
            String token,
            boolean wait,
            Compression compression,
            Duration callTimeout,
            int maxConcurrentRequests,
            String userAgent,
            X509TrustManager trustManager) {
        this.eventsUrl = HttpUrl.get(endpoint).newBuilder().addPathSegments("v0/events").build();
        this.authorization = "Bearer " + token;
        this.wait = wait;
        this.urls = new DataSourceUrls(eventsUrl, wait);
        this.gzip = compression == Compression.GZIP;
        this.userAgent = userAgent;
        int id = CLIENT_IDS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.callbacks =
                new ThreadPoolExecutor(
                        0,
                        Integer.MAX_VALUE,
                        60,
                        TimeUnit.SECONDS,
                        new SynchronousQueue<>(),
                        r -> {
                            Thread t = new Thread(r, "tinybird-http-" + id + "-" + threads.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        Dispatcher dispatcher = new Dispatcher(callbacks);
        dispatcher.setMaxRequests(maxConcurrentRequests);
        dispatcher.setMaxRequestsPerHost(maxConcurrentRequests);
        OkHttpClient.Builder http = new OkHttpClient.Builder();
        if (trustManager != null) {
            http.sslSocketFactory(sslSocketFactory(trustManager), trustManager);
        }
        this.http =
                http
                        .dispatcher(dispatcher)
                        .connectionPool(new ConnectionPool(maxConcurrentRequests, 50, TimeUnit.SECONDS))
                        .socketFactory(new NoDelaySocketFactory())
                        .followRedirects(false)
                        .followSslRedirects(false)
                        .retryOnConnectionFailure(false)
                        .connectTimeout(callTimeout)
                        .readTimeout(callTimeout)
                        .writeTimeout(callTimeout)
                        .callTimeout(callTimeout)
                        .build();
    }

    private static SSLSocketFactory sslSocketFactory(X509TrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS with the given trust manager", e);
        }
    }

    /**
     * Posts the lines as one request to the Data Source. The future completes on an HTTP thread
     * with the answer, or exceptionally with the {@link IOException} of a transport failure.
     */
    public CompletableFuture<EventsApiResponse> send(String dataSource, List<byte[]> lines) {
        return send(dataSource, lines, null);
    }

    /**
     * As above; {@code afterBodyWritten}, unless {@code null}, runs on the HTTP thread each time the
     * body has been written and flushed, before the answer is read: work that may wait for the
     * answer without holding the request back. It gets the gzip body as sent (a copy), or {@code
     * null} without gzip. It must not throw.
     */
    public CompletableFuture<EventsApiResponse> send(
            String dataSource, List<byte[]> lines, Consumer<byte[]> afterBodyWritten) {
        return send(dataSource, new NdjsonRequestBody(lines, gzip, afterBodyWritten));
    }

    /**
     * As above, for lines whose NDJSON bytes (each line and its newline) the caller has counted
     * already: {@code ndjsonBytes} must be exactly that, since it becomes the body's length.
     */
    public CompletableFuture<EventsApiResponse> send(
            String dataSource, List<byte[]> lines, long ndjsonBytes, Consumer<byte[]> afterBodyWritten) {
        return send(dataSource, new NdjsonRequestBody(lines, ndjsonBytes, gzip, afterBodyWritten));
    }

    private CompletableFuture<EventsApiResponse> send(String dataSource, NdjsonRequestBody body) {
        Request.Builder builder =
                new Request.Builder()
                        .url(urls.get(dataSource))
                        .header("Authorization", authorization)
                        .header("User-Agent", userAgent)
                        .post(body);
        if (gzip) {
            builder.header("Content-Encoding", "gzip");
        }
        Request request = builder.build();
        CompletableFuture<EventsApiResponse> result = new CompletableFuture<>();
        http.newCall(request)
                .enqueue(
                        new Callback() {
                            @Override
                            public void onFailure(Call call, IOException e) {
                                result.completeExceptionally(e);
                            }

                            @Override
                            public void onResponse(Call call, Response response) {
                                try (response) {
                                    result.complete(toResponse(response));
                                } catch (IOException e) {
                                    result.completeExceptionally(e);
                                } catch (RuntimeException e) {
                                    result.completeExceptionally(e);
                                }
                            }
                        });
        return result;
    }

    private static EventsApiResponse toResponse(Response response) throws IOException {
        ResponseBody body = response.body();
        String text = "";
        if (body != null) {
            // Bound what we read: only the counts or an error sentence are useful.
            okio.BufferedSource source = body.source();
            source.request(MAX_BODY_CHARS);
            long available = Math.min(source.getBuffer().size(), MAX_BODY_CHARS);
            text = source.getBuffer().readString(available, StandardCharsets.UTF_8);
        }
        return new EventsApiResponse(
                response.code(),
                response.header("Retry-After"),
                response.header("X-RateLimit-Reset"),
                response.header("Location"),
                text,
                response.header("X-RateLimit-Limit"),
                response.header("X-RateLimit-Remaining"));
    }

    /** Cancels the calls still running and stops the HTTP threads. */
    @Override
    public void close() {
        http.dispatcher().cancelAll();
        callbacks.shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "EventsApiClient{url=" + eventsUrl + ", wait=" + wait + ", gzip=" + gzip + '}';
    }
}
