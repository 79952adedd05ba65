package io.github.flinktinybird.serialize;

import org.apache.flink.api.common.serialization.SerializationSchema;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;

/**
 * Writes elements as JSON with Jackson: POJOs (public fields or getters), Java records, {@code Map},
 * {@code JsonNode}. This is what the sink uses when no serialization schema is set.
 *
 * <p>{@code java.time} values are written as ISO-8601 strings (e.g. {@code
 * "2026-11-26T16:00:00Z"}), which Tinybird's {@code DateTime} and {@code DateTime64} columns parse.
 * The element must serialize to a JSON object; for {@code String} elements that hold JSON use
 * {@link JsonStringSerializationSchema} instead. Subclass and override {@link #createMapper()} to
 * configure the {@link ObjectMapper}.
 *
 * <p>Like Flink's own serialization schemas, an instance is not thread-safe: each sink subtask has
 * its own. It keeps one JSON generator, one Jackson serializer provider and the serializer of the
 * last element class for all elements, so that each element costs its line and little else; the
 * bytes are exactly those of {@code mapper.writeValueAsBytes(element)} (docs/performance.md).
 */
public class JacksonSerializationSchema<T> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private transient ObjectMapper mapper;
    private transient LineOutput buffer;
    private transient JsonGenerator generator;
    /** Null when the mapper needs its own {@code writeValue} (see {@link ReusableSerializerProvider}). */
    private transient ReusableSerializerProvider provider;
    private transient Class<?> rootClass;
    private transient JsonSerializer<Object> rootSerializer;

    @Override
    public void open(InitializationContext context) {
        setMapper(createMapper());
    }

    private void setMapper(ObjectMapper created) {
        mapper = created;
        if (getClass() == JacksonSerializationSchema.class) {
            // The mapper is ours (createMapper is not overridden): primitive fields without boxing.
            mapper.setSerializerFactory(mapper.getSerializerFactory().withSerializerModifier(new PrimitiveFieldWriter.Modifier()));
        }
        // CLOSE_CLOSEABLE makes writeValue close each Closeable element: leave that to Jackson.
        provider =
                mapper.isEnabled(SerializationFeature.CLOSE_CLOSEABLE)
                        ? null
                        : ReusableSerializerProvider.forMapper(mapper);
        rootClass = null;
        rootSerializer = null;
    }

    /** The mapper used for every element; called once per subtask. */
    protected ObjectMapper createMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.INDENT_OUTPUT);
    }

    @Override
    public byte[] serialize(T element) {
        if (element == null) {
            throw new IllegalArgumentException(
                    "the element is null; filter nulls out before the Tinybird sink");
        }
        if (element instanceof CharSequence) {
            throw new IllegalArgumentException(
                    "the element is a String, which Jackson would write as a JSON string, not an"
                            + " object; for Strings that hold JSON, set"
                            + " .setSerializationSchema(new JsonStringSerializationSchema())");
        }
        byte[] json;
        try {
            JsonGenerator out = generator();
            if (provider != null) {
                write(out, element);
            } else {
                mapper.writeValue(out, element);
            }
            out.flush();
            json = buffer.take();
        } catch (IOException | RuntimeException e) {
            // The generator may be stopped inside the element: start afresh with the next one.
            generator = null;
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new IllegalArgumentException(
                    "Jackson could not serialize the "
                            + element.getClass().getName()
                            + " element: "
                            + (e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage() : e.getMessage()),
                    e);
        }
        if (json.length == 0 || json[0] != '{') {
            throw new IllegalArgumentException(
                    "a "
                            + element.getClass().getName()
                            + " element serializes to a JSON value that is not an object;"
                            + " Tinybird takes one JSON object per event: send a POJO, record, Map"
                            + " or ObjectNode, or set a SerializationSchema");
        }
        return json;
    }

    /**
     * What {@code mapper.writeValue(out, element)} does for a mapper without a custom provider,
     * less the provider it would build and the lookup of the root serializer.
     */
    private void write(JsonGenerator out, T element) throws IOException {
        Class<?> cls = element.getClass();
        if (cls != rootClass) {
            rootSerializer = provider.findTypedValueSerializer(cls, true, null);
            rootClass = cls;
        }
        provider.startElement();
        provider.serializeValue(out, element, null, rootSerializer);
    }

    private JsonGenerator generator() throws IOException {
        if (mapper == null) {
            setMapper(createMapper());
        }
        if (generator == null) {
            if (buffer == null) {
                buffer = new LineOutput();
            }
            buffer.clear();
            // The mapper's own factory method, so that its serialization config shapes the generator.
            generator = mapper.createGenerator(buffer, JsonEncoding.UTF8);
            // No separator between root values: each element is a line of its own.
            generator.setRootValueSeparator(null);
        }
        return generator;
    }
}
