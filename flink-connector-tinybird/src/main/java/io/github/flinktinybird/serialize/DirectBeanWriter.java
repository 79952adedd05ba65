package io.github.flinktinybird.serialize;

import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializer;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import com.fasterxml.jackson.databind.ser.std.NullSerializer;
import com.fasterxml.jackson.databind.ser.std.StringSerializer;

import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a bean whose properties are all strings, numbers and booleans straight into a {@link
 * JsonLineBuilder}, in the order, under the names and with the null handling Jackson's own bean
 * serializer chose for it. Jackson's way spends most of an element's time in per-value machinery:
 * a virtual call to each property's writer and to its serializer, and in the generator an output
 * context check, a buffer bound and an escape-table set-up per value. Here each property is a slot
 * made once per class: its {@code "name":} bytes and how to read and write its value.
 *
 * <p>Only beans Jackson would write with nothing but that get a writer: {@link #of} returns
 * {@code null} for any bean with an object id, a filter, a type id, a view in force, root wrapping,
 * or a property with a custom or non-scalar serializer, type information, a value to suppress or
 * another writer than Jackson's (any-getters, unwrapping). A getter that throws, or a value of
 * another type than the property's (heap pollution), makes {@link #write} return {@code null}: the
 * element then goes through Jackson, which calls the getters again and reports it as it always did.
 */
final class DirectBeanWriter {
    private static final int LONG = 0;
    private static final int INT = 1;
    private static final int SHORT = 2;
    private static final int DOUBLE = 3;
    private static final int FLOAT = 4;
    private static final int BOOLEAN = 5;
    private static final int STRING = 6;

    private final Slot[] slots;

    private DirectBeanWriter(Slot[] slots) {
        this.slots = slots;
    }

    /** A writer for the beans {@code root} serializes, or {@code null} when Jackson must write them. */
    static DirectBeanWriter of(JsonSerializer<?> root, SerializationConfig config) {
        if (root.getClass() != BeanSerializer.class
                || config.getActiveView() != null
                || config.getFullRootName() != null
                || config.isEnabled(SerializationFeature.WRAP_ROOT_VALUE)) {
            return null;
        }
        BeanView bean = new BeanView((BeanSerializerBase) root);
        if (!bean.plain()) {
            return null;
        }
        List<Slot> slots = new ArrayList<>();
        for (BeanPropertyWriter property : bean.propertyWriters()) {
            Slot slot = property == null ? null : Slot.of(new PropertyView(property));
            if (slot == null) {
                return null;
            }
            slots.add(slot);
        }
        return new DirectBeanWriter(slots.toArray(new Slot[0]));
    }

    /** The bean's JSON line, or {@code null} when one of its values needs Jackson. */
    byte[] write(Object bean, JsonLineBuilder out) {
        out.reset();
        out.writeByte('{');
        boolean first = true;
        try {
            for (Slot slot : slots) {
                Field field = slot.field;
                if (slot.primitiveField) {
                    first = slot.name(out, first);
                    switch (slot.kind) {
                        case LONG:
                            out.writeLong(field.getLong(bean));
                            break;
                        case INT:
                            out.writeLong(field.getInt(bean));
                            break;
                        case SHORT:
                            out.writeLong(field.getShort(bean));
                            break;
                        case DOUBLE:
                            out.writeDouble(field.getDouble(bean));
                            break;
                        case FLOAT:
                            out.writeFloat(field.getFloat(bean));
                            break;
                        default:
                            out.writeBoolean(field.getBoolean(bean));
                    }
                    continue;
                }
                Object value = field != null ? field.get(bean) : slot.getter.invoke(bean);
                if (value == null) {
                    if (slot.writesNull) {
                        first = slot.name(out, first);
                        out.writeNull();
                    }
                    continue;
                }
                first = slot.name(out, first);
                writeValue(slot.kind, value, out);
            }
        } catch (ReflectiveOperationException | ClassCastException | ArithmeticException e) {
            // A getter that threw, a value of another type than declared (heap pollution, which
            // Jackson refuses), a string too long for an array: Jackson does it again, getters
            // included, and writes or reports it in its own words.
            return null;
        }
        out.writeByte('}');
        return out.toLine();
    }

    /** Casts as Jackson's standard serializers do, so that a value of another type fails as there. */
    private static void writeValue(int kind, Object value, JsonLineBuilder out) {
        switch (kind) {
            case STRING:
                out.writeString((String) value);
                break;
            case LONG:
                out.writeLong((Long) value);
                break;
            case INT:
                out.writeLong((Integer) value);
                break;
            case SHORT:
                out.writeLong((Short) value);
                break;
            case DOUBLE:
                out.writeDouble((Double) value);
                break;
            case FLOAT:
                out.writeFloat((Float) value);
                break;
            default:
                out.writeBoolean(Boolean.TRUE.equals(value));
        }
    }

    /** One property: its name's bytes, where its value comes from and what it is. */
    private static final class Slot {
        final byte[] quotedName;
        final int kind;
        final boolean primitiveField;
        final Field field;
        final Method getter;
        final boolean writesNull;

        private Slot(byte[] quotedName, int kind, boolean primitiveField, Field field, Method getter, boolean writesNull) {
            this.quotedName = quotedName;
            this.kind = kind;
            this.primitiveField = primitiveField;
            this.field = field;
            this.getter = getter;
            this.writesNull = writesNull;
        }

        /** Writes the separator and {@code "name":}; returns {@code false}, the next {@code first}. */
        boolean name(JsonLineBuilder out, boolean first) {
            if (!first) {
                out.writeByte(',');
            }
            out.writeBytes(quotedName);
            return false;
        }

        static Slot of(PropertyView property) {
            Class<?> writerClass = property.writerClass;
            if ((writerClass != BeanPropertyWriter.class && writerClass != PrimitiveFieldWriter.class)
                    || !property.plain()
                    || (property.field() == null) == (property.getter() == null)) {
                return null;
            }
            Class<?> type = property.getType().getRawClass();
            // A box is written as its primitive, by the same standard serializer.
            Class<?> unboxed = MethodType.methodType(type).unwrap().returnType();
            int kind = kindOf(unboxed);
            Class<?> standard = kind == STRING ? StringSerializer.class : PrimitiveFieldWriter.standardSerializerOf(unboxed);
            JsonSerializer<?> serializer = property.getSerializer();
            if (kind < 0 || serializer == null || serializer.getClass() != standard) {
                return null;
            }
            JsonSerializer<?> nulls = property.nullSerializer();
            if (nulls != null && nulls.getClass() != NullSerializer.class) {
                return null;
            }
            byte[] name = property.getSerializedName().asQuotedUTF8();
            byte[] quoted = new byte[name.length + 3];
            quoted[0] = '"';
            System.arraycopy(name, 0, quoted, 1, name.length);
            quoted[name.length + 1] = '"';
            quoted[name.length + 2] = ':';
            boolean primitiveField = type.isPrimitive() && property.field() != null;
            return new Slot(quoted, kind, primitiveField, property.field(), property.getter(), nulls != null);
        }

        /** What a property of this type (a box unwrapped) is, or -1 if it is not written here. */
        private static int kindOf(Class<?> unboxed) {
            if (unboxed == String.class) {
                return STRING;
            }
            if (unboxed == long.class) {
                return LONG;
            }
            if (unboxed == int.class) {
                return INT;
            }
            if (unboxed == short.class) {
                return SHORT;
            }
            if (unboxed == double.class) {
                return DOUBLE;
            }
            if (unboxed == float.class) {
                return FLOAT;
            }
            if (unboxed == boolean.class) {
                return BOOLEAN;
            }
            return -1;
        }
    }

    /** Reads a bean serializer's settings, which Jackson keeps to itself, from a copy of it. */
    private static final class BeanView extends BeanSerializer {
        private static final long serialVersionUID = 1L;

        BeanView(BeanSerializerBase source) {
            super(source);
        }

        boolean plain() {
            return _objectIdWriter == null && _propertyFilterId == null && _typeId == null;
        }

        BeanPropertyWriter[] propertyWriters() {
            return _props;
        }
    }

    /** Reads a property writer's settings, which Jackson keeps to itself, from a copy of it. */
    private static final class PropertyView extends BeanPropertyWriter {
        private static final long serialVersionUID = 1L;
        final Class<?> writerClass;

        PropertyView(BeanPropertyWriter source) {
            super(source);
            writerClass = source.getClass();
        }

        boolean plain() {
            return _typeSerializer == null && _suppressableValue == null && !_suppressNulls;
        }

        Field field() {
            return _accessorMethod == null ? _field : null;
        }

        Method getter() {
            return _accessorMethod;
        }

        JsonSerializer<Object> nullSerializer() {
            return _nullSerializer;
        }
    }
}
