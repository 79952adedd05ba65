package io.github.flinktinybird.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.flinktinybird.serialize.JacksonSerializationSchema;
import io.github.flinktinybird.serialize.JsonStringSerializationSchema;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.apache.flink.api.common.serialization.SerializationSchema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

class TinybirdElementConverterTest {

    private static final long RECORD_CAP = 1024;

    public record Event(String type, int id) {}

    private static <T> TinybirdElementConverter<T> converter(SerializationSchema<T> schema) {
        return new TinybirdElementConverter<>(schema, "events", null, RECORD_CAP);
    }

    private static <T> TinybirdElementConverter<T> routed(SerializationSchema<T> schema, DataSourceSelector<T> selector) {
        return new TinybirdElementConverter<>(schema, null, selector, RECORD_CAP);
    }

    private static String line(TinybirdRecord record) {
        return new String(record.getLine(), StandardCharsets.UTF_8);
    }

    private static <T> RecordRejectedException rejected(TinybirdElementConverter<T> converter, T element) {
        RecordRejectedException e =
                catchThrowableOfType(RecordRejectedException.class, () -> converter.apply(element, null));
        assertThat(e).as("the element is rejected").isNotNull();
        return e;
    }

    // ---- elements that become records -------------------------------------------------------------

    @Test
    void elementBecomesOneCompactLineForTheDataSource() {
        TinybirdRecord record = converter(new JacksonSerializationSchema<Event>()).apply(new Event("click", 7), null);

        assertThat(record.getDataSource()).isEqualTo("events");
        assertThat(line(record)).isEqualTo("{\"type\":\"click\",\"id\":7}");
        assertThat(record.sizeInBytes()).isEqualTo(line(record).length() + 1);
    }

    @Test
    void jsonStringsAreSentCompact() {
        TinybirdRecord record =
                converter(new JsonStringSerializationSchema()).apply("{\n  \"id\" : 1.50\n}", null);

        assertThat(line(record)).isEqualTo("{\"id\":1.50}");
    }

    @Test
    void selectorChoosesTheDataSourcePerElement() {
        TinybirdElementConverter<Event> converter =
                routed(new JacksonSerializationSchema<>(), e -> "events_" + e.type());

        assertThat(converter.apply(new Event("click", 1), null).getDataSource()).isEqualTo("events_click");
        assertThat(converter.apply(new Event("view", 2), null).getDataSource()).isEqualTo("events_view");
    }

    @Test
    void customSchemaWithPrettyPrintedOutputIsSentCompact() {
        SerializationSchema<Event> pretty =
                e -> ("{\n  \"type\" : \"" + e.type() + "\",\n  \"id\" : " + e.id() + "\n}\n").getBytes(StandardCharsets.UTF_8);

        TinybirdRecord record = converter(pretty).apply(new Event("click", 3), null);

        assertThat(line(record)).isEqualTo("{\"type\":\"click\",\"id\":3}").doesNotContain("\n");
    }

    @Test
    void recordExactlyAtTheCapIsAccepted() {
        // line + newline == cap
        String json = "{\"p\":\"" + "x".repeat((int) RECORD_CAP - 9) + "\"}";
        assertThat(json.length() + 1).isEqualTo((int) RECORD_CAP);

        TinybirdRecord record = converter(new JsonStringSerializationSchema()).apply(json, null);

        assertThat(record.sizeInBytes()).isEqualTo(RECORD_CAP);
    }

    // ---- elements that are rejected -----------------------------------------------------------------

    @Test
    void nullElementIsRejected() {
        RecordRejectedException e = rejected(converter(new JacksonSerializationSchema<Event>()), null);

        assertThat(e.getMessage()).contains("null").contains("filter nulls out");
        assertThat(e.dataSource()).isEqualTo("events");
        assertThat(e.line()).isNull();
    }

    @Test
    void recordOverTheCapIsRejectedNamingTheSetting() {
        String json = "{\"p\":\"" + "x".repeat((int) RECORD_CAP - 8) + "\"}";

        RecordRejectedException e = rejected(converter(new JsonStringSerializationSchema()), json);

        assertThat(e.getMessage())
                .contains("sink.max-record-size")
                .contains("'events'")
                .contains(Long.toString(RECORD_CAP + 1))
                .contains(Long.toString(RECORD_CAP));
        assertThat(e.dataSource()).isEqualTo("events");
        // The line is kept so that a dead letter can carry the record.
        assertThat(new String(e.line(), StandardCharsets.UTF_8)).isEqualTo(json);
    }

    @Test
    void capCountsUtf8BytesNotCharacters() {
        // 400 characters of 3 bytes each: 1,200 bytes, over a 1,024-byte cap.
        String json = "{\"p\":\"" + "✓".repeat(400) + "\"}";

        RecordRejectedException e = rejected(converter(new JsonStringSerializationSchema()), json);

        assertThat(e.getMessage()).contains("sink.max-record-size");
    }

    @Test
    void selectorReturningNullIsRejected() {
        RecordRejectedException e = rejected(routed(new JacksonSerializationSchema<Event>(), ev -> null), new Event("a", 1));

        assertThat(e.getMessage()).contains("selector returned null").contains("not a Data Source name");
        assertThat(e.dataSource()).isNull();
        assertThat(e.line()).isNull();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "my-events", "1events", "events?name=x", "a b"})
    void selectorReturningAnInvalidNameIsRejected(String name) {
        RecordRejectedException e =
                rejected(routed(new JacksonSerializationSchema<Event>(), ev -> name), new Event("a", 1));

        assertThat(e.getMessage()).contains("selector returned '" + name + "'").contains("not a Data Source name");
        assertThat(e.dataSource()).isNull();
    }

    @Test
    void selectorThrowingIsRejectedWithItsCause() {
        IllegalStateException boom = new IllegalStateException("no route for type 'x'");

        RecordRejectedException e =
                rejected(
                        routed(
                                new JacksonSerializationSchema<Event>(),
                                ev -> {
                                    throw boom;
                                }),
                        new Event("x", 1));

        assertThat(e.getMessage()).contains("selector threw").contains("no route for type 'x'");
        assertThat(e.getCause()).isSameAs(boom);
        assertThat(e.dataSource()).isNull();
    }

    @Test
    void customSchemaProducingAnArrayIsRejected() {
        SerializationSchema<Event> array = e -> "[{\"id\":1},{\"id\":2}]".getBytes(StandardCharsets.UTF_8);

        RecordRejectedException e = rejected(converter(array), new Event("a", 1));

        assertThat(e.getMessage())
                .contains("Data Source 'events'")
                .contains(Event.class.getName())
                .contains("a JSON array")
                .contains("not a JSON object");
        assertThat(e.dataSource()).isEqualTo("events");
        assertThat(e.line()).isNull();
    }

    @Test
    void customSchemaProducingTwoLinesIsRejected() {
        SerializationSchema<Event> twoLines = e -> "{\"id\":1}\n{\"id\":2}\n".getBytes(StandardCharsets.UTF_8);

        RecordRejectedException e = rejected(converter(twoLines), new Event("a", 1));

        assertThat(e.getMessage()).contains("more than one JSON value");
    }

    /** Jackson writes a {@code @JsonRawValue} field as it is, line breaks included. */
    public record WithRawJson(int id, @JsonRawValue String extra) {}

    @Test
    void rawJsonThatWouldForgeASecondRowIsRejectedNotSentAsTwoRows() {
        WithRawJson element = new WithRawJson(1, "1}\n{\"forged\":true");

        RecordRejectedException e = rejected(converter(new JacksonSerializationSchema<WithRawJson>()), element);

        assertThat(e.getMessage()).contains("more than one JSON value");
        assertThat(e.dataSource()).isEqualTo("events");
    }

    @Test
    void rawJsonWithALineBreakInsideAStringIsRejectedAsInvalidJson() {
        WithRawJson element = new WithRawJson(1, "\"first line\nsecond line\"");

        RecordRejectedException e = rejected(converter(new JacksonSerializationSchema<WithRawJson>()), element);

        assertThat(e.getMessage()).contains("not valid JSON").doesNotContain("second line");
    }

    @Test
    void rawJsonPrettyPrintedIsSentAsOneCompactLine() {
        WithRawJson element = new WithRawJson(1, "{\r\n  \"a\": 1,\n  \"b\": [2, 3]\n}");

        TinybirdRecord record = converter(new JacksonSerializationSchema<WithRawJson>()).apply(element, null);

        assertThat(line(record)).isEqualTo("{\"id\":1,\"extra\":{\"a\":1,\"b\":[2,3]}}");
    }

    @Test
    void rawJsonOnOneLineIsSentAsItIs() {
        WithRawJson element = new WithRawJson(1, "{\"a\": 1}");

        TinybirdRecord record = converter(new JacksonSerializationSchema<WithRawJson>()).apply(element, null);

        assertThat(line(record)).as("the one-line fast path does not rewrite").isEqualTo("{\"id\":1,\"extra\":{\"a\": 1}}");
    }

    @Test
    void schemaThatThrowsIsRejectedWithItsCause() {
        RuntimeException boom = new RuntimeException("field 'amount' is missing");
        SerializationSchema<Event> failing = e -> {
            throw boom;
        };

        RecordRejectedException e = rejected(converter(failing), new Event("a", 1));

        assertThat(e.getMessage()).contains("could not be serialized").contains("field 'amount' is missing");
        assertThat(e.getCause()).isSameAs(boom);
        assertThat(e.dataSource()).isEqualTo("events");
    }

    @Test
    void stringGivenToTheDefaultSchemaIsRejectedWithAHint() {
        RecordRejectedException e = rejected(converter(new JacksonSerializationSchema<String>()), "{\"id\":1}");

        assertThat(e.getMessage()).contains("JsonStringSerializationSchema");
        assertThat(e.dataSource()).isEqualTo("events");
    }

    @Test
    void selectedDataSourceIsNamedWhenTheRecordIsRejectedLater() {
        SerializationSchema<Event> array = e -> "[]".getBytes(StandardCharsets.UTF_8);

        RecordRejectedException e = rejected(routed(array, ev -> "events_" + ev.type()), new Event("view", 1));

        assertThat(e.dataSource()).isEqualTo("events_view");
        assertThat(e.getMessage()).contains("'events_view'");
    }

    /** The documented way to configure Jackson: subclass and override createMapper(). */
    static final class IndentingSchema extends JacksonSerializationSchema<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        @Override
        protected ObjectMapper createMapper() {
            return super.createMapper().enable(SerializationFeature.INDENT_OUTPUT);
        }
    }

    @Test
    void jacksonSubclassWithIndentedOutputIsStillSentOnOneLine() {
        Map<String, Object> element = new LinkedHashMap<>();
        element.put("id", 1);
        element.put("type", "click");

        TinybirdRecord record = converter(new IndentingSchema()).apply(element, null);

        assertThat(line(record)).isEqualTo("{\"id\":1,\"type\":\"click\"}").doesNotContain("\n");
    }

    @Test
    void openOpensTheSchema() throws Exception {
        boolean[] opened = {false};
        SerializationSchema<Event> schema =
                new SerializationSchema<>() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    public void open(InitializationContext context) {
                        opened[0] = true;
                    }

                    @Override
                    public byte[] serialize(Event element) {
                        return "{}".getBytes(StandardCharsets.UTF_8);
                    }
                };

        converter(schema).open((SerializationSchema.InitializationContext) null);

        assertThat(opened[0]).isTrue();
    }
}
