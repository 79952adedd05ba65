package io.github.flinktinybird.serialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonFilter;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIdentityInfo;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.annotation.JsonRootName;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.annotation.JsonView;
import com.fasterxml.jackson.annotation.ObjectIdGenerators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

/**
 * Which beans are written directly and which are left to Jackson, and that the bytes are Jackson's
 * either way: each case asserts both, through the schema as the sink uses it.
 */
class DirectBeanWriterTest {

    /** Every type the direct writer handles, as public fields. */
    public static class AllFields {
        public long id = -42;
        public int count = Integer.MIN_VALUE;
        public short small = Short.MAX_VALUE;
        public double amount = 12.34;
        public float ratio = 0.1f;
        public boolean flag = true;
        public String text = "tab\t quote\" slash/ backslash\\ nul\u0000 del\u007f é € \u2028";
        public Long boxedLong = 7L;
        public Integer boxedInt = null;
        public Short boxedShort = -1;
        public Double boxedDouble = 1e-7;
        public Float boxedFloat = null;
        public Boolean boxedFlag = false;
        public String none = null;
    }

    /** The same through getters, renamed and reordered. */
    @JsonPropertyOrder({"z", "id"})
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

        @JsonProperty("display \"name\"")
        public String getName() {
            return name;
        }

        public double getZ() {
            return id / 4.0;
        }

        public Boolean isActive() {
            return null;
        }

        @JsonIgnore
        public String getSecret() {
            return "never written";
        }
    }

    public record Event(long id, String action, double amount, int status, Boolean ok) {}

    public static class Thrower {
        public long id = 1;

        public String getBoom() {
            throw new IllegalStateException("the getter failed");
        }
    }

    // Beans Jackson must write, one reason each.
    public static class WithInstant {
        public long id = 1;
        public Instant at = Instant.parse("2026-12-01T00:00:00Z");
    }

    public static class WithNested {
        public long id = 1;
        public AllFields inner = new AllFields();
    }

    public static class WithChar {
        public char letter = 'x';
    }

    public enum Color { RED }

    public static class WithEnum {
        public Color color = Color.RED;
    }

    public static class WithMap {
        public Map<String, Integer> tags = Map.of("a", 1);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class NonNull {
        public String a = null;
        public String b = "kept";
    }

    public static class NonDefault {
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        public int zero = 0;
        public int one = 1;
    }

    public static class AsString {
        @JsonFormat(shape = JsonFormat.Shape.STRING)
        public long id = 5;
    }

    public static class CustomSerializer {
        @JsonSerialize(using = ToStringSerializer.class)
        public int id = 5;
    }

    public static class Raw {
        public long id = 1;
        @JsonRawValue public String json = "{\"x\":1}";
    }

    @JsonIdentityInfo(generator = ObjectIdGenerators.IntSequenceGenerator.class)
    public static class WithId {
        public String name = "n";
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    public static class Typed {
        public String name = "n";
    }

    public static class AnyGetter {
        public long id = 1;

        @JsonAnyGetter
        public Map<String, Object> extra() {
            return Map.of("more", 2);
        }
    }

    public static class Unwrapping {
        public long id = 1;
        @JsonUnwrapped public Getters inner = new Getters(3, "u");
    }

    @JsonFilter("someFilter")
    public static class Filtered {
        public long id = 1;
    }

    public static class Views {
        public static class Public {}

        @JsonView(Public.class)
        public long id = 1;
        public String always = "a";
    }

    @JsonRootName("root")
    public static class Rooted {
        public long id = 1;
    }

    private final JacksonSerializationSchema<Object> schema = new JacksonSerializationSchema<>();
    private final ObjectMapper reference = schema.createMapper();

    DirectBeanWriterTest() {
        schema.open(null);
    }

    private void assertWritten(Object element, boolean directly) throws Exception {
        byte[] expected = reference.writeValueAsBytes(element);
        assertThat(schema.serialize(element))
                .as("%s: %s", element.getClass().getSimpleName(), new String(expected, StandardCharsets.UTF_8))
                .isEqualTo(expected);
        assertThat(schema.lastWrittenDirectly()).as("%s written directly", element.getClass().getSimpleName()).isEqualTo(directly);
    }

    @Test
    void beansOfStringsNumbersAndBooleansAreWrittenDirectlyAsJacksonWritesThem() throws Exception {
        assertWritten(new AllFields(), true);
        assertWritten(new Getters(9, "ünïcødé"), true);
        assertWritten(new Getters(-3, null), true);
        assertWritten(new Event(1, "click", 0.5, 200, true), true);
        assertWritten(new Event(Long.MIN_VALUE, null, -0.0, -1, null), true);
        // Again, now that every class has its writer.
        assertWritten(new AllFields(), true);
        assertWritten(new Event(2, "view", 1e300, 404, false), true);
    }

    @Test
    void beansWithAnythingElseAreLeftToJackson() throws Exception {
        Object[] jacksons = {
            new WithInstant(), new WithNested(), new WithChar(), new WithEnum(), new WithMap(), new NonNull(),
            new NonDefault(), new AsString(), new CustomSerializer(), new Raw(), new WithId(), new Typed(),
            new AnyGetter(), new Unwrapping(), Map.of("k", "v")
        };
        for (Object element : jacksons) {
            assertWritten(element, false);
        }
        // A class left to Jackson does not keep the next class from being written directly.
        assertWritten(new AllFields(), true);
    }

    @Test
    void aStreamThatAlternatesBetweenClassesIsWrittenAsJacksonWritesEachOne() throws Exception {
        for (int round = 0; round < 3; round++) {
            assertWritten(new AllFields(), true);
            assertWritten(new WithInstant(), false);
            assertWritten(new Event(round, "e", round, round, null), true);
            assertWritten(new Getters(round, "g"), true);
        }
    }

    @Test
    void viewsAndRootNamesOnlyMatterWhenTheMapperUsesThemWhichTheSchemasOwnDoesNot() throws Exception {
        assertWritten(new Views(), true);
        assertWritten(new Rooted(), true);
    }

    @Test
    void aFilteredBeanFailsAsWithJacksonInsteadOfBeingWrittenUnfiltered() {
        assertThatThrownBy(() -> reference.writeValueAsBytes(new Filtered())).hasMessageContaining("someFilter");
        assertThatThrownBy(() -> schema.serialize(new Filtered())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("someFilter");
    }

    @Test
    void notANumberTheInfinitiesAndSurrogatesAreWrittenDirectlyAsJacksonWritesThem() throws Exception {
        Event[] events = {
            new Event(1, "a", Double.NaN, 1, null),
            new Event(1, "a", Double.NEGATIVE_INFINITY, 1, null),
            new Event(1, "party \ud83c\udf89", 1, 1, null),
            new Event(1, "broken \ud800 and \udfff", 1, 1, null),
            new Event(1, "ends high \udbff", 1, 1, null)
        };
        for (Event element : events) {
            assertWritten(element, true);
        }
        AllFields floats = new AllFields();
        floats.ratio = Float.NaN;
        floats.boxedDouble = Double.POSITIVE_INFINITY;
        assertWritten(floats, true);
    }

    /** A getter with a side effect: Jackson calls it once per element, and so must the schema. */
    @JsonPropertyOrder({"seq", "ratio"})
    public static class Sequenced {
        private int next;

        public int getSeq() {
            return next++;
        }

        public double getRatio() {
            return Double.NaN;
        }
    }

    @Test
    void eachGetterIsCalledOncePerElementAsByJackson() throws Exception {
        assertThat(new String(schema.serialize(new Sequenced()), StandardCharsets.UTF_8)).isEqualTo("{\"seq\":0,\"ratio\":\"NaN\"}");
        assertThat(schema.lastWrittenDirectly()).isTrue();
    }

    public static class Base<V> {
        public V v;
    }

    public static class LongEvent extends Base<Long> {}

    public static class IntEvent extends Base<Integer> {}

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aValueOfAnotherTypeThanThePropertysIsRefusedAsJacksonRefusesIt() throws Exception {
        LongEvent longHoldingADouble = new LongEvent();
        ((Base) longHoldingADouble).v = 1.5d; // heap pollution: raw types, reflection, a deserializer
        IntEvent intHoldingALong = new IntEvent();
        ((Base) intHoldingALong).v = 5_000_000_000L;
        JacksonSerializationSchema<Object> jacksonOnly = new JacksonSerializationSchema<>(true);
        jacksonOnly.open(null);
        for (Object polluted : new Object[] {longHoldingADouble, intHoldingALong}) {
            Throwable expected = org.assertj.core.api.Assertions.catchThrowable(() -> jacksonOnly.serialize(polluted));
            assertThat(expected).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> schema.serialize(polluted)).isInstanceOf(IllegalArgumentException.class).hasMessage(expected.getMessage());
        }
        assertWritten(new LongEvent(), true);
    }

    @Test
    void aGetterThatThrowsIsReportedAsJacksonReportsItAndTheNextElementIsWritten() throws Exception {
        JacksonSerializationSchema<Object> jacksonOnly = new JacksonSerializationSchema<>(true);
        jacksonOnly.open(null);
        Throwable expected = org.assertj.core.api.Assertions.catchThrowable(() -> jacksonOnly.serialize(new Thrower()));
        assertThat(expected).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the getter failed");
        assertThatThrownBy(() -> schema.serialize(new Thrower()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expected.getMessage());
        assertWritten(new Event(3, "after", 3, 3, true), true);
    }

    @Test
    void randomBeansAreWrittenDirectlyExactlyAsJacksonWritesThem() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            AllFields element = new AllFields();
            element.id = random.nextLong();
            element.count = random.nextInt();
            element.small = (short) random.nextInt();
            element.amount = random.nextBoolean() ? Double.longBitsToDouble(random.nextLong() & 0x7FEFFFFFFFFFFFFFL) : random.nextInt(100_000) / 100.0;
            element.ratio = random.nextFloat() * random.nextInt(1000);
            element.flag = random.nextBoolean();
            StringBuilder text = new StringBuilder();
            for (int k = random.nextInt(80); k > 0; k--) {
                text.append((char) (random.nextInt(4) == 0 ? random.nextInt(0x20) : 0x20 + random.nextInt(0x7E0)));
            }
            element.text = text.toString();
            element.boxedLong = random.nextBoolean() ? null : random.nextLong();
            element.boxedDouble = random.nextBoolean() ? null : random.nextDouble();
            element.none = random.nextBoolean() ? null : "x" + i;
            assertWritten(element, true);
        }
    }

    @Test
    void aSubclassOfTheSchemaIsNeverWrittenDirectly() throws Exception {
        JacksonSerializationSchema<Object> subclass = new JacksonSerializationSchema<>() {
            private static final long serialVersionUID = 1L;
        };
        subclass.open(null);
        assertThat(subclass.serialize(new AllFields())).isEqualTo(reference.writeValueAsBytes(new AllFields()));
        assertThat(subclass.lastWrittenDirectly()).isFalse();
    }
}
