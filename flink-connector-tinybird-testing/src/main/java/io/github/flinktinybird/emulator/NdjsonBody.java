package io.github.flinktinybird.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An NDJSON body split into the rows a Data Source accepts and the lines it quarantines.
 *
 * <p>Lines are split on bytes, before decoding, so that invalid UTF-8 on one line only
 * quarantines that line. A line is a row only if it is strict JSON (no trailing content), an
 * object, and holds no string with an unpaired UTF-16 surrogate: Jackson accepts an escaped lone
 * surrogate such as {@code "\ud800"}, but no UTF-8 column can store it.
 */
final class NdjsonBody {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final List<ObjectNode> rows = new ArrayList<>();
    private final List<String> rawRows = new ArrayList<>();
    private final List<QuarantinedRow> quarantined = new ArrayList<>();
    /** Whether the rows themselves are kept, or only counted. */
    private final boolean keepRows;
    private int rowCount;

    private NdjsonBody(boolean keepRows) {
        this.keepRows = keepRows;
    }

    /** Classifies every non-blank line of {@code body[0, length)}. */
    static NdjsonBody parse(String dataSource, byte[] body, int length) {
        return parse(dataSource, body, length, true);
    }

    /**
     * Classifies every non-blank line; with {@code keepRows} false the accepted rows are only
     * counted ({@link #rowCount()}; {@link #rows()} stays empty), so that a body waiting out the
     * commit latency holds nothing but its quarantined lines.
     */
    static NdjsonBody parse(String dataSource, byte[] body, int length, boolean keepRows) {
        NdjsonBody parsed = new NdjsonBody(keepRows);
        int start = 0;
        while (start < length) {
            int end = start;
            while (end < length && body[end] != '\n') {
                end++;
            }
            int lineEnd = end;
            if (lineEnd > start && body[lineEnd - 1] == '\r') {
                lineEnd--;
            }
            if (!isBlank(body, start, lineEnd)) {
                parsed.classify(dataSource, body, start, lineEnd - start);
            }
            start = end + 1;
        }
        return parsed;
    }

    List<ObjectNode> rows() {
        return rows;
    }

    /** The accepted lines exactly as received, in the same order as {@link #rows()}. */
    List<String> rawRows() {
        return rawRows;
    }

    List<QuarantinedRow> quarantined() {
        return quarantined;
    }

    /** The accepted rows, kept or not. */
    int rowCount() {
        return rowCount;
    }

    int lineCount() {
        return rowCount + quarantined.size();
    }

    private void classify(String dataSource, byte[] body, int offset, int length) {
        String raw = new String(body, offset, length, StandardCharsets.UTF_8);
        JsonNode node;
        try {
            node = MAPPER.readTree(body, offset, length);
        } catch (JsonProcessingException e) {
            quarantined.add(new QuarantinedRow(dataSource, raw, "invalid JSON: " + e.getOriginalMessage()));
            return;
        } catch (IOException e) {
            quarantined.add(new QuarantinedRow(dataSource, raw, "invalid JSON: " + e.getMessage()));
            return;
        }
        if (node == null || !node.isObject()) {
            String type = node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
            quarantined.add(new QuarantinedRow(dataSource, raw, "a row must be a JSON object, got " + type));
            return;
        }
        String surrogateAt = findLoneSurrogate(node, "$");
        if (surrogateAt != null) {
            quarantined.add(new QuarantinedRow(dataSource, raw,
                    "unpaired UTF-16 surrogate in a string at " + surrogateAt));
            return;
        }
        rowCount++;
        if (keepRows) {
            rows.add((ObjectNode) node);
            rawRows.add(raw);
        }
    }

    /** Returns the JSON path of the first string (value or field name) with a lone surrogate, or null. */
    private static String findLoneSurrogate(JsonNode node, String path) {
        if (node.isTextual()) {
            return hasLoneSurrogate(node.textValue()) ? path : null;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String fieldPath = path + "." + field.getKey();
                if (hasLoneSurrogate(field.getKey())) {
                    return fieldPath;
                }
                String found = findLoneSurrogate(field.getValue(), fieldPath);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = findLoneSurrogate(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBlank(byte[] body, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
