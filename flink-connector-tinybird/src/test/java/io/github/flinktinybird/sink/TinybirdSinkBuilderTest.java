package io.github.flinktinybird.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.sink.writer.TestSinkInitContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

class TinybirdSinkBuilderTest {

    /** Distinctive, so that any leak into a message or toString() is caught. */
    private static final String TOKEN = "p.eyJ1IjogInNlY3JldC10b2tlbiJ9.Zk3Q";

    private static TinybirdSinkBuilder<Map<String, Object>> valid() {
        return TinybirdSink.<Map<String, Object>>builder().setToken(TOKEN).setDataSource("events");
    }

    private static void assertBuildFails(TinybirdSinkBuilder<?> builder, String... messageParts) {
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(builder::build);
        assertThat(failure).as("build() must fail").isInstanceOf(IllegalArgumentException.class);
        for (String part : messageParts) {
            assertThat(failure.getMessage()).contains(part);
        }
        assertThat(failure.getMessage()).doesNotContain(TOKEN);
    }

    private static String built(TinybirdSinkBuilder<?> builder) {
        TinybirdSink<?> sink = builder.build();
        String described = sink.toString();
        assertThat(described).doesNotContain(TOKEN).contains("token=****");
        return described;
    }

    // ---- a valid sink -----------------------------------------------------------------------------

    @Test
    void defaultsAreTinybirdFriendlyAndListed() {
        String described = built(valid());

        assertThat(described)
                .contains("endpoint=https://api.tinybird.co,")
                .contains("wait=true")
                .contains("compression=GZIP")
                .contains("requestTimeout=PT1M")
                .contains(RetryPolicy.defaults().toString())
                .contains("ErrorPolicy{FAIL")
                .contains("maxBatchSize=10000")
                .contains("maxBatchSizeInBytes=8388608")
                .contains("maxTimeInBufferMS=1000")
                .contains("maxInFlightRequests=32")
                .contains("maxBufferedRequests=100000")
                .contains("maxRecordSizeInBytes=1048576");
    }

    @Test
    void writerStateSerializerIsTheVersionedOne() {
        assertThat(valid().build().getWriterStateSerializer()).isInstanceOf(TinybirdRecordStateSerializer.class);
    }

    // ---- token ----------------------------------------------------------------------------------

    @Test
    void missingTokenIsRefused() {
        assertBuildFails(valid().setToken(null), "no Tinybird token", "setToken", "DATASOURCE:APPEND");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "   ", "\n"})
    void blankTokenIsRefused(String token) {
        assertBuildFails(valid().setToken(token), "no Tinybird token");
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(
            strings = {
                "p.firstHalfSECRET secondHalfSECRET",
                "p.firstHalfSECRET\nsecondHalfSECRET",
                "p.firstHalfSECRET\tsecondHalfSECRET",
                "p.firstHalfSECRETÉsecondHalfSECRET",
            })
    void tokenWithInnerWhitespaceOrNonAsciiIsRefusedWithoutQuotingIt(String token) {
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(valid().setToken(token)::build);

        assertThat(failure).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure.getMessage())
                .contains("token")
                .contains("position 17")
                .doesNotContain("firstHalf")
                .doesNotContain("secondHalf")
                .doesNotContain("SECRET");
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {" " + TOKEN, TOKEN + "\n", "\t" + TOKEN + " \r\n"})
    void surroundingWhitespaceOfTheTokenIsTrimmed(String token) {
        assertThatCode(() -> built(valid().setToken(token))).doesNotThrowAnyException();
    }

    // ---- data source ------------------------------------------------------------------------------

    @Test
    void missingDataSourceIsRefused() {
        assertBuildFails(valid().setDataSource(null), "no Data Source", "setDataSource", "setDataSourceSelector");
    }

    @Test
    void blankDataSourceIsRefused() {
        assertBuildFails(valid().setDataSource("  "), "no Data Source");
    }

    @Test
    void dataSourceAndSelectorTogetherAreRefused() {
        assertBuildFails(
                valid().setDataSourceSelector(element -> "clicks"), "both a Data Source ('events')", "use one");
    }

    @Test
    void selectorAloneIsEnough() {
        assertThatCode(() -> built(valid().setDataSource(null).setDataSourceSelector(element -> "clicks")))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"my-events", "1events", "events.v2", "events?x=1", "événements", "a b"})
    void invalidDataSourceNameIsRefused(String name) {
        assertBuildFails(valid().setDataSource(name), "'" + name + "' is not a Tinybird Data Source name");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"events", "_private", "t_0123abcd", "Events_2026"})
    void validDataSourceNamesAreAccepted(String name) {
        assertThatCode(() -> built(valid().setDataSource(name))).doesNotThrowAnyException();
    }

    // ---- endpoint -------------------------------------------------------------------------------

    @Test
    void endpointWithAPathIsRefused() {
        assertBuildFails(
                valid().setEndpoint("https://api.tinybird.co/v0/events"),
                "has a path ('/v0/events')",
                "adds /v0/events itself");
    }

    @Test
    void endpointWithTrailingSlashIsAccepted() {
        assertThat(built(valid().setEndpoint("https://api.us-east.tinybird.co/")))
                .contains("endpoint=https://api.us-east.tinybird.co,");
    }

    @Test
    void endpointWithAQueryIsRefusedWithoutQuotingIt() {
        assertBuildFails(
                valid().setEndpoint("https://api.tinybird.co?token=leakedQueryToken"),
                "must not have a query");
        Throwable failure =
                org.assertj.core.api.Assertions.catchThrowable(
                        valid().setEndpoint("https://api.tinybird.co?token=leakedQueryToken")::build);
        assertThat(failure.getMessage()).doesNotContain("leakedQueryToken");
    }

    @Test
    void endpointWithCredentialsIsRefused() {
        assertBuildFails(valid().setEndpoint("https://user:pass@api.tinybird.co"), "must not contain credentials");
    }

    @Test
    void endpointWithoutSchemeIsRefused() {
        assertBuildFails(valid().setEndpoint("api.tinybird.co"), "must start with https://");
    }

    @Test
    void ftpEndpointIsRefused() {
        assertBuildFails(valid().setEndpoint("ftp://api.tinybird.co"), "must start with https://");
    }

    @Test
    void blankEndpointIsRefused() {
        assertBuildFails(valid().setEndpoint(" "), "endpoint is empty");
    }

    @Test
    void plainHttpOnAnotherHostIsRefused() {
        assertBuildFails(
                valid().setEndpoint("http://tinybird-local:7181"), "unencrypted", "setAllowInsecureHttp(true)");
    }

    @Test
    void plainHttpOnAnotherHostIsAcceptedWhenAllowed() {
        assertThat(built(valid().setEndpoint("http://tinybird-local:7181").setAllowInsecureHttp(true)))
                .contains("endpoint=http://tinybird-local:7181,");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "http://localhost:7181",
                "http://127.0.0.1:7181",
                "http://127.0.0.1",
                "http://LOCALHOST:7181",
                "http://[::1]:7181"
            })
    void plainHttpOnLoopbackIsAccepted(String endpoint) {
        assertThat(built(valid().setEndpoint(endpoint))).contains("endpoint=" + endpoint + ",");
    }

    // ---- batching ----------------------------------------------------------------------------------

    @Test
    void bufferMustHoldMoreThanOneBatch() {
        assertBuildFails(
                valid().setMaxBatchSize(500).setMaxBufferedRequests(500),
                "maxBufferedRequests (sink.requests.max-buffered) = 500",
                "greater than maxBatchSize (sink.batch.max-size) = 500");
        assertThatCode(() -> built(valid().setMaxBatchSize(500).setMaxBufferedRequests(501)))
                .doesNotThrowAnyException();
    }

    @Test
    void batchBytesAboveTinybirdsRequestLimitAreRefused() {
        assertBuildFails(
                valid().setMaxBatchSizeInBytes(10_000_001L),
                "sink.flush-buffer.size",
                "10000000");
        assertThat(built(valid().setMaxBatchSizeInBytes(10_000_000L))).contains("maxBatchSizeInBytes=10000000");
    }

    @Test
    void recordCapAboveBatchBytesIsRefused() {
        assertBuildFails(
                valid().setMaxBatchSizeInBytes(100_000L).setMaxRecordSizeInBytes(100_001L),
                "maxRecordSizeInBytes (sink.max-record-size) = 100001",
                "maxBatchSizeInBytes (sink.flush-buffer.size) = 100000");
        assertThat(built(valid().setMaxBatchSizeInBytes(100_000L).setMaxRecordSizeInBytes(100_000L)))
                .contains("maxRecordSizeInBytes=100000");
    }

    @Test
    void nonPositiveMaxBatchSizeIsRefused() {
        assertBuildFails(valid().setMaxBatchSize(0), "maxBatchSize (sink.batch.max-size) must be positive");
    }

    @Test
    void nonPositiveMaxInFlightRequestsIsRefused() {
        assertBuildFails(
                valid().setMaxInFlightRequests(0), "maxInFlightRequests (sink.requests.max-inflight) must be positive");
    }

    @Test
    void nonPositiveMaxBufferedRequestsIsRefused() {
        assertBuildFails(
                valid().setMaxBufferedRequests(-1), "maxBufferedRequests (sink.requests.max-buffered) must be positive");
    }

    @Test
    void nonPositiveMaxBatchSizeInBytesIsRefused() {
        assertBuildFails(
                valid().setMaxBatchSizeInBytes(0), "maxBatchSizeInBytes (sink.flush-buffer.size) must be positive");
    }

    @Test
    void nonPositiveMaxTimeInBufferIsRefused() {
        assertBuildFails(
                valid().setMaxTimeInBufferMS(0), "maxTimeInBufferMS (sink.flush-buffer.timeout) must be positive");
    }

    @Test
    void nonPositiveMaxRecordSizeIsRefused() {
        assertBuildFails(
                valid().setMaxRecordSizeInBytes(-5), "maxRecordSizeInBytes (sink.max-record-size) must be positive");
    }

    // ---- timing ----------------------------------------------------------------------------------

    @Test
    void nonPositiveRequestTimeoutIsRefused() {
        assertBuildFails(valid().setRequestTimeout(Duration.ZERO), "sink.request-timeout", "must be positive");
        assertBuildFails(valid().setRequestTimeout(Duration.ofSeconds(-1)), "sink.request-timeout");
        assertBuildFails(valid().setRequestTimeout(null), "sink.request-timeout");
    }

    @Test
    void maxBackoffAboveHalfTheRequestTimeoutIsRefused() {
        RetryPolicy retry =
                RetryPolicy.builder()
                        .initialBackoff(Duration.ofMillis(100))
                        .maxBackoff(Duration.ofMillis(5_001))
                        .build();

        assertBuildFails(
                valid().setRequestTimeout(Duration.ofSeconds(10)).setRetryPolicy(retry),
                "sink.retry.max-backoff",
                "half of requestTimeout (sink.request-timeout) = PT10S");
    }

    @Test
    void maxBackoffOfExactlyHalfTheRequestTimeoutIsAccepted() {
        RetryPolicy retry =
                RetryPolicy.builder().initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(5)).build();

        assertThat(built(valid().setRequestTimeout(Duration.ofSeconds(10)).setRetryPolicy(retry)))
                .contains("requestTimeout=PT10S")
                .contains("maxBackoff=PT5S");
    }

    @Test
    void nullPoliciesAreRefusedWithAHint() {
        assertThatThrownBy(valid().setCompression(null)::build).hasMessageContaining("Compression.GZIP");
        assertThatThrownBy(valid().setRetryPolicy(null)::build).hasMessageContaining("RetryPolicy.defaults()");
        assertThatThrownBy(valid().setErrorPolicy(null)::build).hasMessageContaining("ErrorPolicy.fail()");
    }

    // ---- configure(Configuration) ------------------------------------------------------------------

    /** A non-default value for every option, each visible in the sink's description. */
    private static Configuration everyOption() {
        Configuration config = new Configuration();
        config.set(TinybirdSinkOptions.ENDPOINT, "http://tinybird-local:7181");
        config.set(TinybirdSinkOptions.TOKEN, TOKEN);
        config.set(TinybirdSinkOptions.DATASOURCE, "clicks");
        config.set(TinybirdSinkOptions.WAIT, false);
        config.set(TinybirdSinkOptions.COMPRESSION, Compression.NONE);
        config.set(TinybirdSinkOptions.ALLOW_INSECURE_HTTP, true);
        config.set(TinybirdSinkOptions.MAX_BATCH_SIZE, 512);
        config.set(TinybirdSinkOptions.FLUSH_BUFFER_SIZE, 2_000_000L);
        config.set(TinybirdSinkOptions.FLUSH_BUFFER_TIMEOUT, 250L);
        config.set(TinybirdSinkOptions.MAX_IN_FLIGHT_REQUESTS, 2);
        config.set(TinybirdSinkOptions.MAX_BUFFERED_REQUESTS, 5_120);
        config.set(TinybirdSinkOptions.MAX_RECORD_SIZE, 4_096L);
        config.set(TinybirdSinkOptions.REQUEST_TIMEOUT, Duration.ofSeconds(30));
        config.set(TinybirdSinkOptions.RETRY_MAX_ATTEMPTS, 3);
        config.set(TinybirdSinkOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(50));
        config.set(TinybirdSinkOptions.RETRY_MAX_BACKOFF, Duration.ofSeconds(2));
        config.set(TinybirdSinkOptions.RETRY_JITTER, 0.25);
        config.set(TinybirdSinkOptions.ERROR_POLICY, ErrorPolicy.Action.DEAD_LETTER);
        config.set(TinybirdSinkOptions.DEAD_LETTER_PATH, "file:///var/tmp/tinybird-dead-letters");
        config.set(TinybirdSinkOptions.FAIL_ON_PARTIAL_INGEST, true);
        config.set(TinybirdSinkOptions.MAX_BUFFERED_BYTES, 8_000_000L);
        config.set(TinybirdSinkOptions.FLOW_CONTROL_ENABLED, false);
        config.set(TinybirdSinkOptions.FLOW_CONTROL_WAIT_BUDGET, Duration.ofSeconds(42));
        return config;
    }

    @Test
    void everyOptionIsCoveredByThisTest() {
        Set<String> keys = new HashSet<>();
        for (ConfigOption<?> option : TinybirdSinkOptions.all()) {
            keys.add(option.key());
        }

        Set<String> covered = new HashSet<>(everyOption().keySet());
        // Exclusive with 'token', so not in everyOption(): TokenSourceTest#theConfigurationKeysChooseTheSource.
        covered.add(TinybirdSinkOptions.TOKEN_ENV_VAR.key());
        covered.add(TinybirdSinkOptions.TOKEN_FILE.key());
        assertThat(covered).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void configureAppliesEveryOption() {
        String described =
                built(TinybirdSink.<Map<String, Object>>builder().configure(everyOption()));

        assertThat(described)
                .contains("endpoint=http://tinybird-local:7181,")
                .contains("wait=false")
                .contains("compression=NONE")
                .contains("requestTimeout=PT30S")
                .contains("RetryPolicy{maxAttempts=3, initialBackoff=PT0.05S, maxBackoff=PT2S, jitter=0.25}")
                .contains("ErrorPolicy{DEAD_LETTER")
                .contains("file:///var/tmp/tinybird-dead-letters")
                .contains("failOnPartialIngest=true")
                .contains("maxBatchSize=512,")
                .contains("maxBatchSizeInBytes=2000000")
                .contains("maxTimeInBufferMS=250")
                .contains("maxInFlightRequests=2")
                .contains("maxBufferedRequests=5120")
                .contains("maxRecordSizeInBytes=4096")
                .contains("maxBufferedBytes=8000000")
                .contains("flowControl=false")
                .contains("waitBudget=PT42S");
    }

    @Test
    void aFlushBufferBelowOneMiBBringsTheDefaultRecordCapDownWithIt() {
        assertThat(built(valid().setMaxBatchSizeInBytes(100_000)))
                .contains("maxBatchSizeInBytes=100000")
                .contains("maxRecordSizeInBytes=100000");
        assertThat(built(valid().setMaxBatchSizeInBytes(100_000).setMaxRecordSizeInBytes(5_000))).contains("maxRecordSizeInBytes=5000");
        assertBuildFails(valid().setMaxBatchSizeInBytes(100_000).setMaxRecordSizeInBytes(200_000),
                "sink.max-record-size", "sink.flush-buffer.size");
        assertThat(built(valid())).as("the default").contains("maxRecordSizeInBytes=1048576");
    }

    @Test
    void aByteBoundBelowTwoBatchesIsRefusedNamingBothSettings() {
        assertBuildFails(valid().setMaxBatchSizeInBytes(4_000_000).setMaxBufferedBytes(7_999_999),
                "sink.max-buffered-bytes", "sink.flush-buffer.size", "at least 8000000");
        assertThat(built(valid().setMaxBatchSizeInBytes(4_000_000).setMaxBufferedBytes(8_000_000)))
                .contains("maxBufferedBytes=8000000");
        assertThat(built(valid())).as("the default").contains("maxBufferedBytes=" + 64L * 1024 * 1024);
    }

    @Test
    void configuredTokenAndDataSourceAreTheOnesUsed() {
        // The token: a sink without any would not build.
        assertBuildFails(TinybirdSink.builder().setDataSource("events"), "no Tinybird token");
        Configuration tokenOnly = new Configuration();
        tokenOnly.set(TinybirdSinkOptions.TOKEN, TOKEN);
        assertThatCode(() -> built(TinybirdSink.builder().setDataSource("events").configure(tokenOnly)))
                .doesNotThrowAnyException();

        // The Data Source: the builder names it when it conflicts with a selector.
        Configuration dataSourceOnly = new Configuration();
        dataSourceOnly.set(TinybirdSinkOptions.DATASOURCE, "clicks_from_config");
        assertBuildFails(
                TinybirdSink.<String>builder()
                        .setToken(TOKEN)
                        .setDataSourceSelector(e -> "x")
                        .configure(dataSourceOnly),
                "('clicks_from_config')");
    }

    @Test
    void configuredConnectionSettingsReachTinybird() throws Exception {
        try (EventsApiEmulator emulator = EventsApiEmulator.builder().start()) {
            Configuration config = new Configuration();
            config.set(TinybirdSinkOptions.ENDPOINT, emulator.endpoint());
            config.set(TinybirdSinkOptions.TOKEN, EventsApiEmulator.DEFAULT_TOKEN);
            config.set(TinybirdSinkOptions.DATASOURCE, "clicks");
            config.set(TinybirdSinkOptions.WAIT, false);
            config.set(TinybirdSinkOptions.COMPRESSION, Compression.NONE);
            TinybirdSink<Map<String, Object>> sink =
                    TinybirdSink.<Map<String, Object>>builder().configure(config).build();

            TinybirdSinkWriter<Map<String, Object>> writer = sink.createWriter(new TestSinkInitContext());
            try {
                writer.write(Map.of("id", 1), null);
                writer.flush(true);
            } finally {
                writer.close();
            }

            assertThat(emulator.rawRows("clicks")).containsExactly("{\"id\":1}");
            assertThat(emulator.requests())
                    .singleElement()
                    .satisfies(
                            request -> {
                                assertThat(request.status()).isEqualTo(202);
                                assertThat(request.waitRequested()).isFalse();
                                assertThat(request.gzip()).isFalse();
                                assertThat(request.userAgent()).startsWith("flink-connector-tinybird/");
                            });
        }
    }

    @Test
    void configuredAllowInsecureHttpIsWhatLetsAPlainHttpEndpointThrough() {
        Configuration config = everyOption();
        config.set(TinybirdSinkOptions.ALLOW_INSECURE_HTTP, false);

        assertBuildFails(TinybirdSink.builder().configure(config), "setAllowInsecureHttp(true)");
    }

    @Test
    void deadLetterPolicyWithoutPathIsRefusedNamingTheOption() {
        Configuration config = new Configuration();
        config.set(TinybirdSinkOptions.ERROR_POLICY, ErrorPolicy.Action.DEAD_LETTER);

        assertThatThrownBy(() -> valid().configure(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sink.error-policy.dead-letter-path");
    }

    @Test
    void deadLetterPathWithoutDeadLetterPolicyIsRefused() {
        Configuration config = new Configuration();
        config.set(TinybirdSinkOptions.DEAD_LETTER_PATH, "file:///tmp/dead");

        assertThatThrownBy(() -> valid().configure(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sink.error-policy=DEAD_LETTER");
    }

    @Test
    void discardPolicyFromConfiguration() {
        Configuration config = new Configuration();
        config.set(TinybirdSinkOptions.ERROR_POLICY, ErrorPolicy.Action.DISCARD);

        assertThat(built(valid().configure(config))).contains("ErrorPolicy{DISCARD, failOnPartialIngest=false}");
    }

    @Test
    void configurationFromStringsAsOnTheCommandLine() {
        Configuration config =
                Configuration.fromMap(
                        Map.of(
                                "sink.batch.max-size", "2000",
                                "sink.request-timeout", "20 s",
                                "sink.retry.max-backoff", "10 s",
                                "compression", "none",
                                "sink.error-policy", "discard"));

        assertThat(built(valid().configure(config)))
                .contains("maxBatchSize=2000,")
                .contains("requestTimeout=PT20S")
                .contains("maxBackoff=PT10S")
                .contains("compression=NONE")
                .contains("ErrorPolicy{DISCARD");
    }

    @Test
    void settersCalledAfterConfigureWin() {
        String described =
                built(
                        TinybirdSink.<Map<String, Object>>builder()
                                .configure(everyOption())
                                .setEndpoint("https://api.us-east.tinybird.co")
                                .setWait(true)
                                .setCompression(Compression.GZIP)
                                .setMaxBatchSize(700)
                                .setMaxBufferedRequests(7_001)
                                .setRequestTimeout(Duration.ofSeconds(40))
                                .setRetryPolicy(RetryPolicy.noRetries())
                                .setErrorPolicy(ErrorPolicy.discard()));

        assertThat(described)
                .contains("endpoint=https://api.us-east.tinybird.co,")
                .contains("wait=true")
                .contains("compression=GZIP")
                .contains("maxBatchSize=700,")
                .contains("maxBufferedRequests=7001")
                .contains("requestTimeout=PT40S")
                .contains(RetryPolicy.noRetries().toString())
                .contains("ErrorPolicy{DISCARD, failOnPartialIngest=false}")
                // not overridden: still from the configuration
                .contains("maxTimeInBufferMS=250");
    }

    @Test
    void configureCalledAfterSettersWins() {
        Configuration config = new Configuration();
        config.set(TinybirdSinkOptions.MAX_BATCH_SIZE, 900);
        config.set(TinybirdSinkOptions.WAIT, false);

        String described = built(valid().setMaxBatchSize(100).setWait(true).configure(config));

        assertThat(described).contains("maxBatchSize=900,").contains("wait=false");
    }

    @Test
    void absentKeysLeaveTheBuilderAsItIs() {
        RetryPolicy retry =
                RetryPolicy.builder().maxAttempts(4).initialBackoff(Duration.ofMillis(300)).jitter(0.1).build();

        String described =
                built(
                        valid().setWait(false)
                                .setCompression(Compression.NONE)
                                .setMaxBatchSize(123)
                                .setRetryPolicy(retry)
                                .setErrorPolicy(ErrorPolicy.discard().withFailOnPartialIngest(true))
                                .configure(new Configuration()));

        assertThat(described)
                .contains("wait=false")
                .contains("compression=NONE")
                .contains("maxBatchSize=123,")
                .contains(retry.toString())
                .contains("ErrorPolicy{DISCARD, failOnPartialIngest=true}");
    }

    @Test
    void configuringOneRetryKeyKeepsTheOthers() {
        Configuration config = new Configuration();
        config.set(TinybirdSinkOptions.RETRY_MAX_ATTEMPTS, 2);
        RetryPolicy retry =
                RetryPolicy.builder().initialBackoff(Duration.ofMillis(300)).maxBackoff(Duration.ofSeconds(3)).jitter(0.1).build();

        assertThat(built(valid().setRetryPolicy(retry).configure(config)))
                .contains("RetryPolicy{maxAttempts=2, initialBackoff=PT0.3S, maxBackoff=PT3S, jitter=0.1}");
    }

    @Test
    void toStringNeverContainsTheToken() {
        List<Consumer<TinybirdSinkBuilder<Map<String, Object>>>> variants =
                List.of(
                        b -> {},
                        b -> b.setToken("  " + TOKEN + "  "),
                        b -> b.configure(everyOption()),
                        b -> b.setErrorPolicy(ErrorPolicy.deadLetterTo("file:///tmp/dl")));
        for (Consumer<TinybirdSinkBuilder<Map<String, Object>>> variant : variants) {
            TinybirdSinkBuilder<Map<String, Object>> builder = valid();
            variant.accept(builder);
            assertThat(builder.build().toString()).doesNotContain(TOKEN).doesNotContain("eyJ1");
        }
    }
}
