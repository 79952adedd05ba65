package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import java.util.AbstractList;
import java.util.List;

/**
 * One request in flight as one entry of the writer's snapshot: {@link
 * TinybirdRecordStateSerializer} writes the part's bytes, made once per part ({@link
 * UnconfirmedRecords.Part#state()}), instead of laying out and deflating its records at every
 * checkpoint that comes while Tinybird commits them.
 *
 * <p>The base class copies its entries and sums their sizes when it is made; this one hands it
 * none and gives the part's records and size on demand, so that a snapshot costs nothing per
 * record for the parts in flight. It is never restored as such: the serializer reads its bytes back
 * as an ordinary state, so savepoints are the same version-2 states as before.
 */
final class InFlightPartState extends BufferedRequestState<TinybirdRecord> {
    private static final long serialVersionUID = 1L;

    private final transient UnconfirmedRecords.Part part;

    InFlightPartState(UnconfirmedRecords.Part part) {
        super(List.of());
        this.part = part;
    }

    /** The checkpointed bytes, made here (on the task thread) if no HTTP thread made them yet. */
    byte[] serialized() {
        return part.state();
    }

    boolean hasSerialized() {
        return part.hasState();
    }

    @Override
    public List<RequestEntryWrapper<TinybirdRecord>> getBufferedRequestEntries() {
        List<TinybirdRecord> records = part.records;
        return new AbstractList<>() {
            @Override
            public RequestEntryWrapper<TinybirdRecord> get(int index) {
                TinybirdRecord record = records.get(index);
                return new RequestEntryWrapper<>(record, record.sizeInBytes());
            }

            @Override
            public int size() {
                return records.size();
            }
        };
    }

    @Override
    public long getStateSize() {
        return part.bytes;
    }
}
