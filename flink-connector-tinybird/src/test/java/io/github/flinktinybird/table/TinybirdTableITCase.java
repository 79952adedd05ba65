package io.github.flinktinybird.table;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.RecordedRequest;
import io.github.flinktinybird.testutil.FlinkLine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static io.github.flinktinybird.table.SqlJobs.insert;
import static io.github.flinktinybird.table.SqlJobs.ndjson;
import static io.github.flinktinybird.table.SqlJobs.resource;
import static io.github.flinktinybird.table.SqlJobs.tinybirdOptions;
import static io.github.flinktinybird.table.TableSinks.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SQL {@code INSERT INTO} a Tinybird table on a MiniCluster, into the local Events API. */
class TinybirdTableITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private EventsApiEmulator emulator;
    private TableEnvironment tEnv;

    @BeforeEach
    void setUp() {
        emulator = EventsApiEmulator.builder().start();
        tEnv = SqlJobs.tableEnvironment();
    }

    @AfterEach
    void tearDown() {
        emulator.close();
    }

    @Test
    void insertsValues() {
        tEnv.executeSql(
                "CREATE TABLE page_views (\n"
                        + "  event_id STRING NOT NULL,\n"
                        + "  `timestamp` TIMESTAMP(3),\n"
                        + "  user_id BIGINT,\n"
                        + "  path STRING,\n"
                        + "  duration_s DECIMAL(10, 3)\n"
                        + ") WITH (\n  "
                        + tinybirdOptions(emulator, "page_views",
                                "'json.timestamp-format.standard' = 'ISO-8601',\n"
                                        + "  'json.encode.decimal-as-plain-number' = 'true'")
                        + "\n)");

        insert(tEnv,
                // Only literals: the planner turns them into one source that keeps their order (rows
                // with expressions such as ARRAY[...] become a union, whose order is not defined).
                "INSERT INTO page_views VALUES\n"
                        + "  ('e-1', TIMESTAMP '2026-11-26 09:00:00.125', 42, '/pricing', 12.500),\n"
                        + "  ('e-2', TIMESTAMP '2026-11-26 09:00:01.000', 42, '/docs \"quoted\"', 0.001),\n"
                        + "  ('e-3', CAST(NULL AS TIMESTAMP(3)), CAST(NULL AS BIGINT), 'ünïcødé/✓', 1000)");

        // Flink 1.20's json format strips a DECIMAL's trailing zeros even as a plain number.
        assertThat(ndjson(emulator, "page_views"))
                .isEqualTo(resource(FlinkLine.is("1.20") ? "values-flink-1.20.ndjson" : "values.ndjson"));
        List<RecordedRequest> requests = emulator.requests();
        assertThat(requests).allSatisfy(request -> {
            assertThat(request.dataSource()).isEqualTo("page_views");
            assertThat(request.waitRequested()).isTrue();
            assertThat(request.gzip()).isTrue();
            assertThat(request.status()).isEqualTo(200);
        });
        assertThat(requests).extracting(RecordedRequest::lineCount).containsExactly(3);
    }

    @Test
    void insertsFromDatagenInSeveralRequests() {
        tEnv.executeSql(
                "CREATE TABLE clicks_source (\n"
                        + "  id BIGINT,\n"
                        + "  label STRING\n"
                        + ") WITH (\n"
                        + "  'connector' = 'datagen',\n"
                        + "  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '250',\n"
                        + "  'fields.label.kind' = 'sequence', 'fields.label.start' = '1001', 'fields.label.end' = '1250'\n"
                        + ")");
        tEnv.executeSql(
                "CREATE TABLE clicks (\n"
                        + "  click_id BIGINT,\n"
                        + "  label STRING,\n"
                        + "  bucket INT,\n"
                        + "  is_even BOOLEAN\n"
                        + ") WITH (\n  "
                        + tinybirdOptions(emulator, "clicks",
                                "'sink.batch.max-size' = '100', 'sink.requests.max-buffered' = '1000',"
                                        + " 'sink.requests.max-inflight' = '1', 'compression' = 'NONE'")
                        + "\n)");

        insert(tEnv,
                "INSERT INTO clicks SELECT id, CONCAT('label-', label), CAST(id % 7 AS INT), id % 2 = 0 FROM clicks_source");

        assertThat(ndjson(emulator, "clicks")).isEqualTo(resource("datagen.ndjson"));
        List<RecordedRequest> requests = emulator.requests();
        assertThat(requests).hasSizeGreaterThanOrEqualTo(3);
        assertThat(requests).allSatisfy(request -> {
            assertThat(request.lineCount()).isBetween(1, 100);
            assertThat(request.gzip()).isFalse();
        });
    }

    @Test
    void passesJsonStringsThroughWithTheRawFormat() {
        tEnv.executeSql(
                "CREATE TABLE raw_events (payload STRING) WITH (\n  "
                        + tinybirdOptions(emulator, "raw_events", "").replace("'format' = 'json'", "'format' = 'raw'")
                        + "\n)");

        insert(tEnv, "INSERT INTO raw_events VALUES ('{\"a\": 1}'), ('{\n  \"b\": [true, null]\n}')");

        assertThat(ndjson(emulator, "raw_events")).isEqualTo("{\"a\":1}\n{\"b\":[true,null]}\n");
    }

    @Test
    void aQueryWithUpdatesIsRefusedAsInsertOnly() {
        tEnv.executeSql("CREATE TABLE counts (path STRING, view_count BIGINT) WITH (\n  "
                + tinybirdOptions(emulator, "counts", "") + "\n)");
        tEnv.executeSql("CREATE TEMPORARY VIEW views_src AS SELECT * FROM (VALUES ('/a'), ('/b'), ('/a')) AS t(path)");

        assertThatThrownBy(() -> tEnv.executeSql("INSERT INTO counts SELECT path, COUNT(*) FROM views_src GROUP BY path"))
                .satisfies(e -> assertThat(messages(e))
                        .contains("The Tinybird sink is insert-only: the Events API appends rows and cannot update"
                                + " or delete them, but this query produces UPDATE_AFTER, UPDATE_BEFORE changes."));
        assertThat(emulator.requests()).isEmpty();
    }

    @Test
    void aWindowedAggregationIsAppendOnlyAndAccepted() {
        tEnv.executeSql("CREATE TABLE per_minute (window_start TIMESTAMP(3), view_count BIGINT) WITH (\n  "
                + tinybirdOptions(emulator, "per_minute", "'json.timestamp-format.standard' = 'ISO-8601'") + "\n)");
        tEnv.executeSql(
                "CREATE TABLE timed (\n"
                        + "  id INT,\n"
                        + "  ts AS TIMESTAMPADD(SECOND, id, TIMESTAMP '2026-11-26 09:00:00.000'),\n"
                        + "  WATERMARK FOR ts AS ts\n"
                        + ") WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '1', 'fields.id.end' = '150')");

        insert(tEnv,
                "INSERT INTO per_minute SELECT window_start, COUNT(*) FROM TABLE("
                        + "TUMBLE(TABLE timed, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end");

        assertThat(ndjson(emulator, "per_minute"))
                .isEqualTo("{\"window_start\":\"2026-11-26T09:00:00\",\"view_count\":59}\n"
                        + "{\"window_start\":\"2026-11-26T09:01:00\",\"view_count\":60}\n"
                        + "{\"window_start\":\"2026-11-26T09:02:00\",\"view_count\":31}\n");
    }

    @Test
    void aMissingTokenFailsWhenTheInsertIsPlannedAndNothingRuns() {
        tEnv.executeSql("CREATE TABLE no_token (a INT) WITH ('connector' = 'tinybird', 'endpoint' = '"
                + emulator.endpoint() + "', 'datasource' = 'no_token', 'format' = 'json')");

        assertThatThrownBy(() -> tEnv.executeSql("INSERT INTO no_token VALUES (1)"))
                .satisfies(e -> assertThat(messages(e))
                        .contains("add 'token.env-var' = '<an environment variable of the TaskManagers holding a token", "or 'token.file'"));
        assertThat(emulator.requests()).isEmpty();
    }

    @Test
    void aWrongTokenFailsTheJob() {
        tEnv.executeSql("CREATE TABLE bad_token (a INT) WITH (\n  "
                + tinybirdOptions(emulator, "bad_token", "").replace(EventsApiEmulator.DEFAULT_TOKEN, "not-the-token")
                + "\n)");

        assertThatThrownBy(() -> tEnv.executeSql("INSERT INTO bad_token VALUES (1)").await())
                .satisfies(e -> assertThat(messages(e))
                        .contains("Tinybird refused the token (403) for Data Source 'bad_token'")
                        .doesNotContain("not-the-token"));
        assertThat(emulator.rowCount("bad_token")).isZero();
    }
}
