package io.github.flinktinybird.sink;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code flink-connector-tinybird/<version> (Flink <version>; Java <version>)}. */
final class UserAgent {
    static final String CONNECTOR_VERSION = connectorVersion();
    static final String VALUE =
            "flink-connector-tinybird/"
                    + CONNECTOR_VERSION
                    + " (Flink "
                    + flinkVersion()
                    + "; Java "
                    + System.getProperty("java.version")
                    + ")";

    private UserAgent() {}

    private static String connectorVersion() {
        try (InputStream in = UserAgent.class.getResourceAsStream("/io/github/flinktinybird/connector.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String flinkVersion() {
        try {
            return org.apache.flink.runtime.util.EnvironmentInformation.getVersion();
        } catch (RuntimeException | LinkageError e) {
            return "unknown";
        }
    }
}
