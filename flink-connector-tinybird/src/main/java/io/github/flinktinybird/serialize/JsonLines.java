package io.github.flinktinybird.serialize;

import org.apache.flink.annotation.Internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Turns JSON text into one NDJSON line: a single compact JSON object. A newline inside a record
 * would split it into two broken lines, and what Tinybird does with a line that is not a JSON object
 * is undocumented, so nothing else is ever sent.
 */
@Internal
public final class JsonLines {
    // Characters beyond U+FFFF (emoji) stay 4 UTF-8 bytes rather than a 12-byte escape pair.
    private static final JsonFactory JSON =
            JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

    private JsonLines() {}

    /**
     * Validates {@code json} as exactly one JSON object and returns it compact: no line breaks, no
     * indentation. Input that is compact already is returned as it is.
     *
     * @throws IllegalArgumentException naming what is wrong, without quoting the data
     */
    public static byte[] compactObject(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("the serialized record is null; expected one JSON object");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
        try (JsonParser parser = JSON.createParser(json);
                JsonGenerator gen = JSON.createGenerator(out)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(
                        "the record is "
                                + describe(first)
                                + ", not a JSON object; Tinybird takes one JSON object per event"
                                + " (e.g. {\"id\": 1})");
            }
            copyObjectExactly(parser, gen);
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new IllegalArgumentException(
                        "the record holds more than one JSON value (found "
                                + describe(after)
                                + " after the first object); send one JSON object per element");
            }
        } catch (JsonProcessingException e) {
            // Jackson's own message quotes the offending text, which may be sensitive data.
            throw new IllegalArgumentException(
                    "the record is not valid JSON (error at byte "
                            + e.getLocation().getByteOffset()
                            + " of "
                            + json.length
                            + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("the record could not be read as JSON");
        }
        byte[] compact = out.toByteArray();
        // Compare contents, not lengths: a rewrite can change escapes as well as whitespace.
        return Arrays.equals(compact, json) ? json : compact;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    /** 0x0E in every byte: {@code '\n'} (0x0A) and {@code '\r'} (0x0D) are the bytes below it that matter. */
    private static final long BELOW_0E = 0x0E * ONES;

    /**
     * Whether the line holds a {@code '\n'} or {@code '\r'} byte, eight bytes at a time: every
     * line Jackson writes for the default schema pays this, and a byte-by-byte loop took over
     * twice as long (JMH {@code lineBreakScan}). One test per word finds any byte below 0x0E;
     * Jackson escapes every control character in strings, so only raw output ({@code
     * @JsonRawValue}, custom serializers) has one, and only then are the eight bytes looked at one
     * by one.
     */
    public static boolean hasLineBreak(byte[] line) {
        int i = 0;
        for (int words = line.length - 7; i < words; i += 8) {
            long word = (long) LONGS.get(line, i);
            if (hasByteBelow0E(word) && lineBreakIn(line, i, i + 8)) {
                return true;
            }
        }
        return lineBreakIn(line, i, line.length);
    }

    private static boolean lineBreakIn(byte[] line, int from, int to) {
        for (int i = from; i < to; i++) {
            if (line[i] == '\n' || line[i] == '\r') {
                return true;
            }
        }
        return false;
    }

    /**
     * Exact as to whether there is one: the lowest byte below 0x0E always sets its high bit here
     * (a borrow only runs upwards from such a byte), and no word without one sets any.
     */
    private static boolean hasByteBelow0E(long word) {
        return ((word - BELOW_0E) & ~word & HIGH_BITS) != 0;
    }

    /** Copies the object under the parser, numbers as their exact text (no double rounding). */
    private static void copyObjectExactly(JsonParser parser, JsonGenerator gen) throws IOException {
        int depth = 0;
        JsonToken token = parser.currentToken();
        do {
            switch (token) {
                case START_OBJECT:
                case START_ARRAY:
                    depth++;
                    gen.copyCurrentEvent(parser);
                    break;
                case END_OBJECT:
                case END_ARRAY:
                    depth--;
                    gen.copyCurrentEvent(parser);
                    break;
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                    gen.writeNumber(parser.getText());
                    break;
                default:
                    gen.copyCurrentEvent(parser);
            }
            if (depth == 0) {
                return;
            }
            token = parser.nextToken();
        } while (token != null);
        throw new IllegalArgumentException("the record ends before its JSON object is closed");
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "empty";
        }
        switch (token) {
            case START_ARRAY:
                return "a JSON array";
            case VALUE_STRING:
                return "a JSON string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a JSON number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a JSON boolean";
            case VALUE_NULL:
                return "JSON null";
            default:
                return "a JSON " + token;
        }
    }
}
