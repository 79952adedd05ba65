package io.github.flinktinybird.serialize;

import org.apache.flink.api.common.serialization.SerializationSchema;

import java.nio.charset.StandardCharsets;

/**
 * For {@code String} elements that already hold JSON: each must be exactly one JSON object.
 * Pretty-printed input is rewritten compact (a newline would break NDJSON); anything else (an
 * array, a bare value, invalid JSON, {@code null}) is rejected with a message saying what is wrong,
 * and the sink's error policy decides what happens to it.
 *
 * <pre>{@code
 * TinybirdSink.<String>builder().setSerializationSchema(new JsonStringSerializationSchema())...
 * }</pre>
 */
public class JsonStringSerializationSchema implements SerializationSchema<String> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(String element) {
        if (element == null) {
            throw new IllegalArgumentException(
                    "the element is null; filter nulls out before the Tinybird sink");
        }
        return JsonLines.compactObject(element.getBytes(StandardCharsets.UTF_8));
    }
}
