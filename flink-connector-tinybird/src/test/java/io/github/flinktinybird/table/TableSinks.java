package io.github.flinktinybird.table;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.runtime.connector.sink.SinkRuntimeProviderContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Creates Tinybird table sinks the way the planner does, without a planner. */
final class TableSinks {
    static final ObjectIdentifier TABLE = ObjectIdentifier.of("default_catalog", "default_database", "events");

    private static final ResolvedSchema SCHEMA =
            ResolvedSchema.of(
                    Column.physical("event_id", DataTypes.STRING()),
                    Column.physical("amount", DataTypes.BIGINT()));

    private TableSinks() {}

    /** The options of a valid table; tests add, change or remove some. */
    static Map<String, String> validOptions() {
        Map<String, String> options = new HashMap<>();
        options.put("connector", "tinybird");
        options.put("token", "p.test-token");
        options.put("datasource", "events");
        options.put("format", "json");
        return options;
    }

    static DynamicTableSink create(Map<String, String> options) {
        CatalogTable table =
                CatalogTable.newBuilder()
                        .schema(Schema.newBuilder().fromResolvedSchema(SCHEMA).build())
                        .options(options)
                        .build();
        return FactoryUtil.createDynamicTableSink(
                null,
                TABLE,
                new ResolvedCatalogTable(table, SCHEMA),
                Collections.emptyMap(),
                new Configuration(),
                TableSinks.class.getClassLoader(),
                false);
    }

    static SinkV2Provider provider(Map<String, String> options) {
        return (SinkV2Provider) create(options).getSinkRuntimeProvider(new SinkRuntimeProviderContext(false));
    }

    static Sink<RowData> sink(Map<String, String> options) {
        return provider(options).createSink();
    }

    /** Every message of a throwable and its causes, so a test can look for the one that matters. */
    static String messages(Throwable thrown) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        return String.join("\n--- caused by: ", messages);
    }
}
