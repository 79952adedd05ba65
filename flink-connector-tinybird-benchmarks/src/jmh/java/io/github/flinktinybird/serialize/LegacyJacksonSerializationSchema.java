package io.github.flinktinybird.serialize;

import org.apache.flink.api.common.serialization.SerializationSchema;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** The schema as it was before issue 13, kept for the before/after benchmark.
 *
 * <p>
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
 * its own. It keeps one JSON generator and output buffer for all elements, so that each element
 * costs its line and little else (about 1.8 bytes allocated per byte of JSON, against 3.4 with
 * {@code writeValueAsBytes}, which builds a generator per call).
 */
public class LegacyJacksonSerializationSchema<T> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private static final int MAX_KEPT_BUFFER = 64 * 1024;

    private transient ObjectMapper mapper;
    private transient ByteArrayOutputStream buffer;
    private transient JsonGenerator generator;

    @Override
    public void open(InitializationContext context) {
        mapper = createMapper();
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
            mapper.writeValue(out, element);
            out.flush();
            json = buffer.toByteArray();
            buffer.reset();
            if (json.length > MAX_KEPT_BUFFER) {
                // Do not hold on to the buffer a rare huge element grew.
                generator = null;
            }
        } catch (IOException e) {
            // The generator may be stopped inside the element: start afresh with the next one.
            generator = null;
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

    private JsonGenerator generator() throws IOException {
        if (mapper == null) {
            mapper = createMapper();
        }
        if (generator == null) {
            buffer = new ByteArrayOutputStream(1024);
            // The mapper's own factory method, so that its serialization config shapes the generator.
            generator = mapper.createGenerator(buffer, JsonEncoding.UTF8);
            // No separator between root values: each element is a line of its own.
            generator.setRootValueSeparator(null);
        }
        return generator;
    }
}
