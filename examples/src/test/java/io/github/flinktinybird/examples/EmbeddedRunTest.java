package io.github.flinktinybird.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code ./run-example.sh} does without a token, in-process: a local MiniCluster, the
 * embedded Events API answering some requests 503/429, the summary read from the sink's metrics
 * through the progress reporter, and the read-back.
 */
class EmbeddedRunTest {

    @Test
    void everyEventArrivesThroughTheInjectedFailures() throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        WebAnalyticsJob.run(
                ProgramArguments.toConfiguration(
                        "-Dexample.events=3000",
                        "-Dexample.events-per-second=0",
                        "-Dexample.emulator.fault-rate=0.3",
                        "-Dsink.batch.max-size=250",
                        "-Dsink.retry.initial-backoff=10 ms",
                        "-Dparallelism.default=2"),
                Map.of(),
                new PrintStream(output, true, StandardCharsets.UTF_8));

        String printed = output.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains("on the embedded Events API at http://127.0.0.1:")
                .contains("maxBatchSize=250")
                .contains("Summary: 3,000 events generated; the sink committed 3,000 rows")
                .contains("Read back from 'web_events': 3,000 rows, 3,000 distinct event ids (3,000 expected), 0 quarantined.")
                .contains("Every event arrived.")
                .containsPattern("refused for a retry")
                .doesNotContain(TinybirdTarget.TOKEN_VARIABLE + "=");
    }

    @Test
    void aFaultRateOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> WebAnalyticsJob.run(
                        ProgramArguments.toConfiguration("-Dexample.emulator.fault-rate=1.5"), Map.of(), System.out))
                .hasMessageContaining("example.emulator.fault-rate must be between 0 and 1");
    }
}
