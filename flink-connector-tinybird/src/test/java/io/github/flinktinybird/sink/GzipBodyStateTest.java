package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Version 3's gzip form: a request sent with gzip is checkpointed as the body it was sent with,
 * and restores to its records, sizes included; corrupt bytes are an {@link IOException}.
 */
class GzipBodyStateTest {

    private static final String FIXTURE_GZIP = "/state/tinybird-writer-state-v3-gzip-body.bin";
    private static final String FIXTURE_RECORDS = "/state/tinybird-writer-state-v3-records.bin";
    /** The records of both version-3 fixtures: one request to one Data Source. */
    private static final String[] FIXTURE_LINES = {"{\"id\":1,\"page\":\"/a\"}", "{\"id\":2,\"page\":\"/é✓\"}", "{}"};

    private final TinybirdRecordStateSerializer serializer = new TinybirdRecordStateSerializer();

    private static List<TinybirdRecord> records(String dataSource, String... lines) {
        List<TinybirdRecord> records = new ArrayList<>();
        for (String line : lines) {
            records.add(new TinybirdRecord(dataSource, line.getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    /** The body as the HTTP client gzips it: every line followed by a newline. */
    private static byte[] gzipBody(List<TinybirdRecord> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            for (TinybirdRecord record : records) {
                gzip.write(record.getLine());
                gzip.write('\n');
            }
        }
        return bytes.toByteArray();
    }

    private static List<String> lines(BufferedRequestState<TinybirdRecord> state) {
        List<String> lines = new ArrayList<>();
        for (RequestEntryWrapper<TinybirdRecord> entry : state.getBufferedRequestEntries()) {
            lines.add(entry.getRequestEntry().getDataSource() + " " + new String(entry.getRequestEntry().getLine(), StandardCharsets.UTF_8)
                    + " " + entry.getSize());
        }
        return lines;
    }

    private static List<String> expected(List<TinybirdRecord> records) {
        List<String> lines = new ArrayList<>();
        for (TinybirdRecord record : records) {
            lines.add(record.getDataSource() + " " + new String(record.getLine(), StandardCharsets.UTF_8) + " " + record.sizeInBytes());
        }
        return lines;
    }

    @Test
    void aRequestSentWithGzipIsCheckpointedAsItsBodyAndRestoresToItsRecords() throws IOException {
        List<TinybirdRecord> records = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            records.addAll(records("page_views", "{\"id\":" + i + ",\"user\":\"user-" + (i % 97) + "\",\"page\":\"/products/" + (i % 1000) + "\"}"));
        }
        UnconfirmedRecords.Part part = new UnconfirmedRecords.Part("page_views", records);
        byte[] body = gzipBody(records);

        part.sentAs(body);
        byte[] bytes = serializer.serialize(new InFlightPartState(part));

        assertThat(bytes[0]).isEqualTo(TinybirdRecordStateSerializer.FORM_GZIP_BODY);
        assertThat(Arrays.copyOfRange(bytes, bytes.length - body.length, bytes.length)).as("the body as sent").isEqualTo(body);
        assertThat(lines(serializer.deserialize(3, bytes))).containsExactlyElementsOf(expected(records));
    }

    @Test
    void aStateMadeBeforeTheBodyWasSentIsKept() throws IOException {
        List<TinybirdRecord> records = records("events", FIXTURE_LINES);
        UnconfirmedRecords.Part part = new UnconfirmedRecords.Part("events", records);
        byte[] first = part.state();

        part.sentAs(gzipBody(records));

        assertThat(serializer.serialize(new InFlightPartState(part))).as("one form per part, never both").isSameAs(first);
    }

    @Test
    void theVersion3FixturesRestoreExactly() throws IOException {
        List<String> expected = expected(records("events", FIXTURE_LINES));

        assertThat(lines(serializer.deserialize(3, read(FIXTURE_GZIP)))).containsExactlyElementsOf(expected);
        assertThat(lines(serializer.deserialize(3, read(FIXTURE_RECORDS)))).containsExactlyElementsOf(expected);
    }

    @Test
    void theFixturesAreWhatThisVersionWrites() throws IOException {
        // A change of layout must come with a new version number, and these fixtures kept as they are.
        List<TinybirdRecord> records = records("events", FIXTURE_LINES);
        UnconfirmedRecords.Part sent = new UnconfirmedRecords.Part("events", records);
        sent.sentAs(Arrays.copyOfRange(read(FIXTURE_GZIP), 1 + 4 + 6 + 4, read(FIXTURE_GZIP).length));

        assertThat(serializer.serialize(new InFlightPartState(sent))).isEqualTo(read(FIXTURE_GZIP));
        // The deflated bytes may differ with the zlib a JDK uses; the form and the length may not.
        assertThat(Arrays.copyOf(TinybirdRecordStateSerializer.serializeRecords(records), 5))
                .isEqualTo(Arrays.copyOf(read(FIXTURE_RECORDS), 5));
    }

    @Test
    void corruptGzipFormsAreIoExceptions() throws IOException {
        List<TinybirdRecord> records = records("events", FIXTURE_LINES);
        byte[] body = gzipBody(records);
        byte[] good = GzipBodyState.bytes("events", records.size(), body);

        assertThatThrownBy(() -> serializer.deserialize(3, Arrays.copyOf(good, good.length - 9)))
                .isInstanceOf(IOException.class).hasMessageContaining("corrupt Tinybird sink state");
        assertThatThrownBy(() -> serializer.deserialize(3, GzipBodyState.bytes("events", 4, body)))
                .isInstanceOf(IOException.class).hasMessageContaining("announced 4 records and holds 3");
        byte[] unterminated = new byte[0];
        try (ByteArrayOutputStream out = new ByteArrayOutputStream(); GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write("{\"id\":1}\n{\"id\":2}".getBytes(StandardCharsets.UTF_8));
            gzip.finish();
            unterminated = out.toByteArray();
        }
        byte[] cut = GzipBodyState.bytes("events", 1, unterminated);
        assertThatThrownBy(() -> serializer.deserialize(3, cut))
                .isInstanceOf(IOException.class).hasMessageContaining("unterminated line");
        byte[] unknownForm = good.clone();
        unknownForm[0] = 7;
        assertThatThrownBy(() -> serializer.deserialize(3, unknownForm))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown form 7");
        assertThatThrownBy(() -> serializer.deserialize(3, new byte[0]))
                .isInstanceOf(IOException.class).hasMessageContaining("no bytes");
        byte[] hugeName = good.clone();
        java.nio.ByteBuffer.wrap(hugeName, 1, 4).putInt(1 << 30);
        assertThatThrownBy(() -> serializer.deserialize(3, hugeName))
                .isInstanceOf(IOException.class).hasMessageContaining("Data Source name");
    }

    private static byte[] read(String resource) throws IOException {
        try (InputStream in = GzipBodyStateTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        }
    }
}
