package io.github.flinktinybird.sink;

import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;

import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.error.TinybirdSinkException;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.testutil.StubEndpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every status Tinybird answers for a request that is not retried, under every error policy: what
 * happens to the records, and what the user reads. Nothing may vanish without a count, a dead
 * letter or a failed job.
 */
class ErrorPolicyEnforcerTest {

    record Event(long id) {}

    private static final int RECORDS = 4;

    private final List<TinybirdSinkWriter<Event>> writers = new ArrayList<>();
    private StubEndpoint endpoint;

    @AfterEach
    void close() {
        writers.forEach(TinybirdSinkWriter::close);
        if (endpoint != null) {
            endpoint.close();
        }
    }

    static Stream<Arguments> grid() {
        List<Arguments> grid = new ArrayList<>();
        for (int status : new int[] {400, 401, 403, 404, 413, 422}) {
            for (ErrorPolicy.Action action : ErrorPolicy.Action.values()) {
                grid.add(Arguments.of(status, action));
            }
        }
        return grid.stream();
    }

    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("grid")
    void eachRejectionEndsInAFailureACountOrADeadLetter(int status, ErrorPolicy.Action action) throws Exception {
        endpoint = StubEndpoint.answering(status, "{\"error\":\"stub says " + status + "\"}", Map.of());
        TinybirdSinkWriterTest.RecordingDeadLetters letters = new TinybirdSinkWriterTest.RecordingDeadLetters();
        ErrorPolicy policy = action == ErrorPolicy.Action.FAIL ? ErrorPolicy.fail()
                : action == ErrorPolicy.Action.DISCARD ? ErrorPolicy.discard() : ErrorPolicy.deadLetter(letters);
        WriterTestContext context = new WriterTestContext();
        TinybirdSinkWriter<Event> writer = TinybirdSink.<Event>builder()
                .setEndpoint(endpoint.endpoint())
                .setToken("stub-token")
                .setDataSource("events")
                .setCompression(Compression.NONE)
                .setMaxBatchSize(10)
                .setMaxBufferedRequests(100)
                .setMaxTimeInBufferMS(3_600_000)
                .setRetryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20)).build())
                .setErrorPolicy(policy)
                .build()
                .restoreWriter(context, Collections.emptyList());
        writers.add(writer);
        for (int i = 0; i < RECORDS; i++) {
            writer.write(new Event(i), NO_CONTEXT);
        }

        Throwable failure = catchThrowable(() -> writer.flush(true));

        long discarded = context.counter("recordsDiscarded");
        long deadLettered = context.counter("recordsDeadLettered");
        boolean misconfigured = status == 401 || status == 403 || status == 404;
        if (status == 422) {
            // Rows written, a Materialized View failed: counted, never resent, not the policy's business.
            assertThat(failure).isNull();
            assertThat(context.counter("requestsPartiallyIngested")).isEqualTo(1);
            assertThat(endpoint.requests()).isEqualTo(1);
        } else if (misconfigured || action == ErrorPolicy.Action.FAIL) {
            assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                    .as("a restart would only meet the same answer").isPresent();
            TinybirdSinkException cause = ExceptionUtils.findThrowable(failure, TinybirdSinkException.class).orElseThrow();
            assertThat(cause.getHttpStatus()).isEqualTo(status);
            assertThat(cause.getMessage()).contains("'events'").doesNotContain("stub-token");
            if (status == 401 || status == 403) {
                assertThat(cause.getMessage()).contains("DATASOURCE:APPEND");
            } else if (status == 404) {
                assertThat(cause.getMessage()).contains("region");
            } else {
                assertThat(cause.getMessage()).contains("sink.error-policy");
            }
            assertThat(discarded + deadLettered).isZero();
        } else if (action == ErrorPolicy.Action.DISCARD) {
            assertThat(failure).isNull();
            assertThat(discarded).isEqualTo(RECORDS);
        } else {
            assertThat(failure).isNull();
            assertThat(deadLettered).isEqualTo(RECORDS);
            assertThat(letters.lines()).hasSize(RECORDS);
            assertThat(letters.letters).allSatisfy(letter -> assertThat(letter.getHttpStatus()).isEqualTo(status));
        }
        if (status == 413) {
            // Split down to single records before any is given up: 1 + 2 + 4 requests.
            assertThat(endpoint.requests()).isGreaterThanOrEqualTo(status == 413 && action != ErrorPolicy.Action.FAIL ? 7 : 3);
        } else if (status != 422) {
            assertThat(endpoint.requests()).as("never retried").isEqualTo(1);
        }
    }
}
