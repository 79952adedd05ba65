package io.github.flinktinybird.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The limit of our own client stack: one thread, no Flink. It makes each event, writes it with
 * Jackson into an NDJSON buffer and, every 4 MiB, POSTs the buffer (gzipped if asked, at the
 * sink's deflate level, in one write) with OkHttp and waits for the answer before going on. Nothing overlaps: serialization, gzip and the HTTP
 * round trip take turns on one core.
 */
final class Ceiling {
    static final int BATCH_BYTES = 4 * 1024 * 1024;
    private static final MediaType NDJSON = MediaType.get("application/x-ndjson");

    /** Sends events {@code 0..count-1}; returns the {@code nanoTime} at which the first was made. */
    static long run(String url, long count, boolean gzip) throws IOException {
        OkHttpClient http = new OkHttpClient.Builder().socketFactory(new io.github.flinktinybird.http.NoDelaySocketFactory()).build();
        ObjectWriter writer = new ObjectMapper().writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        ByteArrayOutputStream batch = new ByteArrayOutputStream(BATCH_BYTES + 64 * 1024);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(BATCH_BYTES / 4);
        long started = System.nanoTime();
        try {
            for (long id = 0; id < count; id++) {
                writer.writeValue(batch, BenchEvent.of(id));
                batch.write('\n');
                if (batch.size() >= BATCH_BYTES || id == count - 1) {
                    post(http, url, batch, compressed, gzip);
                    batch.reset();
                }
            }
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
        return started;
    }

    private static void post(OkHttpClient http, String url, ByteArrayOutputStream batch, ByteArrayOutputStream compressed, boolean gzip)
            throws IOException {
        Request.Builder request = new Request.Builder().url(url).header("Authorization", "Bearer bench");
        if (gzip) {
            compressed.reset();
            try (GZIPOutputStream out = new FastGzip(compressed)) {
                batch.writeTo(out);
            }
            request.header("Content-Encoding", "gzip");
            request.post(RequestBody.create(compressed.toByteArray(), NDJSON));
        } else {
            request.post(RequestBody.create(batch.toByteArray(), NDJSON));
        }
        try (Response response = http.newCall(request.build()).execute()) {
            if (response.code() != 200) {
                throw new IOException("the server answered " + response.code());
            }
            response.body().string();
        }
    }

    /** The deflate level the sink uses, so that the two compare designs, not levels. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(ByteArrayOutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    private Ceiling() {}
}
