package io.github.flinktinybird.table;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.testutil.FlinkLine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.ZoneId;
import java.util.Map;

import static io.github.flinktinybird.table.SqlJobs.insert;
import static io.github.flinktinybird.table.SqlJobs.ndjson;
import static io.github.flinktinybird.table.SqlJobs.tinybirdOptions;
import static io.github.flinktinybird.table.TableSinks.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exact NDJSON line each Flink SQL type becomes, through the {@code json} format, as documented
 * in {@code docs/sql.md}. "recommended" is {@code 'json.timestamp-format.standard' = 'ISO-8601'}
 * with {@code 'json.encode.decimal-as-plain-number' = 'true'}; "defaults" is the json format as it
 * comes.
 */
class TinybirdTypeMappingITCase {

    static final String RECOMMENDED =
            "'json.timestamp-format.standard' = 'ISO-8601', 'json.encode.decimal-as-plain-number' = 'true'";

    /**
     * Where another Flink line's {@code json} format writes something else than 2.2's, by {@code
     * type|options|expression} of the table below; {@code docs/sql.md} notes each difference.
     */
    static final Map<String, Map<String, String>> ON_OTHER_LINES =
            Map.of(
                    "1.20", Map.of("DECIMAL(10, 2)|recommended|CAST(1234.50 AS DECIMAL(10, 2))", "{\"v\":1234.5}"),
                    "2.3", Map.of("TIME(3)|recommended|TIME '12:34:56.789'", "{\"v\":\"12:34:56.789\"}"));

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static EventsApiEmulator emulator;
    private TableEnvironment tEnv;

    @BeforeAll
    static void startEmulator() {
        emulator = EventsApiEmulator.builder().start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void setUp() {
        emulator.reset();
        tEnv = SqlJobs.tableEnvironment();
    }

    private static JsonNode readTree(String line) {
        try {
            return new ObjectMapper().readTree(line);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** Writes one row with column {@code v} of {@code type} set to {@code expression}. */
    private String write(String type, String options, String expression) {
        tEnv.executeSql("CREATE TABLE t (v " + type + ") WITH (\n  "
                + tinybirdOptions(emulator, "types", options.equals("recommended") ? RECOMMENDED : "") + ")");
        insert(tEnv, "INSERT INTO t SELECT " + expression);
        return ndjson(emulator, "types");
    }

    @ParameterizedTest(name = "{0} ({1}): {2}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "BOOLEAN                    | recommended | TRUE                                     | {\"v\":true}",
                "TINYINT                    | recommended | CAST(-128 AS TINYINT)                    | {\"v\":-128}",
                "SMALLINT                   | recommended | CAST(32767 AS SMALLINT)                  | {\"v\":32767}",
                "INT                        | recommended | CAST(-2147483648 AS INT)                 | {\"v\":-2147483648}",
                "BIGINT                     | recommended | 9223372036854775807                      | {\"v\":9223372036854775807}",
                "FLOAT                      | recommended | CAST(1.5 AS FLOAT)                       | {\"v\":1.5}",
                "DOUBLE                     | recommended | CAST(0.1 AS DOUBLE)                      | {\"v\":0.1}",
                "DOUBLE                     | recommended | CAST(1e300 AS DOUBLE)                    | {\"v\":1.0E300}",
                "DOUBLE                     | recommended | CAST('NaN' AS DOUBLE)                    | {\"v\":\"NaN\"}",
                "DOUBLE                     | recommended | CAST('-Infinity' AS DOUBLE)              | {\"v\":\"-Infinity\"}",
                "DECIMAL(10, 2)             | recommended | CAST(1234.50 AS DECIMAL(10, 2))          | {\"v\":1234.50}",
                "DECIMAL(10, 2)             | defaults    | CAST(1234.50 AS DECIMAL(10, 2))          | {\"v\":1234.5}",
                "DECIMAL(10, 0)             | recommended | CAST(1000 AS DECIMAL(10, 0))             | {\"v\":1000}",
                "DECIMAL(10, 0)             | defaults    | CAST(1000 AS DECIMAL(10, 0))             | {\"v\":1E+3}",
                "DECIMAL(38, 18)            | recommended | CAST('12345678901234567890.123456789012345678' AS DECIMAL(38, 18)) | {\"v\":12345678901234567890.123456789012345678}",
                "CHAR(4)                    | recommended | 'ab'                                     | {\"v\":\"ab  \"}",
                "STRING                     | recommended | 'quote \" backslash \\ é ✓'              | {\"v\":\"quote \\\" backslash \\\\ é ✓\"}",
                "STRING                     | recommended | CONCAT('line', CHR(10), 'break')         | {\"v\":\"line\\nbreak\"}",
                "BYTES                      | recommended | X'CAFE'                                  | {\"v\":\"yv4=\"}",
                "DATE                       | recommended | DATE '2026-11-26'                        | {\"v\":\"2026-11-26\"}",
                "TIME(3)                    | recommended | TIME '12:34:56.789'                      | {\"v\":\"12:34:56\"}",
                "TIMESTAMP(3)               | recommended | TIMESTAMP '2026-11-26 12:34:56.789'      | {\"v\":\"2026-11-26T12:34:56.789\"}",
                "TIMESTAMP(3)               | recommended | TIMESTAMP '2026-11-26 12:34:56.780'      | {\"v\":\"2026-11-26T12:34:56.78\"}",
                "TIMESTAMP(3)               | recommended | TIMESTAMP '2026-11-26 12:34:56.000'      | {\"v\":\"2026-11-26T12:34:56\"}",
                "TIMESTAMP(3)               | defaults    | TIMESTAMP '2026-11-26 12:34:56.789'      | {\"v\":\"2026-11-26 12:34:56.789\"}",
                "TIMESTAMP(6)               | recommended | TIMESTAMP '2026-11-26 12:34:56.123456'   | {\"v\":\"2026-11-26T12:34:56.123456\"}",
                "TIMESTAMP_LTZ(3)           | recommended | TO_TIMESTAMP_LTZ(1795696496789, 3)       | {\"v\":\"2026-11-26T12:34:56.789Z\"}",
                "TIMESTAMP_LTZ(3)           | defaults    | TO_TIMESTAMP_LTZ(1795696496789, 3)       | {\"v\":\"2026-11-26 12:34:56.789Z\"}",
                "ARRAY<INT>                 | recommended | ARRAY[1, 2, CAST(NULL AS INT)]           | {\"v\":[1,2,null]}",
                "MAP<STRING, INT>           | recommended | MAP['a', 1, 'b', 2]                      | {\"v\":{\"a\":1,\"b\":2}}",
                "VARCHAR(10)                | recommended | 'short'                                  | {\"v\":\"short\"}",
                "VARBINARY(4)               | recommended | X'CAFE'                                  | {\"v\":\"yv4=\"}",
                "BINARY(4)                  | recommended | X'CAFE'                                  | {\"v\":\"yv4AAA==\"}",
                "ROW<name STRING, score DOUBLE> | recommended | ROW('x', 1.5)                       | {\"v\":{\"name\":\"x\",\"score\":1.5}}",
                "ARRAY<ROW<k STRING, n INT>> | recommended | ARRAY[ROW('a', 1), ROW('b', 2)]         | {\"v\":[{\"k\":\"a\",\"n\":1},{\"k\":\"b\",\"n\":2}]}",
                "STRING                     | recommended | CAST(NULL AS STRING)                     | {\"v\":null}",
                "TIMESTAMP(3)               | recommended | CAST(NULL AS TIMESTAMP(3))               | {\"v\":null}",
            })
    void writesEachTypeAsDocumented(String type, String options, String expression, String expectedLine) {
        String onThisLine =
                ON_OTHER_LINES.getOrDefault(FlinkLine.CURRENT, Map.of())
                        .getOrDefault(type + "|" + options + "|" + expression, expectedLine);
        String written = write(type, options, expression);
        if (FlinkLine.is("1.20") && type.startsWith("MAP")) {
            // Flink 1.20 writes a map's members in no particular order.
            assertThat(readTree(written)).isEqualTo(readTree(onThisLine));
        } else {
            assertThat(written).isEqualTo(onThisLine + "\n");
        }
    }

    @Test
    void timestampLtzIsWrittenInUtcWhateverTheSessionZone() {
        tEnv.getConfig().setLocalTimeZone(ZoneId.of("America/New_York"));

        assertThat(write("TIMESTAMP_LTZ(3)", "recommended", "CAST(TIMESTAMP '2026-11-26 07:34:56.789' AS TIMESTAMP_LTZ(3))"))
                .isEqualTo("{\"v\":\"2026-11-26T12:34:56.789Z\"}\n");
    }

    @Test
    void aMultisetIsAnObjectOfCounts() {
        // Flink SQL has no multiset literal; COLLECT in a window (append-only) makes one.
        tEnv.executeSql("CREATE TABLE timed (id INT, ts AS TIMESTAMPADD(SECOND, id, TIMESTAMP '2026-11-26 09:00:00.000'),"
                + " WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence',"
                + " 'fields.id.start' = '1', 'fields.id.end' = '3')");
        tEnv.executeSql("CREATE TABLE t (v MULTISET<STRING>) WITH (\n  " + tinybirdOptions(emulator, "types", "") + ")");
        insert(tEnv, "INSERT INTO t SELECT COLLECT(CAST(CASE WHEN id < 3 THEN 'a' ELSE 'b' END AS STRING))"
                + " FROM TABLE(TUMBLE(TABLE timed, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end");

        // A multiset has no order.
        assertThat(readTree(ndjson(emulator, "types"))).isEqualTo(readTree("{\"v\":{\"a\":2,\"b\":1}}"));
    }

    @Test
    void nullFieldsCanBeLeftOutSoThatTinybirdAppliesColumnDefaults() {
        tEnv.executeSql("CREATE TABLE t (a STRING, b INT) WITH (\n  "
                + tinybirdOptions(emulator, "types", "'json.encode.ignore-null-fields' = 'true'") + ")");
        insert(tEnv, "INSERT INTO t VALUES ('x', CAST(NULL AS INT))");

        assertThat(ndjson(emulator, "types")).isEqualTo("{\"a\":\"x\"}\n");
    }

    @Test
    void aNullMapKeyIsWrittenAsTheConfiguredLiteral() {
        tEnv.executeSql("CREATE TABLE t (v MAP<STRING, INT>) WITH (\n  "
                + tinybirdOptions(emulator, "types",
                        "'json.map-null-key.mode' = 'LITERAL', 'json.map-null-key.literal' = 'unknown'") + ")");
        insert(tEnv, "INSERT INTO t VALUES (MAP[CAST(NULL AS STRING), 1, 'a', 2])");

        // As a JSON value: Flink 1.20 does not keep the map's order.
        assertThat(readTree(ndjson(emulator, "types"))).isEqualTo(readTree("{\"v\":{\"unknown\":1,\"a\":2}}"));
    }

    @Test
    void aMapWithNonStringKeysIsRefusedByTheFormat() {
        tEnv.executeSql("CREATE TABLE t (v MAP<INT, INT>) WITH (\n  " + tinybirdOptions(emulator, "types", "") + ")");

        assertThatThrownBy(() -> tEnv.executeSql("INSERT INTO t VALUES (MAP[1, 2])"))
                .satisfies(e -> assertThat(messages(e)).contains("JSON format doesn't support non-string as key type of map"));
    }
}
