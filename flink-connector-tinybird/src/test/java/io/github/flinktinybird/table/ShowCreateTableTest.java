package io.github.flinktinybird.table;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What anyone who can list tables sees: Flink's {@code SHOW CREATE TABLE} prints every table option
 * as written, without masking, so a token in the {@code WITH} clause is shown; with {@code
 * token.env-var} or {@code token.file} only the name or the path is. docs/sql.md says so.
 */
class ShowCreateTableTest {

    private static String showCreate(String tokenOption) throws Exception {
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tables.executeSql("CREATE TABLE page_views (id BIGINT) WITH ('connector' = 'tinybird', " + tokenOption
                + ", 'datasource' = 'page_views', 'format' = 'json')");
        List<String> printed = new ArrayList<>();
        try (CloseableIterator<Row> rows = tables.executeSql("SHOW CREATE TABLE page_views").collect()) {
            rows.forEachRemaining(row -> printed.add(String.valueOf(row.getField(0))));
        }
        return String.join("\n", printed);
    }

    @Test
    void aTokenInTheWithClauseIsPrintedUnmasked() throws Exception {
        String shown = showCreate("'token' = 'p.SHOWN_IN_DDL_1234'");

        assertThat(shown).contains("'token' = 'p.SHOWN_IN_DDL_1234'");
    }

    @Test
    void aTokenFromAnEnvironmentVariableOrFileIsNotInTheDdl() throws Exception {
        assertThat(showCreate("'token.env-var' = 'TINYBIRD_TOKEN'"))
                .contains("'token.env-var' = 'TINYBIRD_TOKEN'").doesNotContain("'token' =");
        assertThat(showCreate("'token.file' = '/var/run/secrets/tinybird/token'"))
                .contains("'token.file' = '/var/run/secrets/tinybird/token'").doesNotContain("'token' =");
    }
}
