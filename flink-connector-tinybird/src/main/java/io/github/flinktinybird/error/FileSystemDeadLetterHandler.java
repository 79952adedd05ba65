package io.github.flinktinybird.error;

import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes dead letters as NDJSON files through Flink's {@link FileSystem}: one file per subtask and
 * attempt, {@code <path>/tinybird-dead-letters-<subtask>-<attempt>-<id>.ndjson}, created on the
 * first letter. Each line is one record:
 *
 * <pre>{@code
 * {"data_source":"events","http_status":400,"reason":"...","failed_at":"2026-11-26T16:00:00Z","record":{...}}
 * }</pre>
 *
 * <p>{@code record} is the JSON object the sink would have sent ({@code null} when the element
 * could not be serialized), so a file can be replayed with {@code jq -c .record}. Each letter is
 * flushed and synced before {@link #write} returns.
 */
public class FileSystemDeadLetterHandler implements DeadLetterHandler {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String basePath;
    private transient int subtaskIndex;
    private transient int attemptNumber;
    private transient FSDataOutputStream out;

    public FileSystemDeadLetterHandler(String basePath) {
        this.basePath = Objects.requireNonNull(basePath, "the dead-letter path must not be null");
        if (basePath.isBlank()) {
            throw new IllegalArgumentException(
                    "the dead-letter path must not be empty: set sink.error-policy.dead-letter-path"
                            + " to a directory URI such as file:///var/tmp/tinybird-dead-letters");
        }
    }

    public String getBasePath() {
        return basePath;
    }

    @Override
    public void open(int subtaskIndex, int attemptNumber) {
        this.subtaskIndex = subtaskIndex;
        this.attemptNumber = attemptNumber;
    }

    @Override
    public void write(DeadLetter letter) throws IOException {
        if (out == null) {
            Path file =
                    new Path(
                            basePath,
                            "tinybird-dead-letters-"
                                    + subtaskIndex
                                    + "-"
                                    + attemptNumber
                                    + "-"
                                    + UUID.randomUUID().toString().substring(0, 8)
                                    + ".ndjson");
            out = file.getFileSystem().create(file, FileSystem.WriteMode.NO_OVERWRITE);
        }
        if (letter.getLines().isEmpty()) {
            out.write(envelope(letter, null));
        }
        for (byte[] line : letter.getLines()) {
            out.write(envelope(letter, line));
        }
        out.flush();
        out.sync();
    }

    private static byte[] envelope(DeadLetter letter, byte[] record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + (record == null ? 0 : record.length));
        try (JsonGenerator gen = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
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
        bytes.write('\n');
        return bytes.toByteArray();
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }

    @Override
    public String toString() {
        return "FileSystemDeadLetterHandler{" + basePath + '}';
    }
}
