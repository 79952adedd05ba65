package io.github.flinktinybird.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the emulator holds: rows and quarantined lines per Data Source, and the request log.
 *
 * <p>One lock guards everything so that a request's rows land contiguously and a reader never
 * sees half of a request. Readers get copies, because the rows are mutable Jackson nodes and
 * the lists keep growing while tests read them.
 */
final class EmulatorStore {

    private final Map<String, List<ObjectNode>> rows = new LinkedHashMap<>();
    private final Map<String, List<String>> rawRows = new LinkedHashMap<>();
    private final Map<String, List<QuarantinedRow>> quarantine = new LinkedHashMap<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private long totalRows;

    synchronized void append(String dataSource, NdjsonBody body) {
        if (!body.rows().isEmpty()) {
            rows.computeIfAbsent(dataSource, k -> new ArrayList<>()).addAll(body.rows());
            rawRows.computeIfAbsent(dataSource, k -> new ArrayList<>()).addAll(body.rawRows());
            totalRows += body.rows().size();
        }
        if (!body.quarantined().isEmpty()) {
            quarantine.computeIfAbsent(dataSource, k -> new ArrayList<>()).addAll(body.quarantined());
        }
    }

    synchronized List<ObjectNode> rows(String dataSource) {
        List<ObjectNode> stored = rows.getOrDefault(dataSource, Collections.emptyList());
        List<ObjectNode> copy = new ArrayList<>(stored.size());
        for (ObjectNode row : stored) {
            copy.add(row.deepCopy());
        }
        return copy;
    }

    synchronized List<String> rawRows(String dataSource) {
        return new ArrayList<>(rawRows.getOrDefault(dataSource, Collections.emptyList()));
    }

    synchronized long rowCount(String dataSource) {
        return rows.getOrDefault(dataSource, Collections.emptyList()).size();
    }

    synchronized long totalRowCount() {
        return totalRows;
    }

    synchronized Set<String> dataSources() {
        return new TreeSet<>(rows.keySet());
    }

    synchronized List<QuarantinedRow> quarantined(String dataSource) {
        return new ArrayList<>(quarantine.getOrDefault(dataSource, Collections.emptyList()));
    }

    synchronized void record(RecordedRequest request) {
        requests.add(request);
    }

    synchronized List<RecordedRequest> requests() {
        return new ArrayList<>(requests);
    }

    synchronized void clear() {
        rows.clear();
        rawRows.clear();
        quarantine.clear();
        requests.clear();
        totalRows = 0;
    }
}
