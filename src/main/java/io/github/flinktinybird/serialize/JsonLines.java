package io.github.flinktinybird.serialize;

import org.apache.flink.annotation.Internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Turns JSON text into one NDJSON line: a single compact JSON object. A newline inside a record
 * would split it into two broken lines, and what Tinybird does with a line that is not a JSON object
 * is undocumented, so nothing else is ever sent.
 */
@Internal
public final class JsonLines {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonLines() {}

    /**
     * Validates {@code json} as exactly one JSON object and returns it compact (no newlines, no
     * indentation). Already-compact input is returned as it is.
     *
     * @throws IllegalArgumentException naming what is wrong, without echoing the data
     */
    public static byte[] compactObject(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("the serialized record is null; expected one JSON object");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
        boolean changed = false;
        try (JsonParser parser = JSON.createParser(json);
                JsonGenerator gen = JSON.createGenerator(out)) {
            gen.setRootValueSeparator(new SerializedString(""));
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
            gen.flush();
            // Same length means nothing was reformatted (a removed newline or indent shortens it).
            changed = out.size() != json.length;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "the record is not valid JSON ("
                            + e.getOriginalMessage()
                            + " at byte "
                            + e.getLocation().getByteOffset()
                            + ")",
                    null);
        } catch (IOException e) {
            throw new IllegalArgumentException("the record could not be read as JSON: " + e.getMessage());
        }
        return changed ? out.toByteArray() : json;
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
