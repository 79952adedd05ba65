package io.github.flinktinybird.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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

    /** When set, rows are not kept: only how often each value of this field arrived. */
    private final String idField;
    /** When set, nothing of the rows is kept: only how many arrived per Data Source. */
    private final boolean countOnly;
    private final Map<String, List<ObjectNode>> rows = new LinkedHashMap<>();
    private final Map<String, Map<String, Integer>> idCounts = new LinkedHashMap<>();
    private final Map<String, Long> rowTotals = new LinkedHashMap<>();
    private final Map<String, List<String>> rawRows = new LinkedHashMap<>();
    private final Map<String, List<QuarantinedRow>> quarantine = new LinkedHashMap<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private long totalRows;

    EmulatorStore(String idField, boolean countOnly) {
        this.idField = idField;
        this.countOnly = countOnly;
    }

    synchronized void append(String dataSource, NdjsonBody body) {
        if (countOnly) {
            totalRows += body.rowCount();
            rowTotals.merge(dataSource, (long) body.rowCount(), Long::sum);
        } else if (idField != null) {
            Map<String, Integer> counts = idCounts.computeIfAbsent(dataSource, k -> new HashMap<>());
            for (ObjectNode row : body.rows()) {
                JsonNode id = row.get(idField);
                counts.merge(id == null ? "" : id.asText(), 1, Integer::sum);
            }
            totalRows += body.rows().size();
            rowTotals.merge(dataSource, (long) body.rows().size(), Long::sum);
        } else if (!body.rows().isEmpty()) {
            rows.computeIfAbsent(dataSource, k -> new ArrayList<>()).addAll(body.rows());
            rawRows.computeIfAbsent(dataSource, k -> new ArrayList<>()).addAll(body.rawRows());
            totalRows += body.rows().size();
        }
        if (!body.quarantined().isEmpty()) {
            quarantine.computeIfAbsent(dataSource, k -> new ArrayList<>()).addAll(body.quarantined());
        }
    }

    synchronized List<ObjectNode> rows(String dataSource) {
        requireRowsKept();
        List<ObjectNode> stored = rows.getOrDefault(dataSource, Collections.emptyList());
        List<ObjectNode> copy = new ArrayList<>(stored.size());
        for (ObjectNode row : stored) {
            copy.add(row.deepCopy());
        }
        return copy;
    }

    synchronized List<String> rawRows(String dataSource) {
        requireRowsKept();
        return new ArrayList<>(rawRows.getOrDefault(dataSource, Collections.emptyList()));
    }

    /** Whether rows (or their ids) are kept, so that a parsed body must hold them until stored. */
    boolean keepsRows() {
        return !countOnly;
    }

    synchronized long rowCount(String dataSource) {
        if (idField != null || countOnly) {
            return rowTotals.getOrDefault(dataSource, 0L);
        }
        return rows.getOrDefault(dataSource, Collections.emptyList()).size();
    }

    synchronized long totalRowCount() {
        return totalRows;
    }

    synchronized Set<String> dataSources() {
        return new TreeSet<>(idField != null || countOnly ? rowTotals.keySet() : rows.keySet());
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

    synchronized Map<String, Integer> idCounts(String dataSource) {
        if (countOnly) {
            throw new IllegalStateException("the emulator was built with countRowsOnly(), so it keeps no ids:"
                    + " build it with keepOnlyIds(field) to count ids");
        }
        if (idField == null) {
            throw new IllegalStateException("the emulator keeps whole rows: build it with keepOnlyIds(field) to count ids");
        }
        return new HashMap<>(idCounts.getOrDefault(dataSource, Collections.emptyMap()));
    }

    private void requireRowsKept() {
        if (countOnly) {
            throw new IllegalStateException(
                    "the emulator was built with countRowsOnly(), so it keeps no rows: use rowCount(dataSource)");
        }
        if (idField != null) {
            throw new IllegalStateException(
                    "the emulator was built with keepOnlyIds(\"" + idField + "\"), so it keeps no rows: use idCounts(dataSource)");
        }
    }

    synchronized void clear() {
        idCounts.clear();
        rowTotals.clear();
        rows.clear();
        rawRows.clear();
        quarantine.clear();
        requests.clear();
        totalRows = 0;
    }
}
