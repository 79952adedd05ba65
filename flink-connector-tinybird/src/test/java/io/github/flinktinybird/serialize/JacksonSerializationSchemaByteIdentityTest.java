package io.github.flinktinybird.serialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIdentityInfo;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.ObjectIdGenerators;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The schema keeps a serializer provider, the last root serializer and its own output buffer
 * across elements (issue 13); each line must still be byte for byte what {@code
 * mapper.writeValueAsBytes} writes for that element alone, whatever came before it.
 */
class JacksonSerializationSchemaByteIdentityTest {

    public static class Getters {
        private final long id;
        private final String name;

        public Getters(long id, String name) {
            this.id = id;
            this.name = name;
        }

        public long getId() {
            return id;
        }

        public String getName() {
            return name;
        }

        public boolean isActive() {
            return id % 2 == 0;
        }
    }

    public static class Fields {
        public long id = 1;
        public double amount = 0.1 + 0.2;
        public float ratio = 1.5f;
        public int status = 200;
        public short small = -3;
        public byte tiny = 7;
        public char letter = 'é';
        public boolean flag = true;
        public String text = "tab\t quote\" backslash\\ nl\n cr\r nul\u0000 ls\u2028 ps\u2029";
        public Long boxed = null;
        public int[] ints = {1, -2, Integer.MAX_VALUE};
        public List<Object> mixed = Arrays.asList(1, "two", 3.0, null, List.of(4));
    }

    /** Primitive fields the sink writes without boxing, and the ones where Jackson must decide. */
    public static class PrimitiveEdges {
        public long max = Long.MAX_VALUE;
        public int min = Integer.MIN_VALUE;
        public double nan = Double.NaN;
        public double infinite = Double.NEGATIVE_INFINITY;
        public double tiny = 4.9e-324;
        public float big = Float.MAX_VALUE;
        public boolean no = false;
        @JsonFormat(shape = JsonFormat.Shape.STRING)
        public long asString = 42;
        @JsonFormat(shape = JsonFormat.Shape.NUMBER)
        public boolean asNumber = true;
        @JsonSerialize(using = com.fasterxml.jackson.databind.ser.std.ToStringSerializer.class)
        public int custom = 7;
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        public int zeroLeftOut = 0;
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        public double nonZeroKept = 2.5;
        @JsonProperty("renamed")
        private long hidden = -9;
        @com.fasterxml.jackson.annotation.JsonIgnore
        public long ignored = 5;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"z", "a"})
    public static class Ordered {
        public String a = "first by name";
        public String z = "first by order";
        public String absent = null;
    }

    public record Purchase(String orderId, BigDecimal amount, BigInteger units, Instant at, List<String> items, UUID ref) {}

    public record Times(
            Instant instant,
            LocalDate date,
            LocalDateTime local,
            OffsetDateTime offset,
            ZonedDateTime zoned,
            Duration duration,
            Date legacyDate) {}

    @JsonIdentityInfo(generator = ObjectIdGenerators.IntSequenceGenerator.class, property = "@id")
    public static class Node {
        public String name;
        public Node next;

        Node(String name) {
            this.name = name;
        }
    }

    /** The same node twice in one element: the second time as its id only. */
    public static class TwoRefs {
        public Node first;
        public Node second;

        TwoRefs(Node node) {
            this.first = node;
            this.second = node;
        }
    }

    public static class Raw {
        public long id;
        @JsonRawValue public String json;

        Raw(long id, String json) {
            this.id = id;
            this.json = json;
        }
    }

    /** Counts its calls in a per-call attribute: a new provider per element starts again at 1. */
    public static class CallCounter extends JsonSerializer<String> {
        @Override
        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            Integer seen = (Integer) provider.getAttribute("calls");
            int calls = seen == null ? 1 : seen + 1;
            provider.setAttribute("calls", calls);
            gen.writeString(value + "#" + calls);
        }
    }

    public static class Custom {
        @JsonSerialize(using = CallCounter.class)
        public String a = "a";

        @JsonSerialize(using = CallCounter.class)
        public String b = "b";
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(value = Cat.class, name = "cat"), @JsonSubTypes.Type(value = Dog.class, name = "dog")})
    public abstract static class Animal {
        public String name = "rex";
    }

    public static class Cat extends Animal {
        public int lives = 9;
    }

    public static class Dog extends Animal {
        public boolean good = true;
    }

    public static class Holder {
        public Animal pet;
        public Object anything;

        Holder(Animal pet, Object anything) {
            this.pet = pet;
            this.anything = anything;
        }
    }

    private static List<Object> corpus() {
        List<Object> corpus = new ArrayList<>();
        corpus.add(new Getters(1, "plain"));
        corpus.add(new Fields());
        corpus.add(new PrimitiveEdges());
        corpus.add(new Getters(2, "ünïcødé 日本語 emoji 😀 and a lone surrogate \ud800!"));
        corpus.add(new Ordered());
        corpus.add(new Purchase("o-1", new BigDecimal("12.3400"), new BigInteger("123456789012345678901234567890"), Instant.parse("2026-11-26T16:00:00.123456789Z"), List.of("x", "y"), new UUID(1, 2)));
        corpus.add(new Times(
                Instant.EPOCH,
                LocalDate.of(2026, 2, 28),
                LocalDateTime.of(2026, 11, 26, 16, 0, 0, 500),
                OffsetDateTime.of(2026, 11, 26, 16, 0, 0, 0, ZoneOffset.ofHours(2)),
                ZonedDateTime.of(2026, 3, 29, 2, 30, 0, 0, java.time.ZoneId.of("Europe/Madrid")),
                Duration.ofMillis(1_500),
                new Date(1_790_000_000_000L)));
        Node node = new Node("shared");
        node.next = new Node("tail");
        corpus.add(new TwoRefs(node));
        // The same objects again in the next element: written in full, not as ids seen before.
        corpus.add(new TwoRefs(node));
        corpus.add(new Raw(3, "{\"nested\":[1,2,{\"deep\":true}]}"));
        corpus.add(new Custom());
        corpus.add(new Custom());
        corpus.add(new Holder(new Cat(), Map.of("k", 1)));
        corpus.add(new Holder(new Dog(), List.of(new Fields())));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", 2);
        map.put("a", Map.of("inner", List.of(1, 2)));
        map.put("null", null);
        map.put("when", Instant.parse("2026-11-26T16:00:00Z"));
        corpus.add(map);
        corpus.add(new TreeMap<>(Map.of("z", 1, "a", "sorted")));
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        tree.put("n", 1.25).put("s", "tree ✓").putArray("arr").add(1).add("x").addNull();
        tree.putObject("o").put("big", new BigDecimal("1e400"));
        corpus.add(tree);
        // Longer than the generator's 8,000-byte buffer (several writes), and past 64 KiB.
        corpus.add(Map.of("long", "x".repeat(9_000) + "é"));
        corpus.add(Map.of("huge", "é".repeat(70_000)));
        corpus.add(new Getters(4, "after the huge one"));
        return corpus;
    }

    private static void assertEveryLineIsWhatTheMapperWrites(JacksonSerializationSchema<Object> schema) throws Exception {
        schema.open(null);
        ObjectMapper reference = schema.createMapper();
        List<Object> corpus = corpus();
        // Twice over: the second round meets every class with serializers and buffers already kept.
        for (int round = 0; round < 2; round++) {
            for (Object element : corpus) {
                byte[] expected = reference.writeValueAsBytes(element);
                assertThat(schema.serialize(element))
                        .as("%s, round %d: %s", element.getClass().getSimpleName(), round, new String(expected, StandardCharsets.UTF_8))
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void everyElementOfAVariedCorpusIsWrittenAsTheMapperWritesIt() throws Exception {
        assertEveryLineIsWhatTheMapperWrites(new JacksonSerializationSchema<>());
    }

    @Test
    void identityInfoAndPerCallAttributesStartAfreshWithEachElement() {
        JacksonSerializationSchema<Object> schema = new JacksonSerializationSchema<>();
        schema.open(null);
        Node node = new Node("shared");

        String full = "{\"first\":{\"@id\":1,\"name\":\"shared\",\"next\":null},\"second\":1}";
        assertThat(new String(schema.serialize(new TwoRefs(node)), StandardCharsets.UTF_8)).isEqualTo(full);
        assertThat(new String(schema.serialize(new TwoRefs(node)), StandardCharsets.UTF_8)).isEqualTo(full);
        assertThat(new String(schema.serialize(new Custom()), StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"a#1\",\"b\":\"b#2\"}");
        assertThat(new String(schema.serialize(new Custom()), StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"a#1\",\"b\":\"b#2\"}");
    }

    @Test
    void subclassWithItsOwnMapperIsWrittenAsThatMapperWritesIt() throws Exception {
        assertEveryLineIsWhatTheMapperWrites(
                new JacksonSerializationSchema<>() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected ObjectMapper createMapper() {
                        return JsonMapper.builder()
                                .findAndAddModules()
                                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                                .build();
                    }
                });
    }

    /** A mapper subclass may make providers its own way: the schema leaves writing to it. */
    public static final class CountingMapper extends ObjectMapper {
        private static final long serialVersionUID = 1L;
        int providersMade;

        @Override
        protected com.fasterxml.jackson.databind.ser.DefaultSerializerProvider _serializerProvider(
                com.fasterxml.jackson.databind.SerializationConfig config) {
            providersMade++;
            return super._serializerProvider(config);
        }
    }

    @Test
    void mapperSubclassKeepsWritingEachValueItself() {
        CountingMapper mapper = new CountingMapper();
        mapper.registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());
        JacksonSerializationSchema<Object> schema =
                new JacksonSerializationSchema<>() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected ObjectMapper createMapper() {
                        return mapper;
                    }
                };
        schema.open(null);

        assertThat(schema.serialize(new Getters(1, "a"))).isEqualTo("{\"id\":1,\"name\":\"a\",\"active\":false}".getBytes(StandardCharsets.UTF_8));
        assertThat(schema.serialize(new Getters(2, "b"))).isEqualTo("{\"id\":2,\"name\":\"b\",\"active\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(mapper.providersMade).isEqualTo(2);
    }

    @Test
    void anElementThatFailsHalfWayLeavesNothingInTheNextLine() {
        JacksonSerializationSchema<Object> schema = new JacksonSerializationSchema<>();
        schema.open(null);
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("fine", "x".repeat(9_000));
        bad.put("broken", new Object());

        assertThatThrownBy(() -> schema.serialize(bad)).isInstanceOf(IllegalArgumentException.class);
        assertThat(schema.serialize(Map.of("n", 1))).isEqualTo("{\"n\":1}".getBytes(StandardCharsets.UTF_8));
    }
}
