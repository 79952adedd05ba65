package io.github.flinktinybird.bench;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;

/**
 * What users hand-write today, after Tinybird's snippets: a sink that POSTs each event in its own
 * request and waits for the answer. It gets TCP_NODELAY and a pooled keep-alive connection, so it
 * is the best case of that design.
 */
final class NaiveSink implements Sink<BenchEvent> {
    private static final long serialVersionUID = 1L;
    private static final MediaType JSON = MediaType.get("application/json");

    private final String url;

    NaiveSink(String url) {
        this.url = url;
    }

    @Override
    public SinkWriter<BenchEvent> createWriter(WriterInitContext context) {
        return new Writer(url);
    }

    private static final class Writer implements SinkWriter<BenchEvent> {
        private final String url;
        private final OkHttpClient http = new OkHttpClient.Builder().socketFactory(new io.github.flinktinybird.http.NoDelaySocketFactory()).build();
        private final ObjectMapper mapper = new ObjectMapper();

        Writer(String url) {
            this.url = url;
        }

        @Override
        public void write(BenchEvent element, Context context) throws IOException {
            Request request =
                    new Request.Builder()
                            .url(url)
                            .header("Authorization", "Bearer bench")
                            .post(RequestBody.create(mapper.writeValueAsBytes(element), JSON))
                            .build();
            try (Response response = http.newCall(request).execute()) {
                if (response.code() != 200) {
                    throw new IOException("the server answered " + response.code());
                }
                response.body().string();
            }
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }
}
