package io.github.flinktinybird.error;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The NDJSON content of one dead-letter file: one envelope line per record, or a single line with
 * {@code "record":null} for a letter without lines (an element that could not be serialized).
 */
final class DeadLetterFormat {
    private static final JsonFactory JSON = new JsonFactory();

    private DeadLetterFormat() {}

    static byte[] ndjson(DeadLetter letter) throws IOException {
        int estimate = 256;
        for (byte[] line : letter.getLines()) {
            estimate += 256 + line.length;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(estimate);
        if (letter.getLines().isEmpty()) {
            envelope(letter, null, bytes);
        }
        for (byte[] line : letter.getLines()) {
            envelope(letter, line, bytes);
        }
        return bytes.toByteArray();
    }

    private static void envelope(DeadLetter letter, byte[] record, ByteArrayOutputStream out) throws IOException {
        try (JsonGenerator gen = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            gen.writeStringField("data_source", letter.getDataSource());
            gen.writeNumberField("http_status", letter.getHttpStatus());
            gen.writeStringField("reason", letter.getReason());
            gen.writeStringField("failed_at", letter.getFailedAt().toString());
            gen.writeFieldName("record");
            if (record == null) {
                gen.writeNull();
            } else {
                // The line is one compact JSON object already (the sink validated it).
                gen.writeRawValue(new String(record, StandardCharsets.UTF_8));
            }
            gen.writeEndObject();
        }
        out.write('\n');
    }
}
