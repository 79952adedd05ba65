package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Savepoints outlive connector versions: state written by version 1 of the format (the fixture,
 * written once and never regenerated) must keep restoring, byte for byte.
 */
class TinybirdRecordStateSerializerTest {

    private static final String FIXTURE = "/state/tinybird-sink-state-v1.bin";

    private static final List<TinybirdRecord> FIXTURE_RECORDS = List.of(
            record("events", "{\"id\":1,\"action\":\"page_view\"}"),
            record("events", "{\"id\":2,\"text\":\"caf\u00e9 \u2603 \ud83d\ude00\"}"),
            record("events_eu", "{\"id\":3,\"nested\":{\"a\":[1,2.5,null,true]}}"));

    private static TinybirdRecord record(String dataSource, String line) {
        return new TinybirdRecord(dataSource, line.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] fixture() throws IOException {
        try (InputStream in = TinybirdRecordStateSerializerTest.class.getResourceAsStream(FIXTURE)) {
            assertThat(in).as(FIXTURE).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void theVersion1FixtureRestoresEveryRecord() throws Exception {
        BufferedRequestState<TinybirdRecord> state = new TinybirdRecordStateSerializer().deserialize(1, fixture());

        List<TinybirdRecord> restored = state.getBufferedRequestEntries().stream()
                .map(RequestEntryWrapper::getRequestEntry).collect(Collectors.toList());
        assertThat(restored).containsExactlyElementsOf(FIXTURE_RECORDS);
        assertThat(state.getBufferedRequestEntries()).extracting(RequestEntryWrapper::getSize)
                .containsExactly(30L, 33L, 42L);
    }

    @Test
    void todaysSerializerStillWritesVersion1ByteForByte() throws Exception {
        TinybirdRecordStateSerializer serializer = new TinybirdRecordStateSerializer();
        List<RequestEntryWrapper<TinybirdRecord>> entries = FIXTURE_RECORDS.stream()
                .map(r -> new RequestEntryWrapper<>(r, r.sizeInBytes())).collect(Collectors.toList());

        assertThat(serializer.getVersion()).isEqualTo(1);
        assertThat(serializer.serialize(new BufferedRequestState<>(entries))).isEqualTo(fixture());
    }

    @Test
    void anUnknownVersionIsRefusedSayingWhichVersionCanRead() {
        assertThatThrownBy(() -> new TinybirdRecordStateSerializer().deserialize(2, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining("restore with the connector version that took the snapshot");
    }
}
