package io.github.flinktinybird.sink;

import org.apache.flink.runtime.util.EnvironmentInformation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The artifact version names the Flink line it was built against ({@code <connector>-<line>}), so
 * a user who picks the jar by its version gets one compiled for their cluster. Catches a profile
 * whose {@code revision} and {@code flink.version} disagree.
 */
class FlinkLineVersionTest {

    @Test
    void theConnectorVersionEndsWithTheFlinkLineItWasBuiltAgainst() {
        String flink = EnvironmentInformation.getVersion();
        String line = flink.replaceFirst("^(\\d+\\.\\d+)\\..*$", "$1");

        assertThat(line).as("Flink version %s", flink).matches("\\d+\\.\\d+");
        assertThat(UserAgent.CONNECTOR_VERSION).matches("\\d+\\.\\d+\\.\\d+-" + line.replace(".", "\\.") + "(-SNAPSHOT)?");
    }
}
