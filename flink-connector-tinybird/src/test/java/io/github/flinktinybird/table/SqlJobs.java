package io.github.flinktinybird.table;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import io.github.flinktinybird.emulator.EventsApiEmulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;

/** SQL on the MiniCluster of the calling test class, writing to an emulator. */
final class SqlJobs {
    private SqlJobs() {}

    /** A streaming table environment with parallelism 1, so rows arrive in a predictable order. */
    static TableEnvironment tableEnvironment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        TableEnvironment tEnv = StreamTableEnvironment.create(env);
        // TIMESTAMP_LTZ values print in the session zone; the tests must not depend on the machine's.
        tEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        return tEnv;
    }

    /** The WITH options of a Tinybird table on {@code emulator}, followed by {@code extra}. */
    static String tinybirdOptions(EventsApiEmulator emulator, String dataSource, String extra) {
        return "'connector' = 'tinybird',\n"
                + "  'endpoint' = '" + emulator.endpoint() + "',\n"
                + "  'token' = '" + EventsApiEmulator.DEFAULT_TOKEN + "',\n"
                + "  'datasource' = '" + dataSource + "',\n"
                + "  'format' = 'json'"
                + (extra.isEmpty() ? "" : ",\n  " + extra);
    }

    /** Runs an INSERT to completion. */
    static void insert(TableEnvironment tEnv, String sql) {
        try {
            tEnv.executeSql(sql).await();
        } catch (Exception e) {
            throw new AssertionError("INSERT failed: " + sql, e);
        }
    }

    /** The NDJSON the emulator stored for {@code dataSource}: every request body, in arrival order. */
    static String ndjson(EventsApiEmulator emulator, String dataSource) {
        List<String> lines = emulator.rawRows(dataSource);
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    static String resource(String name) {
        try (InputStream in = SqlJobs.class.getResourceAsStream("/sql/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource sql/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
