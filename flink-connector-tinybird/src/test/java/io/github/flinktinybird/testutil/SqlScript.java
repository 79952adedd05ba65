package io.github.flinktinybird.testutil;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a SQL script the way a SQL Client user would paste it: statement after statement, each to
 * completion. It uses Flink's API only, never a connector class, so that it can run in a JVM whose
 * class path holds Flink and the connector's SQL jar alone.
 */
public final class SqlScript {
    private static final Pattern SET = Pattern.compile("SET\\s+'([^']+)'\\s*=\\s*'([^']*)'", Pattern.CASE_INSENSITIVE);

    private SqlScript() {}

    /** {@code SqlScript <script.sql>}: exits non-zero, with the stack trace, if a statement fails. */
    public static void main(String[] args) throws Exception {
        String script = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        run(TableEnvironment.create(EnvironmentSettings.inStreamingMode()), script);
    }

    public static void run(TableEnvironment tEnv, String script) throws Exception {
        for (String statement : statements(script)) {
            Matcher set = SET.matcher(statement);
            if (set.matches()) {
                // The SQL Client's own statement; a TableEnvironment has no SET. table.dml-sync is
                // left alone: this runner waits for every statement anyway, and its own wait reports
                // a failed job's cause, where the synchronous INSERT of a local run can hide it.
                if (!set.group(1).equals("table.dml-sync")) {
                    tEnv.getConfig().set(set.group(1), set.group(2));
                }
                System.out.println("OK: " + statement);
                continue;
            }
            long start = System.nanoTime();
            TableResult result = tEnv.executeSql(statement);
            result.await();
            System.out.println("OK: " + statement.lines().findFirst().orElse("") + " -> " + result.getResultKind()
                    + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    /** The statements of a script: split at semicolons outside quotes, without {@code --} comments. */
    public static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            if (!quoted && c == '-' && i + 1 < script.length() && script.charAt(i + 1) == '-') {
                while (i < script.length() && script.charAt(i) != '\n') {
                    i++;
                }
                current.append('\n');
            } else if (!quoted && c == ';') {
                if (!current.toString().isBlank()) {
                    statements.add(current.toString().strip());
                }
                current.setLength(0);
            } else {
                if (c == '\'') {
                    quoted = !quoted; // '' inside a literal toggles twice, which is right
                }
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) {
            throw new IllegalArgumentException("the script ends without ';' after: " + current.toString().strip());
        }
        return statements;
    }
}
