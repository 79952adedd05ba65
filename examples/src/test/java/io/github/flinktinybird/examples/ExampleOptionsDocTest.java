package io.github.flinktinybird.examples;

import org.apache.flink.configuration.ConfigOption;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md lists the example job's settings with their current defaults. */
class ExampleOptionsDocTest {

    @Test
    void configurationReferenceListsEveryExampleOption() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("repository.root", "..")).resolve("docs/configuration.md"));
        for (ConfigOption<?> option : ExampleOptions.all()) {
            assertThat(doc).contains("| `" + option.key() + "` | `" + option.defaultValue() + "` |");
        }
    }
}
