package io.github.flinktinybird.table;

import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;

import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.sink.TinybirdSink;
import io.github.flinktinybird.sink.TinybirdSinkOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.github.flinktinybird.table.TableSinks.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Options of {@code 'connector' = 'tinybird'}: parsed into the sink, or refused with what to set. */
class TinybirdDynamicTableFactoryTest {

    @Test
    void isDiscoveredAsTinybird() {
        assertThat(FactoryUtil.discoverFactory(getClass().getClassLoader(), DynamicTableSinkFactory.class, "tinybird"))
                .isInstanceOf(TinybirdDynamicTableFactory.class);
    }

    @Test
    void declaresEveryKeyOnceWithTinybirdsDefaults() {
        TinybirdDynamicTableFactory factory = new TinybirdDynamicTableFactory();
        Set<String> required = factory.requiredOptions().stream().map(o -> o.key()).collect(Collectors.toSet());
        assertThat(required).containsExactlyInAnyOrder("datasource", "format");
        // The token has three keys, exactly one of which is required (checked when planning).
        assertThat(factory.optionalOptions()).extracting(o -> o.key()).contains("token", "token.env-var", "token.file");
        assertThat(factory.optionalOptions())
                .extracting(o -> o.key())
                .doesNotHaveDuplicates()
                .contains("sink.batch.max-size", "sink.flush-buffer.size", "sink.flush-buffer.timeout",
                        "sink.requests.max-inflight", "sink.requests.max-buffered", "sink.parallelism");
        // The batching keys are ours (with defaults), not Flink's default-less ones.
        assertThat(factory.optionalOptions()).contains(TinybirdSinkOptions.MAX_BATCH_SIZE, TinybirdSinkOptions.FLUSH_BUFFER_TIMEOUT);
        Set<String> all = factory.optionalOptions().stream().map(o -> o.key()).collect(Collectors.toSet());
        all.addAll(required);
        for (var option : TinybirdSinkOptions.all()) {
            assertThat(all).as("every TinybirdSinkOptions key is a table option").contains(option.key());
        }
    }

    @Test
    void withOnlyTheRequiredOptionsTheSinkHasTheBuildersDefaults() {
        TinybirdSink<?> expected = TinybirdSink.builder().setToken("p.test-token").setDataSource("events").build();

        assertThat(TableSinks.sink(TableSinks.validOptions()).toString()).isEqualTo(expected.toString());
        assertThat(TableSinks.provider(TableSinks.validOptions()).getParallelism()).isEmpty();
    }

    @Test
    void parsesEveryOption(@TempDir Path deadLetters) {
        Map<String, String> options = TableSinks.validOptions();
        options.put("endpoint", "https://api.us-east.tinybird.co");
        options.put("wait", "false");
        options.put("compression", "NONE");
        options.put("allow-insecure-http", "true");
        options.put("sink.batch.max-size", "500");
        options.put("sink.flush-buffer.size", "2000000");
        options.put("sink.flush-buffer.timeout", "250");
        options.put("sink.requests.max-inflight", "2");
        options.put("sink.requests.max-buffered", "5000");
        options.put("sink.max-record-size", "100000");
        options.put("sink.request-timeout", "30 s");
        options.put("sink.retry.max-attempts", "3");
        options.put("sink.retry.initial-backoff", "50 ms");
        options.put("sink.retry.max-backoff", "2 s");
        options.put("sink.retry.jitter", "0.25");
        options.put("sink.error-policy", "DEAD_LETTER");
        options.put("sink.error-policy.dead-letter-path", deadLetters.toUri().toString());
        options.put("sink.error-policy.fail-on-partial-ingest", "true");
        options.put("sink.parallelism", "3");

        TinybirdSink<?> expected =
                TinybirdSink.builder()
                        .setToken("p.test-token")
                        .setDataSource("events")
                        .setEndpoint("https://api.us-east.tinybird.co")
                        .setWait(false)
                        .setCompression(Compression.NONE)
                        .setAllowInsecureHttp(true)
                        .setMaxBatchSize(500)
                        .setMaxBatchSizeInBytes(2_000_000)
                        .setMaxTimeInBufferMS(250)
                        .setMaxInFlightRequests(2)
                        .setMaxBufferedRequests(5000)
                        .setMaxRecordSizeInBytes(100_000)
                        .setRequestTimeout(Duration.ofSeconds(30))
                        .setRetryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(50))
                                .maxBackoff(Duration.ofSeconds(2)).jitter(0.25).build())
                        .setErrorPolicy(ErrorPolicy.deadLetterTo(deadLetters.toUri().toString()).withFailOnPartialIngest(true))
                        .build();

        assertThat(TableSinks.sink(options).toString()).isEqualTo(expected.toString());
        assertThat(TableSinks.provider(options).getParallelism()).hasValue(3);
    }

    @Test
    void aPlainHttpEndpointElsewhereThanLoopbackNeedsAllowInsecureHttp() {
        Map<String, String> options = TableSinks.validOptions();
        options.put("endpoint", "http://tinybird-local:7181");
        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e)).contains("allow-insecure-http"));

        options.put("allow-insecure-http", "true");
        assertThat(TableSinks.sink(options).toString()).contains("endpoint=http://tinybird-local:7181");
    }

    @Test
    void aMissingTokenSaysToSetIt() {
        Map<String, String> options = TableSinks.validOptions();
        options.remove("token");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e))
                        .contains("The Tinybird table 'default_catalog.default_database.events' is missing required"
                                + " options: add 'token.env-var' = '<an environment variable of the TaskManagers"
                                + " holding a token with the DATASOURCE:APPEND scope>' (or 'token.file' = '<a file on"
                                + " the TaskManagers>', or 'token') to its WITH clause."));
    }

    @Test
    void theTokenCanComeFromAnEnvironmentVariableOrAFileOfTheTaskManagers() {
        Map<String, String> options = TableSinks.validOptions();
        options.remove("token");
        options.put("token.env-var", "TINYBIRD_TOKEN");
        assertThat(TableSinks.sink(options).toString()).contains("token from environment variable TINYBIRD_TOKEN");

        options.remove("token.env-var");
        options.put("token.file", "/var/run/secrets/tinybird/token");
        assertThat(TableSinks.sink(options).toString()).contains("token from file /var/run/secrets/tinybird/token");
    }

    @Test
    void twoWaysToGiveTheTokenAreRefusedNamingTheKeysNotTheValues() {
        Map<String, String> options = TableSinks.validOptions();
        options.put("token", "p.secret-token-value");
        options.put("token.file", "/var/run/secrets/tinybird/token");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e))
                        .contains("(token, token.file)", "set exactly one of 'token', 'token.env-var' and 'token.file'")
                        .doesNotContain("secret-token-value"));
    }

    @Test
    void aMissingDataSourceSaysToSetIt() {
        Map<String, String> options = TableSinks.validOptions();
        options.remove("datasource");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e))
                        .contains("add 'datasource' = '<the name of the Data Source to append to>'"));
    }

    @Test
    void aMissingFormatSaysToSetJson() {
        Map<String, String> options = TableSinks.validOptions();
        options.remove("format");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e)).contains("add 'format' = 'json'"));
    }

    @Test
    void everyMissingOptionIsNamedAtOnce() {
        Map<String, String> options = Map.of("connector", "tinybird", "token", "  ");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e))
                        .contains("add 'token.env-var' = '<an environment variable of the TaskManagers holding a"
                                + " token with the DATASOURCE:APPEND scope>' (or 'token.file' = '<a file on the"
                                + " TaskManagers>', or 'token'), 'datasource' = '<the name of the Data Source to append"
                                + " to>', 'format' = 'json'"));
    }

    @Test
    void anUnknownKeyIsRejected() {
        Map<String, String> options = TableSinks.validOptions();
        options.put("sink.batch.size", "100");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e))
                        .contains("Unsupported options found for 'tinybird'")
                        .contains("Unsupported options:\n\nsink.batch.size")
                        .contains("sink.batch.max-size"));
    }

    @Test
    void anUnknownJsonFormatKeyIsRejected() {
        Map<String, String> options = TableSinks.validOptions();
        options.put("json.timestamp-format", "ISO-8601");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e)).contains("Unsupported options").contains("json.timestamp-format"));
    }

    @Test
    void aFormatThatDoesNotWriteJsonObjectsIsRefused() {
        Map<String, String> options = TableSinks.validOptions();
        options.put("format", "csv");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e))
                        .contains("has 'format' = 'csv', but the Events API takes one JSON object per row:"
                                + " set 'format' = 'json'"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "sink.batch.max-size        | many              | Could not parse value 'many' for key 'sink.batch.max-size'",
                "compression                | ZSTD              | Could not parse value 'ZSTD' for key 'compression'",
                "wait                       | maybe             | Could not parse value 'maybe' for key 'wait'",
                "sink.request-timeout       | soon              | Could not parse value 'soon' for key 'sink.request-timeout'",
                "sink.batch.max-size        | 0                 | maxBatchSize (sink.batch.max-size) must be positive",
                "sink.requests.max-buffered | 10000             | maxBufferedRequests (sink.requests.max-buffered) = 10000 must be greater than maxBatchSize (sink.batch.max-size) = 10000",
                "sink.flush-buffer.size     | 20000000          | is above Tinybird's request limit of 10000000 bytes",
                "sink.max-record-size       | 9000000           | a record must fit in one request",
                "sink.retry.max-backoff     | 40 s              | must be at most half of requestTimeout (sink.request-timeout)",
                "sink.retry.jitter          | 1.5               | retry jitter must be between 0.0 and 1.0, got 1.5",
                "sink.error-policy          | DEAD_LETTER       | sink.error-policy is DEAD_LETTER but sink.error-policy.dead-letter-path is not set",
                "sink.error-policy.dead-letter-path | file:///tmp/x | also set sink.error-policy=DEAD_LETTER",
                "endpoint                   | http://tinybird.example.com | allow-insecure-http",
                "endpoint                   | https://api.tinybird.co/v0/events | has a path ('/v0/events'): set only the API base URL",
                "datasource                 | 1events           | '1events' is not a Tinybird Data Source name",
                "token                      | p.abc def         | the Tinybird token contains whitespace",
            })
    void anInvalidValueSaysWhatToChange(String key, String value, String expected) {
        Map<String, String> options = TableSinks.validOptions();
        options.put(key, value);

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e)).contains(expected));
    }

    @Test
    void theTokenIsNeverInAnErrorMessage() {
        Map<String, String> options = TableSinks.validOptions();
        options.put("token", "p.secret-token-value");
        options.put("sink.batch.max-size", "-1");

        assertThatThrownBy(() -> TableSinks.create(options))
                .satisfies(e -> assertThat(messages(e)).contains("sink.batch.max-size").doesNotContain("secret-token-value"));
    }
}
