package io.github.flinktinybird.examples;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example depends on the connector version this repository builds, and on the same Flink, so
 * that {@code ./run-example.sh} runs the code next to it and not a stale jar from the local Maven
 * repository.
 */
class ConnectorVersionTest {
    private static final Path ROOT = Path.of(System.getProperty("repository.root", ".."));

    @Test
    void theExampleUsesTheConnectorAndFlinkVersionsOfTheRootPom() throws Exception {
        XPath xpath = XPathFactory.newInstance().newXPath();
        Document root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        Document example = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());

        String version = xpath.evaluate("/project/version", root).strip();
        if (version.startsWith("${")) {
            // A CI-friendly version: ${name} defined in the root pom's properties.
            String property = version.substring(2, version.length() - 1);
            version = xpath.evaluate("/project/properties/" + property, root).strip();
        }
        assertThat(xpath.evaluate("/project/properties/connector.version", example).strip())
                .as("examples/pom.xml connector.version").isEqualTo(version);
        assertThat(xpath.evaluate("/project/properties/flink.version", example).strip())
                .as("examples/pom.xml flink.version")
                .isEqualTo(xpath.evaluate("/project/properties/flink.version", root).strip());
    }
}
