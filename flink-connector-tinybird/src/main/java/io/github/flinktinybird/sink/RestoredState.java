package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restored writer state, split into what fits the sink's record cap and what no longer does.
 *
 * <p>A savepoint can hold records larger than a record cap lowered since: handed to Flink's buffer
 * they would fail its size check on every restore, a crash loop. They go to the error policy
 * instead, as a record over the cap does when it is written.
 */
final class RestoredState {
    final List<BufferedRequestState<TinybirdRecord>> fitting;
    /** Records over the cap, by Data Source, in state order. */
    final Map<String, List<TinybirdRecord>> tooLarge;
    final long records;
    final long bytes;

    private RestoredState(List<BufferedRequestState<TinybirdRecord>> fitting, Map<String, List<TinybirdRecord>> tooLarge, long records, long bytes) {
        this.fitting = fitting;
        this.tooLarge = tooLarge;
        this.records = records;
        this.bytes = bytes;
    }

    static RestoredState split(Collection<BufferedRequestState<TinybirdRecord>> states, long maxRecordSizeInBytes) {
        List<RequestEntryWrapper<TinybirdRecord>> fitting = new ArrayList<>();
        Map<String, List<TinybirdRecord>> tooLarge = new LinkedHashMap<>();
        long bytes = 0;
        for (BufferedRequestState<TinybirdRecord> state : states) {
            for (RequestEntryWrapper<TinybirdRecord> entry : state.getBufferedRequestEntries()) {
                TinybirdRecord record = entry.getRequestEntry();
                if (record.sizeInBytes() > maxRecordSizeInBytes) {
                    tooLarge.computeIfAbsent(record.getDataSource(), k -> new ArrayList<>()).add(record);
                } else {
                    // The size Flink checks is the one measured now, not the one stored.
                    fitting.add(new RequestEntryWrapper<>(record, record.sizeInBytes()));
                    bytes += record.sizeInBytes();
                }
            }
        }
        List<BufferedRequestState<TinybirdRecord>> kept =
                fitting.isEmpty() ? List.of() : List.of(new BufferedRequestState<>(fitting));
        return new RestoredState(kept, tooLarge, fitting.size(), bytes);
    }

    /**
     * Hands the records over the cap to the error policy.
     *
     * @return {@code null}, or the exception that must fail the job (under {@code FAIL}, one that
     *     stops Flink from restarting into the same records)
     */
    RuntimeException handTooLargeTo(ErrorPolicyEnforcer errorPolicy, long maxRecordSizeInBytes) {
        for (Map.Entry<String, List<TinybirdRecord>> entry : tooLarge.entrySet()) {
            List<TinybirdRecord> records = entry.getValue();
            List<byte[]> lines = new ArrayList<>(records.size());
            long largest = 0;
            for (TinybirdRecord record : records) {
                lines.add(record.getLine());
                largest = Math.max(largest, record.sizeInBytes());
            }
            Exception fail =
                    errorPolicy.undeliverable(
                            entry.getKey(),
                            lines,
                            records.size() + " restored record(s) for Data Source '" + entry.getKey() + "' (the largest "
                                    + largest + " bytes) are over the record size cap of " + maxRecordSizeInBytes
                                    + " bytes (sink.max-record-size, at most sink.flush-buffer.size), lowered since"
                                    + " the snapshot was taken; restore with the former limits to send them",
                            0,
                            true);
            if (fail != null) {
                return fail instanceof RuntimeException ? (RuntimeException) fail : new IllegalStateException(fail);
            }
        }
        return null;
    }
}
