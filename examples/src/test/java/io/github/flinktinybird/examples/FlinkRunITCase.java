package io.github.flinktinybird.examples;

import org.apache.flink.client.cli.CliFrontend;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterClientConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.RecordedRequest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Submits the packaged job jar the way a user does, through Flink's command line ({@code flink run
 * -D...}) to a running cluster, and checks on the Events API that the {@code -D} settings shaped
 * the requests. Runs after {@code package}, since it needs the job jar.
 */
class FlinkRunITCase {
    private static final int EVENTS = 5_000;
    private static final int BATCH = 700;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void flinkRunDynamicPropertiesReachTheSink(
            @InjectClusterClientConfiguration Configuration cluster, @TempDir Path confDir) {
        Path jar = Path.of(System.getProperty("example.jar", "target/tinybird-example-job.jar"));
        assertThat(jar).as("the job jar; run `mvn verify`, which packages it first").exists();

        try (EventsApiEmulator tinybird = EventsApiEmulator.builder().start()) {
            // As docker-compose.yml submits: the cluster named with -m, everything else as -D.
            Configuration client = new Configuration();
            CliFrontend flink = new CliFrontend(client, CliFrontend.loadCustomCommandLines(client, confDir.toString()));
            String jobManager = cluster.get(RestOptions.ADDRESS) + ":" + cluster.get(RestOptions.PORT);

            int exitCode = flink.parseAndRun(new String[] {
                "run",
                "-m", jobManager,
                "-p", "2",
                "-Dsink.batch.max-size=" + BATCH,
                "-Dcompression=NONE",
                "-Dexample.events=" + EVENTS,
                "-Dexample.events-per-second=0",
                "-Dendpoint=" + tinybird.endpoint(),
                "-Dtoken=" + EventsApiEmulator.DEFAULT_TOKEN,
                "-Ddatasource=page_hits",
                jar.toString()
            });

            assertThat(exitCode).isZero();
            assertThat(tinybird.rowCount("page_hits")).isEqualTo(EVENTS);
            List<RecordedRequest> requests = tinybird.requests();
            assertThat(requests).allSatisfy(request -> {
                assertThat(request.lineCount()).isLessThanOrEqualTo(BATCH);
                assertThat(request.gzip()).isFalse();
            });
            assertThat(requests).anySatisfy(request -> assertThat(request.lineCount()).isEqualTo(BATCH));
        }
    }

    @Test
    void theJobJarNamesItsMainClassAndLeavesFlinkOut() throws Exception {
        Path jar = Path.of(System.getProperty("example.jar", "target/tinybird-example-job.jar"));
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(WebAnalyticsJob.class.getName());
            assertThat(file.getEntry("io/github/flinktinybird/sink/TinybirdSink.class")).isNotNull();
            assertThat(file.getEntry("org/apache/flink/connector/datagen/source/DataGeneratorSource.class")).isNotNull();
            assertThat(file.getEntry("org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class")).isNull();
            assertThat(file.getEntry("org/apache/flink/connector/base/sink/AsyncSinkBase.class")).isNull();
            assertThat(file.getEntry("io/github/flinktinybird/emulator/EventsApiEmulator.class")).isNull();
        }
        assertThat(Files.size(jar)).isLessThan(20L << 20);
    }
}
