package io.github.flinktinybird.serialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

class JsonLinesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String compact(String json) {
        return new String(JsonLines.compactObject(utf8(json)), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{}",
                "{\"id\":1}",
                "{\"id\":1,\"name\":\"Zoë ✓ 日本\",\"tags\":[\"a\",\"b\"],\"nested\":{\"ok\":true,\"none\":null}}",
                "{\"text\":\"line\\nbreak \\\"quoted\\\" back\\\\slash\"}",
            })
    void compactObjectPassesThroughAsItIs(String json) {
        byte[] input = utf8(json);

        byte[] output = JsonLines.compactObject(input);

        assertThat(output).isSameAs(input);
    }

    @Test
    void prettyPrintedObjectBecomesOneCompactLine() {
        String pretty =
                "{\n"
                        + "  \"id\" : 1,\n"
                        + "  \"name\" : \"Zoë\",\n"
                        + "  \"tags\" : [ \"a\", \"b\" ],\n"
                        + "  \"nested\" : {\n"
                        + "    \"ok\" : true,\r\n"
                        + "    \"none\" : null\n"
                        + "  }\n"
                        + "}\n";

        String line = compact(pretty);

        assertThat(line)
                .isEqualTo("{\"id\":1,\"name\":\"Zoë\",\"tags\":[\"a\",\"b\"],\"nested\":{\"ok\":true,\"none\":null}}");
        assertThat(line).doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void surroundingWhitespaceIsDropped() {
        assertThat(compact("  \t{\"id\":1}\n\n")).isEqualTo("{\"id\":1}");
    }

    @Test
    void escapedNewlinesInsideStringsStayEscaped() throws Exception {
        String json = "{ \"text\" : \"first\\nsecond\" }";

        String line = compact(json);

        assertThat(line).doesNotContain("\n");
        assertThat(MAPPER.readTree(line).get("text").asText()).isEqualTo("first\nsecond");
    }

    @Test
    void unicodeSurvivesCompaction() throws Exception {
        String json = "{ \"name\" : \"Zoë ✓ 😀 日本\", \"escaped\" : \"\\u00e9\" }";

        String line = compact(json);

        assertThat(line).startsWith("{\"name\":\"Zo").contains(",\"escaped\":");
        assertThat(MAPPER.readTree(line)).isEqualTo(MAPPER.readTree(json));
        assertThat(MAPPER.readTree(line).get("name").asText()).isEqualTo("Zoë ✓ 😀 日本");
    }

    /**
     * Pretty-printed, with exactly eight bytes of whitespace (three of them line breaks) and one
     * character outside the Basic Multilingual Plane, which Jackson's generator writes as a 12-byte
     * surrogate-pair escape instead of its 4 UTF-8 bytes.
     */
    private static final String PRETTY_WITH_EMOJI = "{\n \"a\" : \"😀\",\n \"b\": 1\n}";

    @Test
    void prettyPrintedObjectWithEmojiNeverKeepsItsLineBreaks() throws Exception {
        byte[] input = utf8(PRETTY_WITH_EMOJI);

        String line = new String(JsonLines.compactObject(input), StandardCharsets.UTF_8);

        assertThat(line).doesNotContain("\n");
        assertThat(MAPPER.readTree(line)).isEqualTo(MAPPER.readTree(PRETTY_WITH_EMOJI));
    }

    @Test
    void compactObjectWithEmojiIsReturnedAsItIs() {
        byte[] input = utf8("{\"msg\":\"hi 😀\"}");

        assertThat(JsonLines.compactObject(input)).isEqualTo(input);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "0.12345678901234567890123",
                "1.50",
                "1e400",
                "-1E-400",
                "12345678901234567890123456789",
                "-0",
                "0.0",
                "2.5e+10",
            })
    void numbersKeepTheirExactText(String number) {
        String pretty = "{\n  \"n\" : " + number + ",\n  \"in\" : [ " + number + " ]\n}";

        assertThat(compact(pretty)).isEqualTo("{\"n\":" + number + ",\"in\":[" + number + "]}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "[{\"id\":1}]         | a JSON array",
                "[]                   | a JSON array",
                "\"{\\\"id\\\":1}\"   | a JSON string",
                "42                   | a JSON number",
                "1.5                  | a JSON number",
                "true                 | a JSON boolean",
                "null                 | JSON null",
            })
    void nonObjectsAreRejectedSayingWhatTheyAre(String json, String what) {
        assertThatThrownBy(() -> JsonLines.compactObject(utf8(json)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the record is " + what)
                .hasMessageContaining("not a JSON object");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{\"id\":",
                "{\"id\":1",
                "{\"id\":1,}",
                "{'id':1}",
                "{id:1}",
                "{\"id\":NaN}",
                "{\"id\":\"unterminated}",
                "{\"id\":1]",
            })
    void invalidJsonIsRejected(String json) {
        assertThatThrownBy(() -> JsonLines.compactObject(utf8(json)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("at byte");
    }

    @Test
    void rawControlCharacterInAStringIsRejected() {
        assertThatThrownBy(() -> JsonLines.compactObject(utf8("{\"text\":\"a\nb\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"a\":1}{\"b\":2}", "{\"a\":1}\n{\"b\":2}\n", "{\"a\":1} 2", "{\"a\":1} [1]"})
    void twoValuesAreRejected(String json) {
        assertThatThrownBy(() -> JsonLines.compactObject(utf8(json)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than one JSON value")
                .hasMessageContaining("one JSON object per element");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"a\":1} garbage", "{\"a\":1},", "{\"a\":1}}"})
    void trailingGarbageIsRejected(String json) {
        assertThatThrownBy(() -> JsonLines.compactObject(utf8(json))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "   ", "\n"})
    void emptyInputIsRejected(String json) {
        assertThatThrownBy(() -> JsonLines.compactObject(utf8(json)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty")
                .hasMessageContaining("not a JSON object");
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> JsonLines.compactObject(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null")
                .hasMessageContaining("one JSON object");
    }

    @Test
    void messageOfANonObjectDoesNotQuoteTheData() {
        assertThatThrownBy(() -> JsonLines.compactObject(utf8("[\"john.doe@example.com\"]")))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("john.doe");
    }

    @Test
    void messageOfInvalidJsonDoesNotQuoteTheData() {
        assertThatThrownBy(() -> JsonLines.compactObject(utf8("{\"password\": hunter2secret}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON")
                .message()
                .doesNotContain("hunter2secret");
    }
}
