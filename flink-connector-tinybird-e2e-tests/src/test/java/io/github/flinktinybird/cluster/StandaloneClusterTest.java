package io.github.flinktinybird.cluster;

import io.github.flinktinybird.emulator.EventsApiEmulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * The life of a standalone-cluster test class: one cluster for the class (started by the class's
 * own {@code @BeforeAll} through {@link #startCluster}), with the job jar a user would submit, its
 * logs printed when a test fails, and the Events API emulator each test starts closed after it.
 */
abstract class StandaloneClusterTest {

    static StandaloneFlinkCluster cluster;
    static Path jobJar;
    EventsApiEmulator tinybird;

    @RegisterExtension
    final TestWatcher logsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (cluster != null) {
                cluster.printLogs();
            }
        }
    };

    static void startCluster(String name, int taskManagers, String logLevel, Map<String, String> config,
            Map<String, String> taskManagerEnvironment) throws Exception {
        cluster = StandaloneFlinkCluster.start(name, taskManagers, logLevel, config, taskManagerEnvironment);
        jobJar = JobJar.build(cluster.dir().resolve("tinybird-job.jar"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @AfterEach
    void stopEmulator() {
        if (tinybird != null) {
            tinybird.close();
        }
    }
}
