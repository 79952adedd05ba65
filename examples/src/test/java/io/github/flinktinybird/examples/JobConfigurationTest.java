package io.github.flinktinybird.examples;

import org.apache.flink.configuration.Configuration;

import io.github.flinktinybird.sink.TinybirdSink;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Job configuration keys, however given, reach the sink the job builds. */
class JobConfigurationTest {

    @Test
    void batchSettingsFromTheJobConfigurationReachTheSink() {
        Configuration config = ProgramArguments.toConfiguration(
                "-Dsink.batch.max-size=1234",
                "-Dsink.flush-buffer.timeout=250",
                "-Dsink.requests.max-inflight=2",
                "-Dsink.retry.max-attempts=3",
                "-Dcompression=NONE");
        TinybirdTarget target = TinybirdTarget.configured(config, Map.of("TINYBIRD_TOKEN", "p.secret")).orElseThrow();

        TinybirdSink<WebEvent> sink = WebAnalyticsJob.sink(config, target);

        assertThat(sink.toString())
                .contains("maxBatchSize=1234", "maxTimeInBufferMS=250", "maxInFlightRequests=2", "maxAttempts=3", "compression=NONE")
                .doesNotContain("p.secret");
    }

    @Test
    void withoutSettingsTheSinkKeepsItsDefaults() {
        Configuration config = new Configuration();
        TinybirdTarget target = TinybirdTarget.configured(config, Map.of("TINYBIRD_TOKEN", "p.secret")).orElseThrow();

        assertThat(WebAnalyticsJob.sink(config, target).toString())
                .contains("endpoint=https://api.tinybird.co", "maxBatchSize=10000", "maxTimeInBufferMS=1000");
        assertThat(target.dataSource).isEqualTo("web_events");
    }

    @Test
    void tokenAndEndpointComeFromTheEnvironmentUnlessConfigured() {
        Map<String, String> environment = Map.of("TINYBIRD_TOKEN", "p.env", "TINYBIRD_ENDPOINT", "https://api.us-east.tinybird.co");

        TinybirdTarget fromEnvironment = TinybirdTarget.configured(new Configuration(), environment).orElseThrow();
        assertThat(fromEnvironment.token).isEqualTo("p.env");
        assertThat(fromEnvironment.endpoint).isEqualTo("https://api.us-east.tinybird.co");

        Configuration config = ProgramArguments.toConfiguration(
                "-Dtoken=p.config", "-Dendpoint=http://localhost:7181", "-Ddatasource=clicks");
        TinybirdTarget fromConfig = TinybirdTarget.configured(config, environment).orElseThrow();
        assertThat(fromConfig.token).isEqualTo("p.config");
        assertThat(fromConfig.endpoint).isEqualTo("http://localhost:7181");
        assertThat(fromConfig.dataSource).isEqualTo("clicks");
    }

    @Test
    void aTokenFileIsLeftToTheTaskManagersAndUsedHereOnlyToReadBack(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("tinybird-token"), "p.from-file\n");
        Configuration config = ProgramArguments.toConfiguration("-Dtoken.file=" + file);
        // Even with the variable set here too: the sink must get one token source, the file.
        TinybirdTarget target = TinybirdTarget.configured(config, Map.of("TINYBIRD_TOKEN", "p.env")).orElseThrow();

        assertThat(target.token).as("the sink's own token").isNull();
        assertThat(WebAnalyticsJob.sink(config, target).toString())
                .contains("token from file " + file).doesNotContain("p.from-file").doesNotContain("p.env");
        assertThat(target.readToken).isEqualTo("p.env");
        assertThat(TinybirdTarget.configured(config, Map.of()).orElseThrow().readToken).isEqualTo("p.from-file");
    }

    @Test
    void aTokenOnlyTheTaskManagersHaveLeavesNothingToReadBackWith() {
        Configuration config = ProgramArguments.toConfiguration("-Dtoken.env-var=TINYBIRD_TOKEN");
        TinybirdTarget target = TinybirdTarget.configured(config, Map.of()).orElseThrow();

        assertThat(WebAnalyticsJob.sink(config, target).toString()).contains("token from environment variable TINYBIRD_TOKEN");
        assertThat(target.readToken).isNull();
    }

    @Test
    void withoutATokenTheJobUsesTheEmbeddedEventsApi() {
        assertThat(TinybirdTarget.configured(new Configuration(), Map.of())).isEmpty();
        assertThat(TinybirdTarget.configured(new Configuration(), Map.of("TINYBIRD_TOKEN", " "))).isEmpty();
    }

    @Test
    void programArgumentsAreFlinkConfigurationKeys() {
        Configuration config = ProgramArguments.toConfiguration("-Dexample.events=10", "-D", "example.events-per-second=0");

        assertThat(config.get(ExampleOptions.EVENTS)).isEqualTo(10L);
        assertThat(config.get(ExampleOptions.EVENTS_PER_SECOND)).isZero();
        assertThatThrownBy(() -> ProgramArguments.toConfiguration("--events", "10"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dkey=value");
    }
}
