package io.github.flinktinybird.table;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.table.sink.AsyncDynamicTableSink;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.RowKind;

import io.github.flinktinybird.sink.TinybirdRecord;
import io.github.flinktinybird.sink.TinybirdSink;
import io.github.flinktinybird.sink.TinybirdSinkBuilder;
import io.github.flinktinybird.sink.TinybirdSinkOptions;

import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A Tinybird table: each inserted row becomes one JSON object, written by the format, appended to
 * the table's Data Source by a {@link TinybirdSink}. Insert-only, since the Events API can only
 * append.
 */
@Internal
final class TinybirdDynamicSink extends AsyncDynamicTableSink<TinybirdRecord> {

    private final ReadableConfig options;
    private final EncodingFormat<SerializationSchema<RowData>> format;
    private final DataType physicalDataType;
    private final Integer parallelism;

    TinybirdDynamicSink(
            ReadableConfig options,
            EncodingFormat<SerializationSchema<RowData>> format,
            DataType physicalDataType,
            Integer parallelism) {
        super(
                options.get(TinybirdSinkOptions.MAX_BATCH_SIZE),
                options.get(TinybirdSinkOptions.MAX_IN_FLIGHT_REQUESTS),
                options.get(TinybirdSinkOptions.MAX_BUFFERED_REQUESTS),
                options.get(TinybirdSinkOptions.FLUSH_BUFFER_SIZE),
                options.get(TinybirdSinkOptions.FLUSH_BUFFER_TIMEOUT));
        this.options = options;
        this.format = format;
        this.physicalDataType = physicalDataType;
        this.parallelism = parallelism;
    }

    /**
     * Accepts inserts only. The planner passes the changelog the query produces, so a query with
     * updates or deletes is refused here with a message about Tinybird rather than the planner's
     * generic one.
     */
    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        if (!requestedMode.containsOnly(RowKind.INSERT)) {
            throw new ValidationException(
                    "The Tinybird sink is insert-only: the Events API appends rows and cannot update or"
                            + " delete them, but this query produces "
                            + requestedMode.getContainedKinds().stream()
                                    .filter(kind -> kind != RowKind.INSERT)
                                    .map(RowKind::name)
                                    .sorted()
                                    .collect(Collectors.joining(", "))
                            + " changes. Write an append-only query (e.g. a windowed aggregation"
                            + " instead of a GROUP BY over the whole stream), or append every"
                            + " version and deduplicate in Tinybird with a ReplacingMergeTree.");
        }
        return ChangelogMode.insertOnly();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        SerializationSchema<RowData> schema = format.createRuntimeEncoder(context, physicalDataType);
        TinybirdSinkBuilder<RowData> builder =
                TinybirdSink.<RowData>builder().configure(options).setSerializationSchema(schema);
        addAsyncOptionsToSinkBuilder(builder);
        return SinkV2Provider.of(builder.build(), parallelism);
    }

    @Override
    public DynamicTableSink copy() {
        return new TinybirdDynamicSink(options, format, physicalDataType, parallelism);
    }

    @Override
    public String asSummaryString() {
        return "Tinybird";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || !super.equals(o)) {
            return false;
        }
        TinybirdDynamicSink that = (TinybirdDynamicSink) o;
        return options.equals(that.options)
                && format.equals(that.format)
                && physicalDataType.equals(that.physicalDataType)
                && Objects.equals(parallelism, that.parallelism);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), options, format, physicalDataType, parallelism);
    }
}
