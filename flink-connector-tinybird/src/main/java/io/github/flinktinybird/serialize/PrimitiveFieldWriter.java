package io.github.flinktinybird.serialize;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.AnnotatedField;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.BooleanSerializer;
import com.fasterxml.jackson.databind.ser.std.NumberSerializers;

import java.util.List;

/**
 * Writes a public (or Jackson-accessible) field of a primitive type without boxing it. Jackson
 * reads every field with {@code Field.get}, which boxes a {@code long}, {@code int} or {@code
 * double}, and hands the box to a serializer that unboxes it into {@code gen.writeNumber}: a
 * reflective call, an allocation and a virtual call per field per element, where {@code
 * Field.getLong} and the same {@code writeNumber} do. The bytes are the same because the fast path
 * is only taken when Jackson chose its own standard serializer for the field (so no
 * {@code @JsonSerialize}, {@code @JsonFormat(shape = STRING)}, module override), with no type
 * information and no value to suppress ({@code @JsonInclude}); anything else goes through {@link
 * BeanPropertyWriter} as before, checked per element since Jackson assigns the serializer after
 * the writer is made.
 */
final class PrimitiveFieldWriter extends BeanPropertyWriter {
    private static final long serialVersionUID = 1L;

    private final Class<?> type;
    private final Class<?> standardSerializer;

    private PrimitiveFieldWriter(BeanPropertyWriter base, Class<?> type, Class<?> standardSerializer) {
        super(base);
        this.type = type;
        this.standardSerializer = standardSerializer;
    }

    /** Installs the writer on the primitive fields of every bean the mapper serializes. */
    static final class Modifier extends BeanSerializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public List<BeanPropertyWriter> changeProperties(
                SerializationConfig config, BeanDescription bean, List<BeanPropertyWriter> writers) {
            for (int i = 0; i < writers.size(); i++) {
                BeanPropertyWriter writer = writers.get(i);
                // Only Jackson's own writer class: another module's writer is left as it is.
                if (writer.getClass() != BeanPropertyWriter.class || !(writer.getMember() instanceof AnnotatedField)) {
                    continue;
                }
                Class<?> type = writer.getType().getRawClass();
                Class<?> standard = standardSerializerOf(type);
                if (standard != null) {
                    writers.set(i, new PrimitiveFieldWriter(writer, type, standard));
                }
            }
            return writers;
        }
    }

    /** Jackson's own serializer for a primitive type (and its box), or null for a type not written here. */
    static Class<?> standardSerializerOf(Class<?> type) {
        if (type == long.class) {
            return NumberSerializers.LongSerializer.class;
        }
        if (type == int.class) {
            return NumberSerializers.IntegerSerializer.class;
        }
        if (type == double.class) {
            return NumberSerializers.DoubleSerializer.class;
        }
        if (type == float.class) {
            return NumberSerializers.FloatSerializer.class;
        }
        if (type == short.class) {
            return NumberSerializers.ShortSerializer.class;
        }
        if (type == boolean.class) {
            return BooleanSerializer.class;
        }
        return null;
    }

    @Override
    public void serializeAsField(Object bean, JsonGenerator gen, SerializerProvider prov) throws Exception {
        JsonSerializer<Object> serializer = _serializer;
        if (_field == null
                || serializer == null
                || serializer.getClass() != standardSerializer
                || _typeSerializer != null
                || _suppressableValue != null) {
            super.serializeAsField(bean, gen, prov);
            return;
        }
        gen.writeFieldName(_name);
        if (type == long.class) {
            gen.writeNumber(_field.getLong(bean));
        } else if (type == int.class) {
            gen.writeNumber(_field.getInt(bean));
        } else if (type == double.class) {
            gen.writeNumber(_field.getDouble(bean));
        } else if (type == float.class) {
            gen.writeNumber(_field.getFloat(bean));
        } else if (type == short.class) {
            gen.writeNumber(_field.getShort(bean));
        } else {
            gen.writeBoolean(_field.getBoolean(bean));
        }
    }
}
