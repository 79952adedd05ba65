package io.github.flinktinybird.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import io.github.flinktinybird.serialize.JacksonSerializationSchema;
import io.github.flinktinybird.serialize.JsonLines;
import io.github.flinktinybird.serialize.JsonStringSerializationSchema;

import java.util.regex.Pattern;

/**
 * Element → {@link TinybirdRecord}: serializes, makes sure the line is one compact JSON object,
 * chooses the Data Source and enforces the record size cap. Elements that fail any of these are
 * rejected with a {@link RecordRejectedException} saying why, so that the error policy handles them
 * before Flink's buffer would fail the job on them.
 */
@Internal
public final class TinybirdElementConverter<T> implements ElementConverter<T, TinybirdRecord> {
    private static final long serialVersionUID = 1L;

    /** Tinybird Data Source names (and ids such as {@code t_0123abcd}). */
    static final Pattern DATA_SOURCE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");

    private final SerializationSchema<T> schema;
    private final boolean schemaWritesCompactObjects;
    private final String dataSource;
    private final DataSourceSelector<T> selector;
    private final long maxRecordSizeInBytes;

    TinybirdElementConverter(
            SerializationSchema<T> schema,
            String dataSource,
            DataSourceSelector<T> selector,
            long maxRecordSizeInBytes) {
        this.schema = schema;
        // Our own schemas produce one compact object (they check their lines themselves); any
        // other, subclasses of ours included (they may configure Jackson to indent), gets
        // validated per record.
        this.schemaWritesCompactObjects =
                schema.getClass() == JacksonSerializationSchema.class
                        || schema.getClass() == JsonStringSerializationSchema.class;
        this.dataSource = dataSource;
        this.selector = selector;
        this.maxRecordSizeInBytes = maxRecordSizeInBytes;
    }

    /** Opens the serialization schema; called from the writer's constructor. */
    void open(SerializationSchema.InitializationContext context) throws Exception {
        schema.open(context);
    }

    @Override
    public TinybirdRecord apply(T element, SinkWriter.Context context) {
        if (element == null) {
            throw new RecordRejectedException(
                    dataSource, null, "the element is null; filter nulls out before the Tinybird sink", null);
        }
        String target = chooseDataSource(element);
        byte[] line;
        try {
            line = schema.serialize(element);
            if (!schemaWritesCompactObjects) {
                line = JsonLines.compactObject(line);
            }
        } catch (RuntimeException e) {
            throw new RecordRejectedException(
                    target,
                    null,
                    "a "
                            + element.getClass().getName()
                            + " element could not be serialized for Data Source '"
                            + target
                            + "': "
                            + e.getMessage(),
                    e);
        }
        if (line.length + 1L > maxRecordSizeInBytes) {
            throw new RecordRejectedException(
                    target,
                    line,
                    "a record for Data Source '"
                            + target
                            + "' is "
                            + (line.length + 1L)
                            + " bytes, above the record size cap of "
                            + maxRecordSizeInBytes
                            + " bytes; raise maxRecordSizeInBytes (sink.max-record-size) or make"
                            + " the event smaller",
                    null);
        }
        return new TinybirdRecord(target, line);
    }

    private String chooseDataSource(T element) {
        if (selector == null) {
            return dataSource;
        }
        String chosen;
        try {
            chosen = selector.select(element);
        } catch (RuntimeException e) {
            throw new RecordRejectedException(
                    null, null, "the Data Source selector threw: " + e, e);
        }
        if (chosen == null || !DATA_SOURCE_NAME.matcher(chosen).matches()) {
            throw new RecordRejectedException(
                    null,
                    null,
                    "the Data Source selector returned "
                            + (chosen == null ? "null" : "'" + chosen + "'")
                            + ", which is not a Data Source name (letters, digits and underscores,"
                            + " not starting with a digit)",
                    null);
        }
        return chosen;
    }
}
