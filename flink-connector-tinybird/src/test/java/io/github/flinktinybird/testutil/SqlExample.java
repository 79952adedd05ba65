package io.github.flinktinybird.testutil;

import io.github.flinktinybird.emulator.EventsApiEmulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL Client example in {@code examples/}, as the tests that run it see it. */
public final class SqlExample {
    public static final Path PATH = Repository.file("examples", "tinybird-sql-client.sql");

    private static final String ENDPOINT = "'https://api.tinybird.co'";
    private static final String TOKEN = "'<DATASOURCE:APPEND token>'";

    private SqlExample() {}

    /** The example as a user would paste it, with its endpoint and token pointed at {@code emulator}. */
    public static String pointedAt(EventsApiEmulator emulator) throws IOException {
        String script = Files.readString(PATH, StandardCharsets.UTF_8);
        assertThat(script).as("the example's placeholders").contains(ENDPOINT, TOKEN);
        return script.replace(ENDPOINT, "'" + emulator.endpoint() + "'")
                .replace(TOKEN, "'" + EventsApiEmulator.DEFAULT_TOKEN + "'");
    }

    /** What the example writes: 500 page views, pv-1 to pv-500, each with every column. */
    public static void assertRowsArrived(EventsApiEmulator emulator) {
        List<ObjectNode> rows = emulator.rows("page_views");
        assertThat(rows.stream().map(row -> row.get("event_id").asText()).sorted().collect(Collectors.toList()))
                .isEqualTo(IntStream.rangeClosed(1, 500).mapToObj(i -> "pv-" + i).sorted().collect(Collectors.toList()));
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.fieldNames()).toIterable()
                    .containsExactly("event_id", "timestamp", "user_id", "path", "duration_s", "tags");
            assertThat(row.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z");
            assertThat(row.get("user_id").asLong()).isBetween(1L, 50L);
            assertThat(row.get("path").asText()).isIn("/", "/pricing", "/docs", "/blog");
            assertThat(row.get("duration_s").isNumber()).isTrue();
            assertThat(row.get("tags").isArray()).isTrue();
        });
        assertThat(emulator.quarantined("page_views")).isEmpty();
    }
}
