package io.github.flinktinybird.serialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;

class JsonStringSerializationSchemaTest {

    private final JsonStringSerializationSchema schema = new JsonStringSerializationSchema();

    private String serialize(String element) {
        return new String(schema.serialize(element), StandardCharsets.UTF_8);
    }

    @Test
    void compactObjectIsSentAsItIs() {
        String json = "{\"id\":1,\"name\":\"Zoë ✓\",\"amount\":0.12345678901234567890123}";

        assertThat(serialize(json)).isEqualTo(json);
    }

    @Test
    void outputIsUtf8() {
        byte[] bytes = schema.serialize("{\"name\":\"Zoë ✓ 日本\"}");

        assertThat(bytes).isEqualTo("{\"name\":\"Zoë ✓ 日本\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void prettyPrintedStringWithEmojiIsSentOnOneLine() {
        String line = serialize("{\n \"a\" : \"😀\",\n \"b\": 1\n}");

        assertThat(line).doesNotContain("\n");
    }

    @Test
    void prettyPrintedObjectIsSentCompact() {
        String pretty = "{\n  \"id\" : 1,\n  \"price\" : 1.50,\n  \"big\" : 1e400\n}\n";

        String line = serialize(pretty);

        assertThat(line).isEqualTo("{\"id\":1,\"price\":1.50,\"big\":1e400}");
        assertThat(line).doesNotContain("\n");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"[{\"id\":1}]", "\"text\"", "42", "null", "true"})
    void nonObjectsAreRejected(String json) {
        assertThatThrownBy(() -> schema.serialize(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a JSON object");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"id\":", "not json at all", "{\"a\":1} trailing"})
    void invalidJsonIsRejected(String json) {
        assertThatThrownBy(() -> schema.serialize(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void twoObjectsInOneElementAreRejected() {
        assertThatThrownBy(() -> schema.serialize("{\"a\":1}\n{\"a\":2}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than one JSON value");
    }

    @Test
    void emptyStringIsRejected() {
        assertThatThrownBy(() -> schema.serialize(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void nullElementIsRejected() {
        assertThatThrownBy(() -> schema.serialize(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null")
                .hasMessageContaining("filter nulls out");
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(schema);
        }
        JsonStringSerializationSchema copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (JsonStringSerializationSchema) in.readObject();
        }

        assertThat(new String(copy.serialize("{ \"id\" : 1 }"), StandardCharsets.UTF_8)).isEqualTo("{\"id\":1}");
    }
}
