package io.github.flinktinybird.table;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.factories.FactoryUtil;

import io.github.flinktinybird.sink.TinybirdSinkOptions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of a {@code 'connector' = 'tinybird'} table, all defined in {@link
 * TinybirdSinkOptions} (and Flink's {@code format}, {@code sink.parallelism}), and the checks that
 * Flink's generic validation does not phrase in terms a SQL user can act on.
 */
final class TinybirdTableOptions {

    /** The formats that write one JSON object per row, as the Events API takes them. */
    static final Set<String> FORMATS = Set.of("json", "raw");

    /** What to write for each required option, in the message that reports it missing. */
    private static final Map<ConfigOption<?>, String> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put(TinybirdSinkOptions.DATASOURCE, "'datasource' = '<the name of the Data Source to append to>'");
        REQUIRED.put(FactoryUtil.FORMAT, "'format' = 'json'");
    }

    private TinybirdTableOptions() {}

    static Set<ConfigOption<?>> required() {
        return REQUIRED.keySet();
    }

    /** Every {@link TinybirdSinkOptions} option that is not required, and the sink parallelism. */
    static List<ConfigOption<?>> optional() {
        List<ConfigOption<?>> optional = new ArrayList<>();
        for (ConfigOption<?> option : TinybirdSinkOptions.all()) {
            if (!REQUIRED.containsKey(option)) {
                optional.add(option);
            }
        }
        optional.add(FactoryUtil.SINK_PARALLELISM);
        return optional;
    }

    /** The ways to give the token, recommended first; exactly one is required. */
    static final List<ConfigOption<String>> TOKEN_OPTIONS =
            List.of(TinybirdSinkOptions.TOKEN_ENV_VAR, TinybirdSinkOptions.TOKEN_FILE, TinybirdSinkOptions.TOKEN);

    /** Fails, naming every required option that is missing or blank and how to set it. */
    static void checkRequired(String table, Map<String, String> options) {
        List<String> missing = new ArrayList<>();
        if (TOKEN_OPTIONS.stream().map(option -> options.get(option.key())).allMatch(v -> v == null || v.isBlank())) {
            // More than one is refused by the sink's own validation, naming the keys.
            missing.add("'token.env-var' = '<an environment variable of the TaskManagers holding a token with"
                    + " the DATASOURCE:APPEND scope>' (or 'token.file' = '<a file on the TaskManagers>', or 'token')");
        }
        for (Map.Entry<ConfigOption<?>, String> required : REQUIRED.entrySet()) {
            String value = options.get(required.getKey().key());
            if (value == null || value.isBlank()) {
                missing.add(required.getValue());
            }
        }
        if (!missing.isEmpty()) {
            throw new ValidationException(
                    "The Tinybird table " + table + " is missing required options: add "
                            + String.join(", ", missing) + " to its WITH clause.");
        }
    }

    /** Fails unless the format writes JSON objects. */
    static void checkFormat(String table, String format) {
        if (!FORMATS.contains(format)) {
            throw new ValidationException(
                    "The Tinybird table " + table + " has 'format' = '" + format + "', but the Events API"
                            + " takes one JSON object per row: set 'format' = 'json' (or 'raw' for a"
                            + " single STRING column that already holds JSON objects).");
        }
    }
}
