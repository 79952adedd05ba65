package io.github.flinktinybird.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import io.github.flinktinybird.serialize.JacksonSerializationSchema;
import io.github.flinktinybird.serialize.JsonLines;
import io.github.flinktinybird.serialize.JsonStringSerializationSchema;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
        // Our own schemas produce one compact object; any other, subclasses of ours included (they
        // may configure Jackson to indent), gets validated per record.
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
            // Even our Jackson schema can emit a line break: @JsonRawValue and custom serializers
            // write raw text, and "1}\n{...}" in one would forge a second row. A byte scan is cheap;
            // only a line that has one pays for the full check (which rejects it, or compacts it).
            if (!schemaWritesCompactObjects || hasLineBreak(line)) {
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    /** 0x0E in every byte: {@code '\n'} (0x0A) and {@code '\r'} (0x0D) are the bytes below it that matter. */
    private static final long BELOW_0E = 0x0E * ONES;

    /**
     * Whether the line holds a {@code '\n'} or {@code '\r'} byte, eight bytes at a time: every
     * element pays this, and a byte-by-byte loop took over twice as long (JMH {@code lineBreakScan}).
     * One test per word finds any byte below 0x0E; Jackson escapes every control character in
     * strings, so only raw output ({@code @JsonRawValue}, custom serializers) has one, and only
     * then are the eight bytes looked at one by one.
     */
    static boolean hasLineBreak(byte[] line) {
        int i = 0;
        for (int words = line.length - 7; i < words; i += 8) {
            long word = (long) LONGS.get(line, i);
            if (hasByteBelow0E(word) && lineBreakIn(line, i, i + 8)) {
                return true;
            }
        }
        return lineBreakIn(line, i, line.length);
    }

    private static boolean lineBreakIn(byte[] line, int from, int to) {
        for (int i = from; i < to; i++) {
            if (line[i] == '\n' || line[i] == '\r') {
                return true;
            }
        }
        return false;
    }

    /**
     * Exact as to whether there is one: the lowest byte below 0x0E always sets its high bit here
     * (a borrow only runs upwards from such a byte), and no word without one sets any.
     */
    private static boolean hasByteBelow0E(long word) {
        return ((word - BELOW_0E) & ~word & HIGH_BITS) != 0;
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
