package io.github.flinktinybird.serialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class JacksonSerializationSchemaTest {

    private static final ObjectMapper READER = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-26T16:00:00Z");

    /** A POJO with getters, as users write them. */
    public static class PageView {
        private final long id;
        private final String url;
        private final Instant timestamp;

        public PageView(long id, String url, Instant timestamp) {
            this.id = id;
            this.url = url;
            this.timestamp = timestamp;
        }

        public long getId() {
            return id;
        }

        public String getUrl() {
            return url;
        }

        public Instant getTimestamp() {
            return timestamp;
        }
    }

    /** A POJO with public fields. */
    public static class Click {
        public String button = "buy";
        public int count = 2;
    }

    public record Purchase(String orderId, BigDecimal amount, Instant at, List<String> items) {}

    public record Day(LocalDate day) {}

    private static <T> String serialize(JacksonSerializationSchema<T> schema, T element) {
        byte[] bytes = schema.serialize(element);
        String line = new String(bytes, StandardCharsets.UTF_8);
        // whatever the element, the line is one compact JSON object
        assertThat(line).startsWith("{").endsWith("}").doesNotContain("\n").doesNotContain("\r");
        return line;
    }

    private static <T> String serialize(T element) {
        JacksonSerializationSchema<T> schema = new JacksonSerializationSchema<>();
        schema.open(null);
        return serialize(schema, element);
    }

    private static JsonNode tree(String json) throws Exception {
        return READER.readTree(json);
    }

    @Test
    void writesAPojoThroughItsGetters() throws Exception {
        String line = serialize(new PageView(7, "https://example.com/a?b=c", AT));

        assertThat(tree(line))
                .isEqualTo(tree("{\"id\":7,\"url\":\"https://example.com/a?b=c\",\"timestamp\":\"2026-11-26T16:00:00Z\"}"));
    }

    @Test
    void writesAPojoWithPublicFields() throws Exception {
        assertThat(tree(serialize(new Click()))).isEqualTo(tree("{\"button\":\"buy\",\"count\":2}"));
    }

    @Test
    void writesAJavaRecord() throws Exception {
        String line = serialize(new Purchase("o-1", new BigDecimal("19.90"), AT, List.of("a", "b")));

        JsonNode node = tree(line);
        assertThat(node.get("orderId").asText()).isEqualTo("o-1");
        assertThat(node.get("amount").decimalValue()).isEqualByComparingTo("19.90");
        assertThat(node.get("at").asText()).isEqualTo("2026-11-26T16:00:00Z");
        assertThat(node.get("items")).isEqualTo(tree("[\"a\",\"b\"]"));
        assertThat(node.size()).isEqualTo(4);
    }

    @Test
    void writesAMapInItsOrder() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", 1);
        map.put("name", "Zoë ✓");
        map.put("nested", Map.of("ok", true));
        map.put("none", null);

        assertThat(serialize(map)).isEqualTo("{\"id\":1,\"name\":\"Zoë ✓\",\"nested\":{\"ok\":true},\"none\":null}");
    }

    @Test
    void writesAnObjectNodeAsItIs() {
        ObjectNode node = READER.createObjectNode().put("id", 3).put("text", "line\nbreak");
        node.putArray("list").add(1).add(2);

        String line = serialize(node);

        assertThat(line).isEqualTo("{\"id\":3,\"text\":\"line\\nbreak\",\"list\":[1,2]}");
    }

    @Test
    void writesJavaTimeAsIsoStrings() throws Exception {
        assertThat(serialize(Map.of("at", AT))).isEqualTo("{\"at\":\"2026-11-26T16:00:00Z\"}");
        assertThat(tree(serialize(new Day(LocalDate.of(2026, 11, 26)))).get("day").asText())
                .isEqualTo("2026-11-26");
    }

    @Test
    void worksWithoutOpenToo() {
        JacksonSerializationSchema<Map<String, Object>> schema = new JacksonSerializationSchema<>();

        assertThat(serialize(schema, Map.of("at", AT))).isEqualTo("{\"at\":\"2026-11-26T16:00:00Z\"}");
    }

    @Test
    void stringElementIsRejectedPointingToJsonStringSerializationSchema() {
        JacksonSerializationSchema<Object> schema = new JacksonSerializationSchema<>();

        assertThatThrownBy(() -> schema.serialize("{\"id\":1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("String")
                .hasMessageContaining("JsonStringSerializationSchema");
    }

    @Test
    void nullElementIsRejected() {
        JacksonSerializationSchema<Object> schema = new JacksonSerializationSchema<>();

        assertThatThrownBy(() -> schema.serialize(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null")
                .hasMessageContaining("filter nulls out");
    }

    @Test
    void elementThatIsNotAnObjectIsRejected() {
        JacksonSerializationSchema<Object> schema = new JacksonSerializationSchema<>();

        assertThatThrownBy(() -> schema.serialize(List.of(1, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an object")
                .hasMessageContaining("POJO, record, Map or ObjectNode");
        assertThatThrownBy(() -> schema.serialize(42))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer")
                .hasMessageContaining("not an object");
    }

    /** No properties at all: Jackson refuses it by default. */
    public static class Opaque {}

    @Test
    void elementJacksonCannotWriteIsRejectedNamingItsClass() {
        JacksonSerializationSchema<Object> schema = new JacksonSerializationSchema<>();

        assertThatThrownBy(() -> schema.serialize(new Opaque()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Opaque.class.getName())
                .hasMessageContaining("could not serialize");
    }

    public record Visit(String pageUrl, long visitorId) {}

    @Test
    void subclassConfiguresTheMapper() {
        JacksonSerializationSchema<Visit> snakeCase =
                new JacksonSerializationSchema<>() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected ObjectMapper createMapper() {
                        return super.createMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
                    }
                };
        snakeCase.open(null);

        assertThat(serialize(snakeCase, new Visit("/a", 9))).isEqualTo("{\"page_url\":\"/a\",\"visitor_id\":9}");
        assertThat(serialize(new Visit("/a", 9))).isEqualTo("{\"pageUrl\":\"/a\",\"visitorId\":9}");
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
        JacksonSerializationSchema<Map<String, Object>> schema = new JacksonSerializationSchema<>();
        schema.open(null);
        schema.serialize(Map.of("warm", 1));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(schema);
        }
        JacksonSerializationSchema<Map<String, Object>> copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            @SuppressWarnings("unchecked")
            JacksonSerializationSchema<Map<String, Object>> read =
                    (JacksonSerializationSchema<Map<String, Object>>) in.readObject();
            copy = read;
        }
        copy.open(null);

        assertThat(serialize(copy, Map.of("at", AT))).isEqualTo("{\"at\":\"2026-11-26T16:00:00Z\"}");
    }
}
