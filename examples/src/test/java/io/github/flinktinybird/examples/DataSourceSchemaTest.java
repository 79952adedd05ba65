package io.github.flinktinybird.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Data Source file and the events the job sends name the same fields, so no row is quarantined. */
class DataSourceSchemaTest {

    @Test
    void everyEventFieldHasAColumnAndEveryColumnAField() throws Exception {
        String datafile = Files.readString(Path.of("tinybird/datasources/web_events.datasource"));
        Matcher jsonPath = Pattern.compile("`json:\\$\\.(\\w+)`").matcher(datafile);
        List<String> columns = new ArrayList<>();
        while (jsonPath.find()) {
            columns.add(jsonPath.group(1));
        }

        JsonNode event = new ObjectMapper().valueToTree(new WebEventGenerator("run_1").eventAt(0, Instant.now()));
        List<String> fields = new ArrayList<>();
        event.fieldNames().forEachRemaining(fields::add);

        assertThat(columns).containsExactlyInAnyOrderElementsOf(fields);
        assertThat(datafile).contains("ENGINE \"ReplacingMergeTree\"", "ENGINE_SORTING_KEY \"event_id\"");
    }
}
