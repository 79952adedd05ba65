package io.github.flinktinybird.sink;

import org.apache.flink.configuration.Configuration;

import io.github.flinktinybird.http.RetryPolicy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a user sees when building a sink with settings that cannot work: an error on submit that says what to change. */
class TinybirdSinkBuilderBadInputTest {

    private static final String TOKEN = "p.eyJ1IjogImJ1aWxkZXItdGVzdCJ9";

    private static TinybirdSinkBuilder<Map<String, Object>> builder() {
        return TinybirdSink.<Map<String, Object>>builder().setToken(TOKEN).setDataSource("events");
    }

    @Test
    void aTokenWithATrailingNewlineFromASecretFileIsAccepted() {
        TinybirdSink<Map<String, Object>> sink = builder().setToken(" " + TOKEN + "\n").build();

        assertThat(sink.toString()).doesNotContain(TOKEN);
    }

    @Test
    void aTokenWithWhitespaceOrALineBreakInsideIsRefusedWithoutQuotingIt() {
        for (String bad : new String[] {"p.eyJ1 IjogImJ1aWxkZXItdGVzdCJ9", "p.eyJ1\nIjogImJ1aWxkZXItdGVzdCJ9", "p.eyJ1\tIjog"}) {
            assertThatThrownBy(() -> builder().setToken(bad).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("whitespace, a line break")
                    .hasMessageContaining("copy the token again")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("eyJ1"));
        }
        assertThatThrownBy(() -> builder().setToken("  ").build()).hasMessageContaining("no Tinybird token");
    }

    @Test
    void anEndpointWithATrailingSlashIsAcceptedAsTheBaseUrl() {
        TinybirdSink<Map<String, Object>> sink = builder().setEndpoint("https://api.us-east.tinybird.co/").build();

        assertThat(sink.toString()).contains("endpoint=https://api.us-east.tinybird.co,");
    }

    @Test
    void anEndpointWithAPathIsRefusedNamingThePath() {
        assertThatThrownBy(() -> builder().setEndpoint("https://api.tinybird.co/v0/events").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a path ('/v0/events')")
                .hasMessageContaining("adds /v0/events itself");
    }

    @Test
    void anEndpointWithATokenInTheQueryIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> builder().setEndpoint("https://api.tinybird.co?token=" + TOKEN).build())
                .hasMessageContaining("must not have a query")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
    }

    @Test
    void plainHttpIsRefusedOffLoopbackUnlessAllowed() {
        assertThatThrownBy(() -> builder().setEndpoint("http://tinybird-local:7181").build())
                .hasMessageContaining("setAllowInsecureHttp(true)");
        assertThat(builder().setEndpoint("http://tinybird-local:7181").setAllowInsecureHttp(true).build()).isNotNull();
        assertThat(builder().setEndpoint("http://localhost:7181").build()).isNotNull();
    }

    @Test
    void settingsThatContradictEachOtherAreRefusedNamingBoth() {
        assertThatThrownBy(() -> builder().setMaxBatchSize(1_000).setMaxBufferedRequests(1_000).build())
                .hasMessageContaining("sink.requests.max-buffered").hasMessageContaining("sink.batch.max-size");
        assertThatThrownBy(() -> builder().setMaxBatchSizeInBytes(1_000_000).setMaxRecordSizeInBytes(2_000_000).build())
                .hasMessageContaining("sink.max-record-size").hasMessageContaining("sink.flush-buffer.size");
        assertThatThrownBy(() -> builder().setMaxBatchSizeInBytes(20_000_000).build())
                .hasMessageContaining("Tinybird's request limit");
        assertThatThrownBy(() -> builder()
                        .setRequestTimeout(Duration.ofSeconds(10))
                        .setRetryPolicy(RetryPolicy.builder().maxBackoff(Duration.ofSeconds(6)).build())
                        .build())
                .hasMessageContaining("sink.retry.max-backoff").hasMessageContaining("sink.request-timeout");
        assertThatThrownBy(() -> builder().setDataSourceSelector(e -> "other").build())
                .hasMessageContaining("both a Data Source");
        assertThatThrownBy(() -> builder().setMaxInFlightRequests(0).build())
                .hasMessageContaining("sink.requests.max-inflight");
    }

    @Test
    void configurationKeysThatContradictEachOtherAreRefused() {
        Configuration deadLetterPathOnly = Configuration.fromMap(Map.of("sink.error-policy.dead-letter-path", "file:///tmp/dl"));
        assertThatThrownBy(() -> builder().configure(deadLetterPathOnly))
                .hasMessageContaining("also set sink.error-policy=DEAD_LETTER");

        Configuration deadLetterWithoutPath = Configuration.fromMap(Map.of("sink.error-policy", "DEAD_LETTER"));
        assertThatThrownBy(() -> builder().configure(deadLetterWithoutPath))
                .hasMessageContaining("sink.error-policy.dead-letter-path is not set");
    }
}
