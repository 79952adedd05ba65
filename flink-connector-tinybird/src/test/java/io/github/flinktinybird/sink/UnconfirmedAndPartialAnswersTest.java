package io.github.flinktinybird.sink;

import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.testutil.LogCapture;
import io.github.flinktinybird.testutil.StubEndpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers that are not a plain commit but must not be resent either: a 202 to a {@code wait=true}
 * request (accepted, commit not confirmed) and a 422 (written, a Materialized View failed). Each is
 * counted where a user can see it, and logged without flooding the TaskManager log.
 */
class UnconfirmedAndPartialAnswersTest {

    record Event(long id) {}

    private static final int REQUESTS = 20;
    private static final int ROWS_PER_REQUEST = 5;
    private static final String COUNTS = "{\"successful_rows\":5,\"quarantined_rows\":0}";

    private final List<TinybirdSinkWriter<Event>> writers = new ArrayList<>();
    private final List<StubEndpoint> endpoints = new ArrayList<>();
    private final WriterTestContext context = new WriterTestContext();

    @AfterEach
    void close() {
        writers.forEach(TinybirdSinkWriter::close);
        endpoints.forEach(StubEndpoint::close);
    }

    private StubEndpoint answering(int status, String body) {
        StubEndpoint endpoint = StubEndpoint.answering(status, body, Map.of());
        endpoints.add(endpoint);
        return endpoint;
    }

    private TinybirdSinkWriter<Event> open(StubEndpoint endpoint, boolean wait) {
        TinybirdSinkWriter<Event> writer = TinybirdSink.<Event>builder()
                .setEndpoint(endpoint.endpoint())
                .setToken("p.unconfirmed-test-token")
                .setDataSource("events")
                .setWait(wait)
                .setCompression(Compression.NONE)
                .setMaxBatchSize(10)
                .setMaxBufferedRequests(100)
                .setMaxTimeInBufferMS(3_600_000)
                .setRequestTimeout(Duration.ofSeconds(10))
                .setRetryPolicy(RetryPolicy.builder().maxAttempts(3)
                        .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20)).build())
                .setErrorPolicy(ErrorPolicy.discard())
                .build()
                .restoreWriter(context, Collections.emptyList());
        writers.add(writer);
        return writer;
    }

    /** {@link #REQUESTS} requests of {@link #ROWS_PER_REQUEST} rows, one after the other. */
    private static List<String> sendRequests(TinybirdSinkWriter<Event> writer) throws Exception {
        try (LogCapture logs = LogCapture.all()) {
            long id = 0;
            for (int request = 0; request < REQUESTS; request++) {
                for (int row = 0; row < ROWS_PER_REQUEST; row++) {
                    writer.write(new Event(id++), NO_CONTEXT);
                }
                writer.flush(true);
            }
            return logs.lines();
        }
    }

    @Test
    void a202ToAWaitRequestIsCountedApartFromCommitsWarnedOnceAndNotResent() throws Exception {
        StubEndpoint endpoint = answering(202, COUNTS);
        List<String> logLines = sendRequests(open(endpoint, true));

        assertThat(context.counter("rowsAcceptedUnconfirmed")).isEqualTo(REQUESTS * ROWS_PER_REQUEST);
        assertThat(context.counter("rowsCommitted")).as("a 202 is no commit under wait=true").isZero();
        assertThat(endpoint.requests()).as("never resent: rows that did land would be duplicated").isEqualTo(REQUESTS);
        assertThat(logLines.stream().filter(line -> line.contains("commit not confirmed")))
                .as("one WARN for a stream of 202s, not one per request")
                .hasSize(1)
                .allMatch(line -> line.contains("rowsAcceptedUnconfirmed") && line.contains("'events'"));
    }

    @Test
    void a202WithoutCountsIsStillCountedApart() throws Exception {
        StubEndpoint endpoint = answering(202, "");
        sendRequests(open(endpoint, true));

        assertThat(context.counter("rowsAcceptedUnconfirmed")).isEqualTo(REQUESTS * ROWS_PER_REQUEST);
        assertThat(context.counter("rowsCommitted")).isZero();
    }

    @Test
    void a202IsTheExpectedAnswerWhenTheJobDoesNotWait() throws Exception {
        StubEndpoint endpoint = answering(202, COUNTS);
        List<String> logLines = sendRequests(open(endpoint, false));

        assertThat(context.counter("rowsCommitted")).isEqualTo(REQUESTS * ROWS_PER_REQUEST);
        assertThat(context.counter("rowsAcceptedUnconfirmed")).isZero();
        assertThat(logLines).noneMatch(line -> line.contains("commit not confirmed"));
    }

    @Test
    void a200ToAWaitRequestIsACommit() throws Exception {
        StubEndpoint endpoint = answering(200, COUNTS);
        sendRequests(open(endpoint, true));

        assertThat(context.counter("rowsCommitted")).isEqualTo(REQUESTS * ROWS_PER_REQUEST);
        assertThat(context.counter("rowsAcceptedUnconfirmed")).isZero();
    }

    @Test
    void aStreamOf422sIsLoggedAtErrorOnceNotOncePerRequest() throws Exception {
        StubEndpoint endpoint = answering(422, "{\"error\":\"materialized view mv_daily failed\"}");
        List<String> logLines = sendRequests(open(endpoint, true));

        assertThat(context.counter("requestsPartiallyIngested")).isEqualTo(REQUESTS);
        assertThat(context.counter("rowsCommitted")).as("the rows are in the landing Data Source").isEqualTo(REQUESTS * ROWS_PER_REQUEST);
        assertThat(endpoint.requests()).as("never resent").isEqualTo(REQUESTS);
        assertThat(logLines.stream().filter(line -> line.contains("Materialized View")))
                .hasSize(1)
                .allMatch(line -> line.contains("mv_daily failed") && line.contains("not resent"));
    }
}
