package io.github.flinktinybird.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinktinybird.http.Outcome.Kind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import okhttp3.internal.http2.ConnectionShutdownException;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.stream.Stream;

class ResponseClassifierTest {

    private static final String DATA_SOURCE = "page_views";
    /** A fixed "now" (2023-11-14T22:13:20Z) so that epoch-valued reset headers are deterministic. */
    private static final long NOW = 1_700_000_000L;

    private static Outcome classify(int status) {
        return ResponseClassifier.classify(
                EventsApiResponse.of(status, "{\"error\":\"something\"}"), DATA_SOURCE, NOW);
    }

    private static Outcome classify429(String retryAfter, String rateLimitReset) {
        return ResponseClassifier.classify(
                new EventsApiResponse(429, retryAfter, rateLimitReset, null, "{\"error\":\"slow down\"}"),
                DATA_SOURCE,
                NOW);
    }

    // ---- the status table -------------------------------------------------------------------

    static Stream<Arguments> statusTable() {
        return Stream.of(
                Arguments.of(200, Kind.COMMITTED),
                Arguments.of(202, Kind.COMMITTED),
                Arguments.of(422, Kind.PARTIALLY_INGESTED),
                Arguments.of(413, Kind.SPLIT),
                Arguments.of(429, Kind.RETRY),
                Arguments.of(500, Kind.RETRY),
                Arguments.of(502, Kind.RETRY),
                Arguments.of(503, Kind.RETRY),
                Arguments.of(504, Kind.RETRY),
                Arguments.of(501, Kind.RETRY),
                Arguments.of(505, Kind.RETRY),
                Arguments.of(507, Kind.RETRY),
                Arguments.of(599, Kind.RETRY),
                Arguments.of(401, Kind.FATAL),
                Arguments.of(403, Kind.FATAL),
                Arguments.of(404, Kind.FATAL),
                Arguments.of(301, Kind.FATAL),
                Arguments.of(302, Kind.FATAL),
                Arguments.of(307, Kind.FATAL),
                Arguments.of(308, Kind.FATAL),
                // the 4xx HTTP defines as passing: nothing was processed, the request may be resent
                Arguments.of(408, Kind.RETRY),
                Arguments.of(421, Kind.RETRY),
                Arguments.of(425, Kind.RETRY),
                Arguments.of(400, Kind.REJECTED),
                Arguments.of(405, Kind.REJECTED),
                Arguments.of(409, Kind.REJECTED),
                Arguments.of(411, Kind.REJECTED),
                Arguments.of(415, Kind.REJECTED),
                Arguments.of(423, Kind.REJECTED),
                Arguments.of(431, Kind.REJECTED));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("statusTable")
    void mapsEveryStatusOfThePolicyTable(int status, Kind expected) {
        Outcome outcome = classify(status);

        assertThat(outcome.kind()).isEqualTo(expected);
        assertThat(outcome.status()).isEqualTo(status);
        assertThat(outcome.reason()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {400, 401, 403, 404, 408, 409, 413, 415, 421, 422, 425, 429, 500, 502, 503, 504, 507})
    void reasonsOfFailuresNameTheDataSource(int status) {
        assertThat(classify(status).reason()).contains("'" + DATA_SOURCE + "'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {200, 202, 400, 401, 403, 404, 408, 413, 422, 425, 500, 502, 504})
    void onlyRateLimitingAndUnavailabilityCarryAServerDelay(int status) {
        // Even with the headers present: only a 429 or a 503 turns them into a wait.
        Outcome outcome =
                ResponseClassifier.classify(new EventsApiResponse(status, "5", "5", null, ""), DATA_SOURCE, NOW);

        assertThat(outcome.serverDelay()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {401, 403})
    void refusedTokenNamesTheScopeNeeded(int status) {
        String reason = classify(status).reason();

        assertThat(reason).contains("DATASOURCE:APPEND").contains("token").contains(DATA_SOURCE);
    }

    @Test
    void wrongRegionTellsToCheckTheEndpoint() {
        String reason = classify(404).reason();

        assertThat(reason).contains("endpoint").contains("region");
    }

    @Test
    void tooLargeNamesTheSettingToLower() {
        assertThat(classify(413).reason()).contains("sink.flush-buffer.size");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {301, 302, 307, 308})
    void redirectIsFatalAndNamesTheLocation(int status) {
        Outcome outcome =
                ResponseClassifier.classify(
                        new EventsApiResponse(status, null, null, "https://elsewhere.example.com/v0/events", ""),
                        DATA_SOURCE,
                        NOW);

        assertThat(outcome.kind()).isEqualTo(Kind.FATAL);
        assertThat(outcome.reason())
                .contains(Integer.toString(status))
                .contains("https://elsewhere.example.com/v0/events")
                .contains("redirect");
    }

    @Test
    void redirectWithoutLocationIsStillFatal() {
        Outcome outcome = classify(302);

        assertThat(outcome.kind()).isEqualTo(Kind.FATAL);
        assertThat(outcome.reason()).contains("302").doesNotContain("null");
    }

    @Test
    void rejectionQuotesWhatTinybirdSaid() {
        Outcome outcome =
                ResponseClassifier.classify(
                        EventsApiResponse.of(400, "{\"error\":\"The 'name' parameter is required\"}"),
                        DATA_SOURCE,
                        NOW);

        assertThat(outcome.kind()).isEqualTo(Kind.REJECTED);
        assertThat(outcome.reason()).contains("The 'name' parameter is required").contains("400");
    }

    @Test
    void longBodyIsQuotedTruncatedOnOneLine() {
        String body = "{\"error\":\"" + "x".repeat(5_000) + "\"}\n" + "second line";

        String reason = ResponseClassifier.classify(EventsApiResponse.of(500, body), DATA_SOURCE, NOW).reason();

        assertThat(reason).contains("{\"error\":\"xxxx").contains("...");
        assertThat(reason).doesNotContain("second line").doesNotContain("\n").doesNotContain("\r");
        assertThat(reason.length()).isLessThan(1_000);
    }

    @Test
    void shortMultiLineBodyIsQuotedOnOneLine() {
        String reason =
                ResponseClassifier.classify(EventsApiResponse.of(400, "bad\nrequest\r\nhere"), DATA_SOURCE, NOW)
                        .reason();

        assertThat(reason).contains("bad request").contains("here").doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void emptyBodyAddsNoQuote() {
        String reason = ResponseClassifier.classify(EventsApiResponse.of(503, ""), DATA_SOURCE, NOW).reason();

        assertThat(reason).doesNotContain("Tinybird says");
    }

    // ---- 429 and its headers ----------------------------------------------------------------

    @ParameterizedTest(name = "Retry-After={0}, X-RateLimit-Reset={1} -> {2} s")
    @CsvSource(
            nullValues = "NULL",
            value = {
                // Retry-After in whole seconds, and first when both are present
                "3,        NULL,       3",
                "3,        60,         3",
                "0,        NULL,       0",
                " 7 ,      NULL,       7",
                // fractional seconds are rounded up, never down
                "1.2,      NULL,       2",
                "0.001,    NULL,       1",
                "2.0,      NULL,       2",
                // X-RateLimit-Reset as seconds from now
                "NULL,     5,          5",
                "NULL,     1.5,        2",
                "NULL,     86400,      86400",
                // X-RateLimit-Reset as an epoch second, relative to now
                "NULL,     1700000030, 30",
                "NULL,     1700000000, 0",
                // an epoch already past is a wait of zero, never negative
                "NULL,     1600000000, 0",
                // an unusable Retry-After falls through to the reset header
                "soon,     4,          4",
                "-1,       4,          4",
            })
    void rateLimitedWaitsAsTinybirdAsked(String retryAfter, String reset, long expectedSeconds) {
        Outcome outcome = classify429(retryAfter, reset);

        assertThat(outcome.kind()).isEqualTo(Kind.RETRY);
        assertThat(outcome.status()).isEqualTo(429);
        assertThat(outcome.serverDelay()).isEqualTo(Duration.ofSeconds(expectedSeconds));
    }

    @ParameterizedTest(name = "Retry-After={0}, X-RateLimit-Reset={1} -> back off")
    @CsvSource(
            nullValues = "NULL",
            value = {
                "NULL, NULL",
                "soon, NULL",
                "NULL, tomorrow",
                "'Wed, 21 Oct 2015 07:28:00 GMT', NULL",
                "-5, -5",
                "NaN, Infinity",
                "'', ''",
            })
    void rateLimitedWithoutUsableHeaderHasNoServerDelay(String retryAfter, String reset) {
        Outcome outcome = classify429(retryAfter, reset);

        assertThat(outcome.kind()).isEqualTo(Kind.RETRY);
        assertThat(outcome.serverDelay()).isNull();
    }

    // ---- 503 and Retry-After -----------------------------------------------------------------

    @ParameterizedTest(name = "503 Retry-After={0}, X-RateLimit-Reset={1} -> {2}")
    @CsvSource(
            nullValues = "NULL",
            value = {
                "7,        NULL,       7",
                "7,        60,         7",
                "0.2,      NULL,       1",
                // the reset header is about the rate window, not the outage: a 503 backs off instead
                "NULL,     60,         NULL",
                "NULL,     1700000030, NULL",
                "soon,     60,         NULL",
                "'Wed, 21 Oct 2015 07:28:00 GMT', NULL, NULL",
                "NULL,     NULL,       NULL",
            })
    void unavailableWaitsTheRetryAfterTinybirdSent(String retryAfter, String reset, Long expectedSeconds) {
        Outcome outcome = ResponseClassifier.classify(
                new EventsApiResponse(503, retryAfter, reset, null, "{\"error\":\"deploying\"}"), DATA_SOURCE, NOW);

        assertThat(outcome.kind()).isEqualTo(Kind.RETRY);
        assertThat(outcome.status()).isEqualTo(503);
        assertThat(outcome.serverDelay()).isEqualTo(expectedSeconds == null ? null : Duration.ofSeconds(expectedSeconds));
        assertThat(outcome.reason()).contains("503").contains(DATA_SOURCE).contains("deploying");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {408, 421, 425})
    void passingClientErrorsSayTheRequestIsSentAgain(int status) {
        assertThat(classify(status).reason()).contains(Integer.toString(status)).contains("sent again");
    }

    @Test
    void rateLimitedReasonNamesTheDataSourceAndStatus() {
        assertThat(classify429("1", null).reason()).contains(DATA_SOURCE).contains("429");
    }

    // ---- transport failures -----------------------------------------------------------------

    static Stream<Arguments> transportFailures() {
        return Stream.of(
                Arguments.of(new SSLHandshakeException("PKIX path building failed"), Kind.FATAL),
                Arguments.of(new SSLPeerUnverifiedException("Hostname api.tinybird.co not verified"), Kind.FATAL),
                Arguments.of(new UnknownHostException("api.tinybird.example"), Kind.RETRY),
                Arguments.of(new SocketTimeoutException("timeout"), Kind.RETRY),
                Arguments.of(new ConnectException("Connection refused"), Kind.RETRY),
                Arguments.of(new IOException("unexpected end of stream"), Kind.RETRY),
                // HTTP/2: only a refusal proves the stream was never processed (RFC 9113 8.7);
                // OkHttp reports streams above a GOAWAY's last-stream id as refused too.
                Arguments.of(new StreamResetException(ErrorCode.REFUSED_STREAM), Kind.RESEND_NOW),
                Arguments.of(new ConnectionShutdownException(), Kind.RESEND_NOW),
                Arguments.of(new StreamResetException(ErrorCode.CANCEL), Kind.RETRY),
                Arguments.of(new StreamResetException(ErrorCode.INTERNAL_ERROR), Kind.RETRY),
                Arguments.of(new StreamResetException(ErrorCode.PROTOCOL_ERROR), Kind.RETRY),
                Arguments.of(new StreamResetException(ErrorCode.NO_ERROR), Kind.RETRY),
                Arguments.of(new StreamResetException(ErrorCode.FLOW_CONTROL_ERROR), Kind.RETRY));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("transportFailures")
    void transportFailures(Throwable failure, Kind expected) {
        Outcome outcome = ResponseClassifier.classifyTransportFailure(failure, DATA_SOURCE);

        assertThat(outcome.kind()).isEqualTo(expected);
        assertThat(outcome.status()).isZero();
        assertThat(outcome.serverDelay()).isNull();
        // The reason says what failed, so that a log line is enough to understand it.
        assertThat(outcome.reason())
                .contains(failure.getClass().getSimpleName())
                .contains(String.valueOf(failure.getMessage() == null ? "" : failure.getMessage()))
                .doesNotContain("null");
    }

    @Test
    void tlsFailureTellsToCheckHostAndCertificate() {
        String reason =
                ResponseClassifier.classifyTransportFailure(new SSLHandshakeException("bad cert"), DATA_SOURCE)
                        .reason();

        assertThat(reason).contains("TLS").contains("certificate");
    }

    @Test
    void unknownHostTellsToCheckTheEndpoint() {
        String reason =
                ResponseClassifier.classifyTransportFailure(new UnknownHostException("api.nope"), DATA_SOURCE)
                        .reason();

        assertThat(reason).contains("api.nope").contains("endpoint");
    }

    @Test
    void plainIoFailureNamesTheDataSource() {
        String reason =
                ResponseClassifier.classifyTransportFailure(new IOException("connection reset"), DATA_SOURCE)
                        .reason();

        assertThat(reason).contains(DATA_SOURCE).contains("connection reset");
    }
}
