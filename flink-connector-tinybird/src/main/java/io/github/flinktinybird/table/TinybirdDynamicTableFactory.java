package io.github.flinktinybird.table;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.table.AsyncDynamicTableSinkFactory;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.factories.FactoryUtil;

import io.github.flinktinybird.sink.TinybirdSink;
import io.github.flinktinybird.sink.TinybirdSinkOptions;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Creates the Tinybird table sink: {@code CREATE TABLE ... WITH ('connector' = 'tinybird',
 * 'token.env-var' = 'TINYBIRD_TOKEN', 'datasource' = '...', 'format' = 'json')}. Every option is a {@link
 * TinybirdSinkOptions} key, the same as {@code TinybirdSinkBuilder#configure}; the batching keys
 * ({@code sink.batch.max-size}, {@code sink.flush-buffer.*}, {@code sink.requests.*}) are those of
 * Flink's async table sinks, with Tinybird's defaults. Options are checked when a statement writing
 * to the table is planned, and unknown keys are rejected.
 */
@PublicEvolving
public class TinybirdDynamicTableFactory extends AsyncDynamicTableSinkFactory {

    /** The value of {@code 'connector'}. */
    public static final String IDENTIFIER = "tinybird";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return new HashSet<>(TinybirdTableOptions.required());
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        // Flink's async options carry the same keys without defaults; ours replace them, so that
        // each key is declared once, with Tinybird's default and description.
        Set<String> ours =
                TinybirdTableOptions.optional().stream().map(ConfigOption::key).collect(Collectors.toSet());
        Set<ConfigOption<?>> options = new HashSet<>();
        for (ConfigOption<?> inherited : super.optionalOptions()) {
            if (!ours.contains(inherited.key())) {
                options.add(inherited);
            }
        }
        options.addAll(TinybirdTableOptions.optional());
        return options;
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        String table = "'" + context.getObjectIdentifier().asSummaryString() + "'";
        Map<String, String> tableOptions = context.getCatalogTable().getOptions();
        TinybirdTableOptions.checkRequired(table, tableOptions);
        TinybirdTableOptions.checkFormat(table, tableOptions.get(FactoryUtil.FORMAT.key()));

        AsyncDynamicSinkContext sinkContext = new AsyncDynamicSinkContext(this, context);
        sinkContext.getFactoryHelper().validate();
        ReadableConfig options = sinkContext.getTableOptions();

        checkSinkSettings(table, options);
        return new TinybirdDynamicSink(
                options,
                sinkContext.getEncodingFormat(),
                sinkContext.getPhysicalDataType(),
                options.getOptional(FactoryUtil.SINK_PARALLELISM).orElse(null));
    }

    /**
     * Runs the DataStream builder's own validation now, while the statement is planned, rather than
     * when the job is translated: the serialization schema is not known yet, but it is the only
     * setting that comes later.
     */
    private static void checkSinkSettings(String table, ReadableConfig options) {
        try {
            TinybirdSink.builder().configure(options).build();
        } catch (IllegalArgumentException e) {
            throw new ValidationException("Invalid options for the Tinybird table " + table + ": " + e.getMessage(), e);
        }
    }
}
