package io.github.flinktinybird.table;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.testutil.SqlExample;
import io.github.flinktinybird.testutil.SqlScript;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL Client example in {@code examples/}, run as pasted, against the local Events API. ({@code
 * SqlJarIT} runs it again with the SQL jar alone.)
 */
class SqlExampleITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @Test
    void theSqlClientExampleRuns() throws Exception {
        try (EventsApiEmulator emulator = EventsApiEmulator.builder().start()) {
            SqlScript.run(SqlJobs.tableEnvironment(), SqlExample.pointedAt(emulator));

            SqlExample.assertRowsArrived(emulator);
        }
    }

    @Test
    void scriptsSplitAtSemicolonsOutsideQuotesAndComments() {
        assertThat(SqlScript.statements("SET 'a' = 'x;y'; -- a comment; still a comment\nSELECT 'it''s';\n"))
                .containsExactly("SET 'a' = 'x;y'", "SELECT 'it''s'");
    }
}
