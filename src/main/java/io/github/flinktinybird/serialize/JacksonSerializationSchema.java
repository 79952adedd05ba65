package io.github.flinktinybird.serialize;

import org.apache.flink.api.common.serialization.SerializationSchema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Writes elements as JSON with Jackson: POJOs (public fields or getters), Java records, {@code Map},
 * {@code JsonNode}. This is what the sink uses when no serialization schema is set.
 *
 * <p>{@code java.time} values are written as ISO-8601 strings (e.g. {@code
 * "2026-11-26T16:00:00Z"}), which Tinybird's {@code DateTime} and {@code DateTime64} columns parse.
 * The element must serialize to a JSON object; for {@code String} elements that hold JSON use
 * {@link JsonStringSerializationSchema} instead. Subclass and override {@link #createMapper()} to
 * configure the {@link ObjectMapper}.
 */
public class JacksonSerializationSchema<T> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private transient ObjectMapper mapper;

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
        if (mapper == null) {
            mapper = createMapper();
        }
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(element);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "Jackson could not serialize the "
                            + element.getClass().getName()
                            + " element: "
                            + e.getOriginalMessage(),
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
}
