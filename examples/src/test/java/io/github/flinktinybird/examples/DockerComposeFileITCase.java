package io.github.flinktinybird.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.github.flinktinybird.sink.TinybirdSinkOptions;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker-compose.yml} cannot be run here (no Docker engine), so this test reads it and
 * checks what would break it: the services and how they depend on each other, ports, image tags
 * (Flink's must match {@code flink.version} in the connector's pom), the {@code -D} keys handed to
 * {@code flink run}, and that every file it mounts exists. An ITCase, run after {@code package},
 * because one of those files is the job jar.
 */
class DockerComposeFileITCase {
    private static final Path ROOT = Path.of(System.getProperty("repository.root", "..")).toAbsolutePath().normalize();

    private static JsonNode services;
    private static String flinkVersion;

    @BeforeAll
    static void read() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        services = compose.path("services");
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        flinkVersion = XPathFactory.newInstance().newXPath().evaluate("/project/properties/flink.version", pom).strip();
    }

    @Test
    void hasFlinkTinybirdLocalAndTheTwoOneShotSteps() {
        assertThat(names(services)).containsExactlyInAnyOrder(
                "tinybird-local", "tinybird-init", "jobmanager", "taskmanager", "submit");
    }

    @Test
    void flinkImagesMatchTheConnectorsFlinkVersion() {
        assertThat(flinkVersion).isNotEmpty().isEqualTo(System.getProperty("flink.version", flinkVersion));
        String expected = "flink:" + flinkVersion + "-scala_2.12-java17";
        for (String name : List.of("jobmanager", "taskmanager", "submit")) {
            assertThat(services.path(name).path("image").asText()).as(name + " image").isEqualTo(expected);
        }
        assertThat(services.path("tinybird-local").path("image").asText()).startsWith("tinybirdco/tinybird-local:");
    }

    @Test
    void exposesFlinksWebUiAndTinybirdLocal() {
        assertThat(texts(services.path("jobmanager").path("ports"))).contains("8081:8081");
        assertThat(texts(services.path("tinybird-local").path("ports"))).contains("7181:7181");
        assertThat(services.path("jobmanager").path("command").asText()).isEqualTo("jobmanager");
        assertThat(services.path("taskmanager").path("command").asText()).isEqualTo("taskmanager");
        assertThat(services.path("taskmanager").path("environment").path("FLINK_PROPERTIES").asText())
                .contains("jobmanager.rpc.address: jobmanager");
    }

    @Test
    void theJobIsSubmittedOnceTinybirdIsReady() {
        JsonNode dependsOn = services.path("submit").path("depends_on");
        assertThat(dependsOn.path("tinybird-init").path("condition").asText()).isEqualTo("service_completed_successfully");
        assertThat(names(dependsOn)).contains("jobmanager", "taskmanager");
        assertThat(services.path("tinybird-init").path("network_mode").asText()).isEqualTo("service:tinybird-local");
    }

    @Test
    void submitRunsTheJobJarWithKnownSettingsOnly() {
        String script = String.join("\n", texts(services.path("submit").path("command")));
        assertThat(script)
                .contains("flink run -m jobmanager:8081")
                .contains("/jobs/example.jar")
                .contains("-Dendpoint=http://tinybird-local:7181")
                .contains("-Dallow-insecure-http=true")
                // The TaskManager reads the token from the shared volume: it is not in the job graph.
                .contains("-Dtoken.file=/shared/tinybird-token")
                .doesNotContain("TINYBIRD_TOKEN=");
        assertThat(texts(services.path("taskmanager").path("volumes"))).contains("tinybird-token:/shared:ro");

        Set<String> known = new HashSet<>();
        for (ConfigOption<?> option : TinybirdSinkOptions.all()) {
            known.add(option.key());
        }
        known.addAll(List.of(ExampleOptions.EVENTS.key(), ExampleOptions.EVENTS_PER_SECOND.key()));
        Matcher dynamic = Pattern.compile("-D([\\w.-]+)=").matcher(script);
        List<String> keys = new ArrayList<>();
        while (dynamic.find()) {
            keys.add(dynamic.group(1));
        }
        assertThat(keys).isNotEmpty();
        assertThat(known).as("connector and example option keys").containsAll(keys);
    }

    @Test
    void everyMountedFileExists() {
        List<String> sources = new ArrayList<>();
        for (String name : names(services)) {
            for (String volume : texts(services.path(name).path("volumes"))) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    sources.add(source);
                }
            }
        }
        assertThat(sources).contains("./examples/target/tinybird-example-job.jar", "./examples/tinybird");
        assertThat(sources).allSatisfy(source -> assertThat(ROOT.resolve(source).normalize()).exists());
        assertThat(ROOT.resolve("examples/tinybird/datasources/web_events.datasource")).isRegularFile();
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).collect(Collectors.toList());
    }
}
