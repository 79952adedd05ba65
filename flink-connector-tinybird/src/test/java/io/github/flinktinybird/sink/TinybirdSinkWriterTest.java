package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.emulator.RecordedRequest;
import io.github.flinktinybird.error.DeadLetter;
import io.github.flinktinybird.error.DeadLetterHandler;
import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.error.TinybirdSinkException;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.testutil.Deadline;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The writer driven directly, as Flink's task would, against the local Events API over loopback.
 */
class TinybirdSinkWriterTest {

    /** The element type: a Java record, written with the default Jackson serialization. */
    record Event(long id, String type, String payload) {
        Event(long id) {
            this(id, "view", "p");
        }
    }

    private EventsApiEmulator emulator;
    private WriterTestContext context;
    private final List<TinybirdSinkWriter<Event>> writers = new ArrayList<>();

    @BeforeEach
    void startEmulator() {
        emulator = EventsApiEmulator.builder().faultPlan(FaultPlan.builder().retryAfterSeconds(1).build()).start();
        context = new WriterTestContext();
    }

    @AfterEach
    void stop() {
        writers.forEach(TinybirdSinkWriter::close);
        emulator.close();
    }

    private TinybirdSinkBuilder<Event> sink() {
        return TinybirdSink.<Event>builder()
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource("events")
                .setCompression(Compression.NONE)
                .setMaxBatchSize(10)
                .setMaxBufferedRequests(1_000)
                .setMaxTimeInBufferMS(3_600_000)
                .setRetryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50)).build());
    }

    private TinybirdSinkWriter<Event> open(TinybirdSinkBuilder<Event> builder) {
        return open(builder, Collections.emptyList());
    }

    private TinybirdSinkWriter<Event> open(TinybirdSinkBuilder<Event> builder, List<BufferedRequestState<TinybirdRecord>> state) {
        TinybirdSinkWriter<Event> writer = builder.build().restoreWriter(context, state);
        writers.add(writer);
        return writer;
    }

    private static void write(TinybirdSinkWriter<Event> writer, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            writer.write(new Event(i), NO_CONTEXT);
        }
    }

    private List<Long> ids(String dataSource) {
        return emulator.rows(dataSource).stream().map(row -> row.get("id").asLong()).sorted().collect(Collectors.toList());
    }

    private static List<Long> range(int from, int to) {
        return IntStream.range(from, to).mapToObj(Long::valueOf).collect(Collectors.toList());
    }

    private List<Integer> statuses() {
        return emulator.requests().stream().map(RecordedRequest::status).collect(Collectors.toList());
    }

    // ---- batching -----------------------------------------------------------------------------

    @Test
    void batchesByRecordCount() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink());
        write(writer, 0, 25);
        writer.flush(true);

        assertThat(ids("events")).isEqualTo(range(0, 25));
        assertThat(emulator.requests()).extracting(RecordedRequest::lineCount).containsExactlyInAnyOrder(10, 10, 5);
        assertThat(context.counter("rowsCommitted")).isEqualTo(25);
        assertThat(context.counter("requestsCommitted")).isEqualTo(3);
    }

    @Test
    void batchesByBytes() throws Exception {
        // Each line of Event(i) for i < 10 is {"id":i,"type":"view","payload":"p"} = 36 bytes + newline.
        TinybirdSinkWriter<Event> writer = open(sink().setMaxBatchSizeInBytes(37 * 3).setMaxRecordSizeInBytes(100));
        write(writer, 0, 9);
        writer.flush(true);

        assertThat(ids("events")).isEqualTo(range(0, 9));
        assertThat(emulator.requests()).allSatisfy(r -> assertThat(r.bodyBytes()).isLessThanOrEqualTo(37 * 3));
        assertThat(emulator.requests()).hasSize(3);
    }

    @Test
    void sendsABatchWhenMaxTimeInBufferPasses() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setMaxTimeInBufferMS(500));
        write(writer, 0, 3);
        assertThat(emulator.requests()).as("nothing sent before the buffer time passed").isEmpty();

        context.getTestProcessingTimeService().advance(500);

        Deadline.await("3 rows after the buffer time", Duration.ofSeconds(10), () -> emulator.rowCount("events") == 3);
        writer.flush(false);
        assertThat(emulator.requests()).hasSize(1);
    }

    @Test
    void countsAreExactWhenManyAnswersArriveAtOnce() throws Exception {
        // One record per request and many in flight: thousands of answers counted on HTTP threads
        // at the same time. A plain counter loses increments here.
        TinybirdSinkWriter<Event> writer = open(sink().setMaxBatchSize(1).setMaxInFlightRequests(32).setMaxBufferedRequests(10_000)
                .setRetryPolicy(RetryPolicy.builder().maxAttempts(1_000).initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5)).build()));
        emulator.failNext(500, Fault.UNAVAILABLE_503);
        write(writer, 0, 4_000);
        writer.flush(true);

        assertThat(ids("events")).isEqualTo(range(0, 4_000));
        assertThat(context.counter("rowsCommitted")).isEqualTo(4_000);
        assertThat(context.counter("requestsCommitted")).isEqualTo(4_000);
        assertThat(context.counter("requestsRetry")).isEqualTo(500);
        assertThat(context.counter("recordsRetried")).isEqualTo(500);
        assertThat(context.numRecordsSendErrors()).isEqualTo(500);
        assertThat(context.histogram("requestLatencyMs").getCount()).isEqualTo(4_500);
    }

    // ---- request shape ------------------------------------------------------------------------

    @Test
    void gzipAndWaitAreSentAsConfigured() throws Exception {
        TinybirdSinkWriter<Event> gzipWaiting = open(sink().setCompression(Compression.GZIP).setWait(true));
        write(gzipWaiting, 0, 10);
        gzipWaiting.flush(true);
        TinybirdSinkWriter<Event> plainNoWait = open(sink().setCompression(Compression.NONE).setWait(false));
        write(plainNoWait, 10, 20);
        plainNoWait.flush(true);

        List<RecordedRequest> requests = emulator.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).gzip()).isTrue();
        assertThat(requests.get(0).waitRequested()).isTrue();
        assertThat(requests.get(0).status()).isEqualTo(200);
        assertThat(requests.get(1).gzip()).isFalse();
        assertThat(requests.get(1).waitRequested()).isFalse();
        assertThat(requests.get(1).status()).isEqualTo(202);
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.contentType()).isEqualTo("application/x-ndjson");
            assertThat(r.userAgent()).startsWith("flink-connector-tinybird/");
            assertThat(r.authorizationPresent()).isTrue();
        });
        assertThat(ids("events")).isEqualTo(range(0, 20));
    }

    @Test
    void routesEachRecordToItsDataSourceWithOneRequestPerDataSource() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setDataSource(null).setDataSourceSelector(e -> "events_" + e.type()));
        for (int i = 0; i < 10; i++) {
            writer.write(new Event(i, i % 2 == 0 ? "view" : "click", "p"), NO_CONTEXT);
        }
        writer.flush(true);

        assertThat(emulator.rows("events_view")).extracting(r -> r.get("id").asInt()).containsExactly(0, 2, 4, 6, 8);
        assertThat(emulator.rows("events_click")).extracting(r -> r.get("id").asInt()).containsExactly(1, 3, 5, 7, 9);
        assertThat(emulator.requests()).extracting(RecordedRequest::dataSource).containsExactlyInAnyOrder("events_view", "events_click");
    }

    @Test
    void retriesOnlyTheDataSourceWhoseRequestFailed() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setDataSource(null).setDataSourceSelector(e -> "events_" + e.type()));
        emulator.failNext(1, Fault.UNAVAILABLE_503);
        for (int i = 0; i < 10; i++) {
            writer.write(new Event(i, i % 2 == 0 ? "view" : "click", "p"), NO_CONTEXT);
        }
        writer.flush(true);

        // Whichever request took the 503 was resent; the other was not: no duplicates anywhere.
        assertThat(emulator.rows("events_view")).hasSize(5);
        assertThat(emulator.rows("events_click")).hasSize(5);
        assertThat(emulator.requests()).hasSize(3);
    }

    // ---- retries ------------------------------------------------------------------------------

    @Test
    void retriesServerErrorsAndTransportFailuresUntilDelivered() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink());
        emulator.failNext(1, Fault.UNAVAILABLE_503);
        emulator.failNext(1, Fault.BAD_GATEWAY_502);
        emulator.failNext(1, Fault.DROP_CONNECTION);
        emulator.failNext(1, Fault.GATEWAY_TIMEOUT_504);
        write(writer, 0, 10);
        writer.flush(true);

        assertThat(ids("events")).isEqualTo(range(0, 10));
        assertThat(statuses()).containsExactly(503, 502, RecordedRequest.NO_RESPONSE, 504, 200);
        assertThat(context.counter("recordsRetried")).isEqualTo(40);
        assertThat(context.numRecordsSendErrors()).isEqualTo(40);
    }

    @Test
    void waitsForRetryAfterOnRateLimit() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setRetryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofSeconds(5)).build()));
        emulator.failNext(1, Fault.RATE_LIMITED);
        write(writer, 0, 10);
        writer.flush(true);

        List<RecordedRequest> requests = emulator.requests();
        assertThat(requests).extracting(RecordedRequest::status).containsExactly(429, 200);
        assertThat(Duration.ofNanos(requests.get(1).arrivalNanos() - requests.get(0).arrivalNanos()))
                .as("the resend waited for Retry-After: 1")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(context.counter("requestsRateLimited")).isEqualTo(1);
        assertThat(ids("events")).isEqualTo(range(0, 10));
    }

    @Test
    void committedThen500IsResentSoRowsAreDuplicatedNotLost() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink());
        emulator.failNext(1, Fault.COMMITTED_THEN_500);
        write(writer, 0, 10);
        writer.flush(true);

        List<Long> doubled = new ArrayList<>(range(0, 10));
        doubled.addAll(range(0, 10));
        Collections.sort(doubled);
        assertThat(ids("events")).isEqualTo(doubled);
    }

    @Test
    void exhaustedRetriesFailTheJobInAWayFlinkMayRestart() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setRetryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(10)).build()));
        emulator.failNext(3, Fault.SERVER_ERROR_500);
        write(writer, 0, 10);

        Throwable failure = catchThrowable(() -> writer.flush(true));

        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class))
                .hasValueSatisfying(e -> assertThat(e.getMessage()).contains("after 3 attempts", "'events'", "500"));
        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                .as("a passing failure lets Flink's restart strategy replay from the checkpoint")
                .isEmpty();
        assertThat(statuses()).containsExactly(500, 500, 500);
    }

    @Test
    void exhaustedRetriesGoToTheDeadLetterHandler() throws Exception {
        RecordingDeadLetters letters = new RecordingDeadLetters();
        TinybirdSinkWriter<Event> writer = open(sink()
                .setRetryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(10)).build())
                .setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        emulator.failNext(2, Fault.UNAVAILABLE_503);
        write(writer, 0, 10);
        writer.flush(true);
        write(writer, 10, 20);
        writer.flush(true);

        assertThat(letters.lines()).hasSize(10).allSatisfy(line -> assertThat(line).startsWith("{\"id\":"));
        assertThat(letters.letters.get(0).getReason()).contains("gave up", "2 attempts", "503");
        assertThat(ids("events")).as("the job went on").isEqualTo(range(10, 20));
        assertThat(context.counter("recordsDeadLettered")).isEqualTo(10);
    }

    // ---- 413 ----------------------------------------------------------------------------------

    @Test
    void splitsARequestTinybirdFindsTooLarge() throws Exception {
        emulator.close();
        emulator = EventsApiEmulator.builder().maxRequestBytes(100).start();
        TinybirdSinkWriter<Event> writer = open(sink());
        write(writer, 0, 10); // 10 lines of 37 bytes: 370 bytes, split down to parts of at most 2 lines

        writer.flush(true);

        assertThat(ids("events")).isEqualTo(range(0, 10));
        assertThat(statuses()).contains(413).contains(200);
        assertThat(emulator.requests()).filteredOn(r -> r.status() == 200).allSatisfy(r -> assertThat(r.bodyBytes()).isLessThanOrEqualTo(100));
        assertThat(context.counter("requestsSplit")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aSingleRecordOverTinybirdsLimitGoesToTheErrorPolicy() throws Exception {
        emulator.close();
        emulator = EventsApiEmulator.builder().maxRequestBytes(200).start();
        RecordingDeadLetters letters = new RecordingDeadLetters();
        TinybirdSinkWriter<Event> writer = open(sink().setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        writer.write(new Event(1, "view", "x".repeat(300)), NO_CONTEXT);
        write(writer, 2, 4);
        writer.flush(true);

        assertThat(letters.letters).hasSize(1);
        assertThat(letters.letters.get(0).getHttpStatus()).isEqualTo(413);
        assertThat(letters.lines()).singleElement().asString().contains("\"id\":1");
        assertThat(ids("events")).containsExactly(2L, 3L);
    }

    // ---- rejections and the error policy ------------------------------------------------------

    @Test
    void aRejectedRequestFailsTheJobWithoutRestartsUnderFail() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink());
        emulator.failNext(1, Fault.BAD_REQUEST_400);
        write(writer, 0, 10);

        Throwable failure = catchThrowable(() -> writer.flush(true));

        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                .as("a restart would only replay the same rejected records").isPresent();
        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class))
                .hasValueSatisfying(e -> {
                    assertThat(e.getHttpStatus()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("'events'", "400", "sink.error-policy");
                });
        assertThat(statuses()).containsExactly(400);
    }

    @Test
    void aRejectedRequestIsDiscardedAndCountedUnderDiscard() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setErrorPolicy(ErrorPolicy.discard()));
        emulator.failNext(1, Fault.BAD_REQUEST_400);
        write(writer, 0, 20);
        writer.flush(true);

        assertThat(context.counter("recordsDiscarded")).isEqualTo(10);
        assertThat(emulator.rowCount("events")).isEqualTo(10);
        assertThat(statuses()).containsExactlyInAnyOrder(400, 200);
    }

    @Test
    void aRejectedRequestIsDeadLetteredUnderDeadLetter() throws Exception {
        RecordingDeadLetters letters = new RecordingDeadLetters();
        TinybirdSinkWriter<Event> writer = open(sink().setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        emulator.failNext(1, Fault.BAD_REQUEST_400);
        write(writer, 0, 10);
        writer.flush(true);

        assertThat(letters.letters).singleElement().satisfies(letter -> {
            assertThat(letter.getDataSource()).isEqualTo("events");
            assertThat(letter.getHttpStatus()).isEqualTo(400);
            assertThat(letter.getLines()).hasSize(10);
        });
    }

    @Test
    void aFailingDeadLetterHandlerFailsTheJobSoNothingIsLost() throws Exception {
        DeadLetterHandler broken = letter -> {
            throw new java.io.IOException("disk full");
        };
        TinybirdSinkWriter<Event> writer = open(sink().setErrorPolicy(ErrorPolicy.deadLetter(broken)));
        emulator.failNext(1, Fault.BAD_REQUEST_400);
        write(writer, 0, 10);

        Throwable failure = catchThrowable(() -> writer.flush(true));

        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class))
                .hasValueSatisfying(e -> assertThat(e.getMessage()).contains("dead-letter", "disk full"));
    }

    @Test
    void aWrongTokenAlwaysFailsTheJobEvenUnderDiscard() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setToken("not-a-valid-token").setErrorPolicy(ErrorPolicy.discard()));
        write(writer, 0, 10);

        Throwable failure = catchThrowable(() -> writer.flush(true));

        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class))
                .hasValueSatisfying(e -> {
                    assertThat(e.getHttpStatus()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("DATASOURCE:APPEND", "'events'").doesNotContain("not-a-valid-token");
                });
        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class)).isPresent();
        assertThat(context.counter("recordsDiscarded")).isZero();
    }

    @Test
    void aWrongRegionFailsTheJobNamingTheEndpoint() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setErrorPolicy(ErrorPolicy.discard()));
        emulator.failNext(1, Fault.WRONG_REGION_404);
        write(writer, 0, 10);

        Throwable failure = catchThrowable(() -> writer.flush(true));

        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class))
                .hasValueSatisfying(e -> assertThat(e.getMessage()).contains("404", "region", emulator.endpoint()));
    }

    @Test
    void aPartialIngestIsCountedNotResent() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink());
        emulator.failNext(1, Fault.MATERIALIZATION_FAILED_422);
        write(writer, 0, 10);
        writer.flush(true);

        assertThat(ids("events")).isEqualTo(range(0, 10));
        assertThat(statuses()).containsExactly(422);
        assertThat(context.counter("requestsPartiallyIngested")).isEqualTo(1);
    }

    @Test
    void aPartialIngestFailsTheJobWhenConfiguredTo() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setErrorPolicy(ErrorPolicy.discard().withFailOnPartialIngest(true)));
        emulator.failNext(1, Fault.MATERIALIZATION_FAILED_422);
        write(writer, 0, 10);

        Throwable failure = catchThrowable(() -> writer.flush(true));

        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class))
                .hasValueSatisfying(e -> assertThat(e.getMessage()).contains("422", "Materialized View"));
        assertThat(ids("events")).as("the rows were written all the same").isEqualTo(range(0, 10));
    }

    @Test
    void aRecordOverTheCapGoesToTheErrorPolicyBeforeFlinksBuffer() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setMaxRecordSizeInBytes(100).setErrorPolicy(ErrorPolicy.discard()));
        writer.write(new Event(1, "view", "x".repeat(200)), NO_CONTEXT);
        write(writer, 2, 5);
        writer.flush(true);

        assertThat(ids("events")).containsExactly(2L, 3L, 4L);
        assertThat(context.counter("recordsDiscarded")).isEqualTo(1);
    }

    @Test
    void aRecordOverTheCapFailsWithoutRestartsUnderFail() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink().setMaxRecordSizeInBytes(100));

        Throwable failure = catchThrowable(() -> writer.write(new Event(1, "view", "x".repeat(200)), NO_CONTEXT));

        assertThat(failure).isInstanceOf(SuppressRestartsException.class);
        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class))
                .hasValueSatisfying(e -> assertThat(e.getMessage()).contains("sink.max-record-size", "'events'"));
    }

    @Test
    void aNullElementIsDeadLetteredWithItsReason() throws Exception {
        RecordingDeadLetters letters = new RecordingDeadLetters();
        TinybirdSinkWriter<Event> writer = open(sink().setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        writer.write(null, NO_CONTEXT);
        write(writer, 0, 2);
        writer.flush(true);

        assertThat(letters.letters).singleElement().satisfies(letter -> {
            assertThat(letter.getReason()).contains("null");
            assertThat(letter.getLines()).isEmpty();
        });
        assertThat(ids("events")).containsExactly(0L, 1L);
    }

    @Test
    void aStuckEndpointCostsOneHttpCallTimeoutNotACheckpointStall() throws Exception {
        emulator.close();
        emulator = EventsApiEmulator.builder().faultPlan(FaultPlan.builder().slowDelay(Duration.ofSeconds(4)).build()).start();
        // A 2 s request timeout gives each HTTP call 1 s; the slow answer takes 4 s.
        TinybirdSinkWriter<Event> writer = open(sink().setRequestTimeout(Duration.ofSeconds(2)));
        emulator.failNext(1, Fault.SLOW);
        write(writer, 0, 10);
        long started = System.nanoTime();

        writer.flush(true);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        assertThat(emulator.requests().stream().filter(r -> r.status() == 200)).isNotEmpty();
        Deadline.await("the slow request to finish on the server", Duration.ofSeconds(10), () -> emulator.requests().size() == 2);
        // The slow request was written after the client gave up on it: a duplicate, never a loss.
        assertThat(ids("events")).containsAll(range(0, 10)).hasSize(20);
    }

    @Test
    void theTokenAppearsInNoLogLineAndNoException() throws Exception {
        String token = "p.eyJ1IjogInNlY3JldC10b2tlbi1mb3ItdGVzdHMifQ";
        String wrongToken = "p.eyJ1IjogIndyb25nLXRva2VuLWZvci10ZXN0cyJ9";
        emulator.close();
        emulator = EventsApiEmulator.builder().token(token).start();
        Throwable failure;
        List<String> logLines;
        String sinkDescription;
        try (io.github.flinktinybird.testutil.LogCapture logs = io.github.flinktinybird.testutil.LogCapture.all()) {
            TinybirdSink<Event> good = sink().setToken(token).build();
            sinkDescription = good.toString();
            TinybirdSinkWriter<Event> writer = good.restoreWriter(context, Collections.emptyList());
            writers.add(writer);
            emulator.failNext(1, Fault.RATE_LIMITED);
            emulator.failNext(1, Fault.DROP_CONNECTION);
            write(writer, 0, 10);
            writer.flush(true);

            TinybirdSinkWriter<Event> refused = open(sink().setToken(wrongToken));
            write(refused, 0, 10);
            failure = catchThrowable(() -> refused.flush(true));
            logLines = logs.lines();
        }

        assertThat(failure).isNotNull();
        assertThat(logLines).as("captured at every level").isNotEmpty();
        assertThat(logLines).noneMatch(line -> line.contains(token) || line.contains(wrongToken));
        assertThat(ExceptionUtils.stringifyException(failure)).doesNotContain(token).doesNotContain(wrongToken);
        assertThat(sinkDescription).doesNotContain(token);
        assertThat(ids("events")).isEqualTo(range(0, 10));
    }

    @Test
    void quarantinedRowsAreCountedAndNamedInAWarning() throws Exception {
        TinybirdSink<String> sink = TinybirdSink.<String>builder()
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource("events")
                .setSerializationSchema(new io.github.flinktinybird.serialize.JsonStringSerializationSchema())
                .build();
        TinybirdSinkWriter<String> writer = sink.restoreWriter(context, Collections.emptyList());
        List<String> logLines;
        try (io.github.flinktinybird.testutil.LogCapture logs = io.github.flinktinybird.testutil.LogCapture.all()) {
            writer.write("{\"id\": 1}", NO_CONTEXT);
            // A lone UTF-16 surrogate is valid JSON text but not a valid string: Tinybird quarantines it.
            writer.write("{\"id\": 2, \"text\": \"\\ud800\"}", NO_CONTEXT);
            writer.flush(true);
            logLines = logs.lines();
        } finally {
            writer.close();
        }

        assertThat(emulator.rowCount("events")).isEqualTo(1);
        assertThat(emulator.quarantined("events")).hasSize(1);
        assertThat(context.counter("rowsCommitted")).isEqualTo(1);
        assertThat(context.counter("rowsQuarantined")).isEqualTo(1);
        assertThat(logLines).anyMatch(line -> line.contains("events_quarantine") && line.contains("quarantined 1 of 2"));
    }

    // ---- state and lifecycle ------------------------------------------------------------------

    @Test
    void snapshotHoldsBufferedRecordsAndARestoredWriterDeliversThem() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink());
        write(writer, 0, 5); // under the batch size: stays buffered
        writer.flush(false);
        List<BufferedRequestState<TinybirdRecord>> state = writer.snapshotState(1);
        assertThat(state.get(0).getBufferedRequestEntries()).hasSize(5);
        assertThat(emulator.requests()).isEmpty();

        TinybirdSinkWriter<Event> restored = open(sink(), state);
        restored.flush(true);

        assertThat(ids("events")).isEqualTo(range(0, 5));
    }

    @Test
    void closeReleasesTheHttpAndRetryThreads() throws Exception {
        TinybirdSinkWriter<Event> writer = open(sink());
        emulator.failNext(1, Fault.UNAVAILABLE_503); // a retry, so that the retry thread exists
        write(writer, 0, 10);
        writer.flush(true);
        assertThat(context.counter("recordsRetried")).isEqualTo(10);
        // OkHttp renames the callback thread while a call runs, and flush may return before it is
        // back under its own name.
        Deadline.await("the sink's HTTP and retry threads", Duration.ofSeconds(10), () ->
                liveThreads().stream().anyMatch(name -> name.startsWith("tinybird-http-"))
                        && liveThreads().stream().anyMatch(name -> name.startsWith("tinybird-retry-")));

        writers.forEach(TinybirdSinkWriter::close);
        writers.clear();

        Deadline.await("the sink's threads to end", Duration.ofSeconds(10), () -> liveThreads().isEmpty());
    }

    private static List<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("tinybird-http-") || name.startsWith("tinybird-retry-"))
                .collect(Collectors.toList());
    }

    /** Keeps every letter; the writer is not serialized in these tests, so the instance is shared. */
    static final class RecordingDeadLetters implements DeadLetterHandler {
        final List<DeadLetter> letters = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void write(DeadLetter letter) {
            letters.add(letter);
        }

        List<String> lines() {
            synchronized (letters) {
                return letters.stream().flatMap(l -> l.getLinesAsStrings().stream()).collect(Collectors.toList());
            }
        }
    }
}
