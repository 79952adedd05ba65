package io.github.flinktinybird.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

class TinybirdRecordStateSerializerTest {

    /**
     * Committed bytes of a version-1 state, written by the connector before version 2; never
     * rewritten (no connector writes version 1 any more).
     */
    private static final String FIXTURE_RESOURCE = "/state/tinybird-writer-state-v1.bin";

    /** The records of the fixture, exactly as a version-1 writer buffered them. */
    private static final String[][] FIXTURE_RECORDS = {
        {"events", "{\"id\":1,\"event\":\"signup\",\"user\":\"ana\"}"},
        {"events", "{\"id\":2,\"event\":\"login\",\"note\":\"café ✓\"}"},
        {"clicks", "{\"url\":\"https://example.com/?q=1\",\"x\":10,\"y\":20}"},
    };

    /** The size each record counted for in the buffer: its line and the newline. */
    private static final long[] FIXTURE_SIZES = {39, 44, 49};

    private final TinybirdRecordStateSerializer serializer = new TinybirdRecordStateSerializer();

    private static TinybirdRecord record(String dataSource, String line) {
        return new TinybirdRecord(dataSource, line.getBytes(StandardCharsets.UTF_8));
    }

    private static BufferedRequestState<TinybirdRecord> stateOf(TinybirdRecord... records) {
        List<RequestEntryWrapper<TinybirdRecord>> entries = new ArrayList<>();
        for (TinybirdRecord record : records) {
            entries.add(new RequestEntryWrapper<>(record, record.sizeInBytes()));
        }
        return new BufferedRequestState<>(entries);
    }

    private static BufferedRequestState<TinybirdRecord> fixtureState() {
        List<RequestEntryWrapper<TinybirdRecord>> entries = new ArrayList<>();
        for (int i = 0; i < FIXTURE_RECORDS.length; i++) {
            entries.add(
                    new RequestEntryWrapper<>(record(FIXTURE_RECORDS[i][0], FIXTURE_RECORDS[i][1]), FIXTURE_SIZES[i]));
        }
        return new BufferedRequestState<>(entries);
    }

    private static List<TinybirdRecord> records(BufferedRequestState<TinybirdRecord> state) {
        List<TinybirdRecord> records = new ArrayList<>();
        for (RequestEntryWrapper<TinybirdRecord> entry : state.getBufferedRequestEntries()) {
            records.add(entry.getRequestEntry());
        }
        return records;
    }

    private static long[] sizes(BufferedRequestState<TinybirdRecord> state) {
        return state.getBufferedRequestEntries().stream().mapToLong(RequestEntryWrapper::getSize).toArray();
    }

    private BufferedRequestState<TinybirdRecord> roundTrip(BufferedRequestState<TinybirdRecord> state)
            throws IOException {
        return serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
    }

    // ---- round trips --------------------------------------------------------------------------------

    @Test
    void versionIsThree() {
        assertThat(serializer.getVersion()).isEqualTo(3);
    }

    /** {@code n} events as a job of the e2e tests writes them: NDJSON lines much alike. */
    private static BufferedRequestState<TinybirdRecord> events(int n) {
        TinybirdRecord[] records = new TinybirdRecord[n];
        for (int i = 0; i < n; i++) {
            records[i] = record("events", "{\"id\":" + (1_000_000 + i) + ",\"user\":\"user-" + (i % 9973)
                    + "\",\"action\":\"page_view\",\"ts\":" + (1_767_225_600_000L + i) + ",\"page\":\"/products/"
                    + (i % 1000) + "/details\"}");
        }
        return stateOf(records);
    }

    @Test
    void aStateOfManyEventsRestoresAndIsStoredDeflated() throws IOException {
        // The snapshot holds every record in flight (MiBs per subtask): what a checkpoint writes.
        BufferedRequestState<TinybirdRecord> state = events(20_000);

        byte[] bytes = serializer.serialize(state);
        BufferedRequestState<TinybirdRecord> restored = serializer.deserialize(3, bytes);

        assertThat(records(restored)).containsExactlyElementsOf(records(state));
        assertThat(sizes(restored)).containsExactly(sizes(state));
        assertThat((long) bytes.length).as("bytes in the checkpoint").isLessThan(state.getStateSize() / 4);
    }

    @Test
    void roundTripKeepsRecordsOrderAndSizes() throws IOException {
        BufferedRequestState<TinybirdRecord> state =
                stateOf(
                        record("events", "{\"id\":1}"),
                        record("clicks", "{\"url\":\"/a\"}"),
                        record("events", "{\"id\":2,\"text\":\"Zoë ✓ 😀 日本\"}"),
                        record("t_0123abcd", "{\"nested\":{\"list\":[1,2,3]},\"n\":0.12345678901234567890123}"));

        BufferedRequestState<TinybirdRecord> restored = roundTrip(state);

        assertThat(records(restored)).containsExactlyElementsOf(records(state));
        assertThat(sizes(restored)).containsExactly(sizes(state));
        assertThat(restored.getStateSize()).isEqualTo(state.getStateSize());
        assertThat(new String(records(restored).get(2).getLine(), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":2,\"text\":\"Zoë ✓ 😀 日本\"}");
    }

    @Test
    void roundTripKeepsSizesThatDifferFromTheLine() throws IOException {
        // The size belongs to Flink's buffer accounting; it must come back as it was, not recomputed.
        List<RequestEntryWrapper<TinybirdRecord>> entries =
                List.of(new RequestEntryWrapper<>(record("events", "{\"id\":1}"), 12_345L));

        BufferedRequestState<TinybirdRecord> restored = roundTrip(new BufferedRequestState<>(entries));

        assertThat(sizes(restored)).containsExactly(12_345L);
        assertThat(records(restored)).containsExactly(record("events", "{\"id\":1}"));
    }

    @Test
    void roundTripOfAnEmptyLine() throws IOException {
        BufferedRequestState<TinybirdRecord> state =
                stateOf(record("events", ""), record("events", "{}"), record("clicks", ""));

        BufferedRequestState<TinybirdRecord> restored = roundTrip(state);

        assertThat(records(restored)).containsExactlyElementsOf(records(state));
        assertThat(records(restored).get(0).getLine()).isEmpty();
        assertThat(records(restored).get(1).getLine()).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void roundTripOfANonAsciiDataSourceName() throws IOException {
        // Names are ASCII in Tinybird, but the format must not depend on it.
        BufferedRequestState<TinybirdRecord> state = stateOf(record("événements_日本", "{\"a\":1}"));

        assertThat(records(roundTrip(state))).containsExactly(record("événements_日本", "{\"a\":1}"));
    }

    @Test
    void roundTripOfALargeRecord() throws IOException {
        String big = "{\"blob\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";

        BufferedRequestState<TinybirdRecord> restored = roundTrip(stateOf(record("events", big)));

        assertThat(records(restored)).containsExactly(record("events", big));
    }

    @Test
    void roundTripOfAnEmptyState() throws IOException {
        BufferedRequestState<TinybirdRecord> restored = roundTrip(BufferedRequestState.emptyState());

        assertThat(restored.getBufferedRequestEntries()).isEmpty();
        assertThat(restored.getStateSize()).isZero();
    }

    // ---- the state of one request in flight ---------------------------------------------------------

    private static UnconfirmedRecords.Part part(BufferedRequestState<TinybirdRecord> state) {
        return new UnconfirmedRecords.Part("events", records(state));
    }

    @Test
    void aRequestInFlightIsWrittenAsTheSameBytesAsAnyStateOfItsRecords() throws IOException {
        BufferedRequestState<TinybirdRecord> plain = events(1_000);

        byte[] bytes = serializer.serialize(new InFlightPartState(part(plain)));

        assertThat(bytes).isEqualTo(serializer.serialize(plain));
        BufferedRequestState<TinybirdRecord> restored = serializer.deserialize(3, bytes);
        assertThat(records(restored)).containsExactlyElementsOf(records(plain));
        assertThat(sizes(restored)).containsExactly(sizes(plain));
    }

    @Test
    void theFixtureRecordsInFlightDeflateToTheVersion1Fixture() throws IOException {
        // The fixture's sizes are its lines' (checked below), which a request in flight writes.
        byte[] fixture = readFixture();
        byte[] bytes = serializer.serialize(new InFlightPartState(new UnconfirmedRecords.Part("events", records(fixtureState()))));

        assertThat(bytes).isEqualTo(serializer.serialize(fixtureState()));
        assertThat(records(serializer.deserialize(3, bytes))).containsExactlyElementsOf(records(serializer.deserialize(1, fixture)));
    }

    @Test
    void aRequestInFlightIsSerializedOnceForEverySnapshotItIsIn() throws IOException {
        UnconfirmedRecords.Part part = part(events(1_000));

        byte[] first = serializer.serialize(new InFlightPartState(part));
        byte[] second = serializer.serialize(new InFlightPartState(part));

        assertThat(second).as("the bytes of the first snapshot, not made again").isSameAs(first);
    }

    @Test
    void aRequestInFlightTellsFlinkItsRecordsAndSizeWithoutCopyingThem() {
        BufferedRequestState<TinybirdRecord> plain = events(100);
        InFlightPartState state = new InFlightPartState(part(plain));

        assertThat(records(state)).containsExactlyElementsOf(records(plain));
        assertThat(sizes(state)).containsExactly(sizes(plain));
        assertThat(state.getStateSize()).isEqualTo(plain.getStateSize());
        assertThat(state.hasSerialized()).as("nothing made until a snapshot or the HTTP thread asks").isFalse();
    }

    // ---- refusing what it cannot read -------------------------------------------------------------

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {0, 4, -1, 100})
    void unknownVersionIsRefusedClearly(int version) throws IOException {
        byte[] bytes = serializer.serialize(stateOf(record("events", "{\"id\":1}")));

        assertThatThrownBy(() -> serializer.deserialize(version, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version " + version)
                .hasMessageContaining("reads versions 1 to 3")
                .hasMessageContaining("connector version that took the snapshot");
    }

    @Test
    void truncatedStateIsAnIoException() throws IOException {
        byte[] bytes =
                serializer.serialize(stateOf(record("events", "{\"id\":1}"), record("clicks", "{\"id\":2}")));

        for (int length : new int[] {bytes.length - 1, bytes.length - 10, 14, 5, 3, 0}) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> serializer.deserialize(2, cut))
                    .as("cut to %d of %d bytes", length, bytes.length)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("corrupt Tinybird sink state");
        }
    }

    @Test
    void truncatedVersion1StateIsAnIoException() throws IOException {
        byte[] bytes = readFixture();

        for (int length : new int[] {bytes.length - 1, bytes.length - 10, 14, 20}) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> serializer.deserialize(1, cut))
                    .as("cut to %d of %d bytes", length, bytes.length)
                    .isInstanceOf(IOException.class);
        }
    }

    /** Version 2 framing around {@code deflated}: the length it claims, then the bytes. */
    private static byte[] version2(int claimedLength, byte[] deflated) {
        return java.nio.ByteBuffer.allocate(4 + deflated.length).putInt(claimedLength).put(deflated).array();
    }

    private static byte[] deflated(byte[] plain) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(1, true);
        deflater.setInput(plain);
        deflater.finish();
        byte[] out = new byte[plain.length + 64];
        int length = deflater.deflate(out);
        deflater.end();
        return Arrays.copyOf(out, length);
    }

    @ParameterizedTest(name = "claimed length {0}")
    @ValueSource(ints = {-1, 0, 1, 1000, Integer.MAX_VALUE})
    void version2ClaimingAnotherLengthThanItInflatesToIsAnIoExceptionNotAnOutOfMemoryError(int claimed)
            throws IOException {
        byte[] fixture = readFixture();
        byte[] bytes = version2(claimed == 1000 ? fixture.length + 1 : claimed, deflated(fixture));

        assertThatThrownBy(() -> serializer.deserialize(2, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt Tinybird sink state");
    }

    @Test
    void version2WithBytesAfterTheDeflatedStreamIsAnIoException() throws IOException {
        byte[] fixture = readFixture();
        byte[] deflated = deflated(fixture);
        byte[] longer = Arrays.copyOf(deflated, deflated.length + 3);

        assertThatThrownBy(() -> serializer.deserialize(2, version2(fixture.length, longer)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt Tinybird sink state");
    }

    @Test
    void version2OfGarbageIsAnIoException() {
        byte[] garbage = version2(40, "this is not Tinybird sink state".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> serializer.deserialize(2, garbage))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt Tinybird sink state");
    }

    /** A valid header and one record whose Data Source name claims {@code nameLength} bytes. */
    private static byte[] stateWithNameLength(int nameLength) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(-1L); // the base class's data identifier
            out.writeInt(1); // one record
            out.writeLong(8L); // its size
            out.writeInt(nameLength);
            out.write("events".getBytes(StandardCharsets.UTF_8));
            out.writeInt(2);
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest(name = "name length {0}")
    @ValueSource(ints = {-1, Integer.MIN_VALUE, 4097, Integer.MAX_VALUE})
    void corruptDataSourceLengthIsAnIoException(int length) throws IOException {
        byte[] bytes = stateWithNameLength(length);

        assertThatThrownBy(() -> serializer.deserialize(1, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt Tinybird sink state")
                .hasMessageContaining("Data Source name length " + length);
    }

    @Test
    void handCraftedValidStateIsRead() throws IOException {
        // The same layout as the corrupt cases, with a correct length: the layout is what we think.
        BufferedRequestState<TinybirdRecord> state = serializer.deserialize(1, stateWithNameLength(6));

        assertThat(records(state)).containsExactly(record("events", "{}"));
        assertThat(sizes(state)).containsExactly(8L);
    }

    @Test
    void negativeRecordLengthIsAnIoException() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(-1L);
            out.writeInt(1);
            out.writeLong(8L);
            out.writeInt(6);
            out.write("events".getBytes(StandardCharsets.UTF_8));
            out.writeInt(-7);
        }

        assertThatThrownBy(() -> serializer.deserialize(1, bytes.toByteArray()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("record length -7");
    }

    @Test
    void hugeCorruptRecordLengthIsAnIoExceptionNotAnOutOfMemoryError() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(-1L);
            out.writeInt(1);
            out.writeLong(8L);
            out.writeInt(6);
            out.write("events".getBytes(StandardCharsets.UTF_8));
            out.writeInt(Integer.MAX_VALUE - 8);
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }

        assertThatThrownBy(() -> serializer.deserialize(1, bytes.toByteArray()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt Tinybird sink state");
    }

    @Test
    void garbageIsAnIoException() {
        byte[] garbage = "this is not Tinybird sink state".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> serializer.deserialize(1, garbage)).isInstanceOf(IOException.class);
    }

    @Test
    void garbageIsRefused() {
        byte[] garbage = "this is not Tinybird sink state".getBytes(StandardCharsets.UTF_8);

        // Whatever the exception type (see garbageIsAnIoException), garbage never restores.
        assertThatThrownBy(() -> serializer.deserialize(1, garbage)).isInstanceOfAny(IOException.class,
                IllegalStateException.class);
    }

    // ---- the version-1 fixture ----------------------------------------------------------------------

    @Test
    void version1FixtureRestoresExactly() throws IOException {
        byte[] fixture = readFixture();

        BufferedRequestState<TinybirdRecord> state = serializer.deserialize(1, fixture);

        List<TinybirdRecord> records = records(state);
        assertThat(records).hasSize(3);
        for (int i = 0; i < FIXTURE_RECORDS.length; i++) {
            assertThat(records.get(i).getDataSource()).isEqualTo(FIXTURE_RECORDS[i][0]);
            assertThat(new String(records.get(i).getLine(), StandardCharsets.UTF_8)).isEqualTo(FIXTURE_RECORDS[i][1]);
        }
        assertThat(sizes(state)).containsExactly(FIXTURE_SIZES);
        assertThat(state.getStateSize()).isEqualTo(39 + 44 + 49);
    }

    @Test
    void version1FixtureSizesAreThoseOfItsLines() {
        // Guards the fixture's own consistency: each size is the line's UTF-8 length plus the newline.
        for (int i = 0; i < FIXTURE_RECORDS.length; i++) {
            assertThat(record(FIXTURE_RECORDS[i][0], FIXTURE_RECORDS[i][1]).sizeInBytes())
                    .isEqualTo(FIXTURE_SIZES[i]);
        }
    }

    @Test
    void version3OfRecordsIsAFormByteThenTheVersion2Bytes() throws IOException {
        // Versions 1 and 2 are frozen inside version 3: a change of layout must come with a new version number.
        byte[] fixture = readFixture();

        byte[] bytes = serializer.serialize(fixtureState());

        assertThat(bytes[0]).isEqualTo(TinybirdRecordStateSerializer.FORM_RECORDS);
        byte[] version2 = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        assertThat(records(serializer.deserialize(2, version2))).containsExactlyElementsOf(records(fixtureState()));
        assertThat(java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(fixture.length);
        java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
        inflater.setInput(bytes, 5, bytes.length - 5);
        byte[] plain = new byte[fixture.length + 16];
        int length;
        try {
            length = inflater.inflate(plain);
        } catch (java.util.zip.DataFormatException e) {
            throw new AssertionError(e);
        } finally {
            inflater.end();
        }
        assertThat(Arrays.copyOf(plain, length)).isEqualTo(fixture);
    }

    private static byte[] readFixture() throws IOException {
        try (InputStream in = TinybirdRecordStateSerializerTest.class.getResourceAsStream(FIXTURE_RESOURCE)) {
            assertThat(in).as("fixture %s on the test classpath", FIXTURE_RESOURCE).isNotNull();
            return in.readAllBytes();
        }
    }
}
