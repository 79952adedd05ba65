package io.github.flinktinybird.sink;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.error.DeadLetter;
import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.error.TinybirdSinkException;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.serialize.JsonStringSerializationSchema;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Elements that cannot become one JSON object, driven through the writer: each is handed to the
 * error policy with a reason that says what to change, or reaches Tinybird in a form it counts
 * (quarantine). None disappears without a trace.
 */
class TinybirdSinkBadInputTest {

    /** An element with a double and a free-text field. */
    record Reading(long id, double value, String text) {}

    private EventsApiEmulator emulator;
    private WriterTestContext context;
    private final List<TinybirdSinkWriter<?>> writers = new ArrayList<>();
    private final TinybirdSinkWriterTest.RecordingDeadLetters letters = new TinybirdSinkWriterTest.RecordingDeadLetters();

    @BeforeEach
    void start() {
        emulator = EventsApiEmulator.builder().start();
        context = new WriterTestContext();
    }

    @AfterEach
    void stop() {
        writers.forEach(TinybirdSinkWriter::close);
        emulator.close();
    }

    private <T> TinybirdSinkWriter<T> open(TinybirdSinkBuilder<T> builder) {
        TinybirdSinkWriter<T> writer = builder
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource("events")
                .setCompression(Compression.NONE)
                .build()
                .restoreWriter(context, Collections.emptyList());
        writers.add(writer);
        return writer;
    }

    private List<String> reasons() {
        synchronized (letters.letters) {
            return letters.letters.stream().map(DeadLetter::getReason).collect(Collectors.toList());
        }
    }

    /** A schema that throws on odd ids, as a user's schema might on a field it cannot handle. */
    static final class ThrowsOnOddIds implements SerializationSchema<Reading> {
        @Override
        public byte[] serialize(Reading element) {
            if (element.id() % 2 == 1) {
                throw new IllegalStateException("no format for id " + element.id());
            }
            return ("{\"id\":" + element.id() + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void anElementTheSerializerThrowsOnIsDeadLetteredWithTheSerializersMessage() throws Exception {
        TinybirdSinkWriter<Reading> writer = open(TinybirdSink.<Reading>builder()
                .setSerializationSchema(new ThrowsOnOddIds())
                .setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        for (long id = 0; id < 4; id++) {
            writer.write(new Reading(id, 1.0, "t"), NO_CONTEXT);
        }
        writer.flush(true);

        assertThat(reasons()).hasSize(2).allSatisfy(reason ->
                assertThat(reason).contains("could not be serialized", "'events'", "no format for id", Reading.class.getName()));
        assertThat(emulator.rows("events")).extracting(row -> row.get("id").asLong()).containsExactly(0L, 2L);
        assertThat(context.counter("recordsDeadLettered")).isEqualTo(2);
    }

    @Test
    void anElementTheSerializerThrowsOnFailsTheJobWithoutRestartsUnderFail() throws Exception {
        TinybirdSinkWriter<Reading> writer = open(TinybirdSink.<Reading>builder().setSerializationSchema(new ThrowsOnOddIds()));

        Throwable failure = catchThrowable(() -> writer.write(new Reading(1, 1.0, "t"), NO_CONTEXT));

        assertThat(failure).isInstanceOf(SuppressRestartsException.class);
        assertThat(ExceptionUtils.findThrowable(failure, TinybirdSinkException.class))
                .hasValueSatisfying(e -> assertThat(e.getMessage()).contains("no format for id 1", "sink.error-policy"));
    }

    @Test
    void aStringThatIsNotOneJsonObjectIsDeadLetteredSayingWhatItIs() throws Exception {
        TinybirdSinkWriter<String> writer = open(TinybirdSink.<String>builder()
                .setSerializationSchema(new JsonStringSerializationSchema())
                .setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        writer.write("[1, 2]", NO_CONTEXT);
        writer.write("\"just text\"", NO_CONTEXT);
        writer.write("{\"id\": 1} {\"id\": 2}", NO_CONTEXT);
        writer.write("{\"id\": 3", NO_CONTEXT);
        writer.write("{\n  \"id\": 4\n}", NO_CONTEXT);
        writer.flush(true);

        assertThat(reasons()).hasSize(4);
        assertThat(reasons().get(0)).contains("a JSON array, not a JSON object");
        assertThat(reasons().get(1)).contains("a JSON string, not a JSON object");
        assertThat(reasons().get(2)).contains("more than one JSON value");
        assertThat(reasons().get(3)).contains("not valid JSON");
        assertThat(emulator.rawRows("events")).as("pretty-printed input is sent compact").containsExactly("{\"id\":4}");
    }

    @Test
    void aPlainStringElementWithoutAJsonSchemaIsRejectedPointingToTheJsonSchema() throws Exception {
        TinybirdSinkWriter<String> writer = open(TinybirdSink.<String>builder().setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        writer.write("{\"id\": 1}", NO_CONTEXT);
        writer.flush(true);

        assertThat(reasons()).singleElement().asString().contains("JsonStringSerializationSchema");
        assertThat(emulator.requests()).isEmpty();
    }

    @Test
    void aLoneSurrogateInAStringReachesTinybirdEscapedAndItsQuarantineIsCounted() throws Exception {
        TinybirdSinkWriter<Reading> writer = open(TinybirdSink.<Reading>builder().setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        writer.write(new Reading(1, 1.0, "ok"), NO_CONTEXT);
        writer.write(new Reading(2, 1.0, "broken \ud800 half of a pair"), NO_CONTEXT);
        writer.flush(true);

        assertThat(emulator.rows("events")).extracting(row -> row.get("id").asLong()).containsExactly(1L);
        assertThat(emulator.quarantined("events")).singleElement()
                .satisfies(row -> assertThat(row.toString()).contains("surrogate"));
        assertThat(context.counter("rowsQuarantined")).as("counted, and named in a WARN").isEqualTo(1);
        assertThat(letters.letters).isEmpty();
    }

    @Test
    void nanAndInfinityFromAnObjectAreSentAsJsonStringsNeverAsInvalidJson() throws Exception {
        TinybirdSinkWriter<Reading> writer = open(TinybirdSink.<Reading>builder());
        writer.write(new Reading(1, Double.NaN, "a"), NO_CONTEXT);
        writer.write(new Reading(2, Double.POSITIVE_INFINITY, "b"), NO_CONTEXT);
        writer.flush(true);

        // Jackson quotes non-finite numbers: every line stays valid JSON; a Float column that does
        // not take them sends the row to quarantine, where it is counted.
        assertThat(emulator.rawRows("events")).containsExactly(
                "{\"id\":1,\"value\":\"NaN\",\"text\":\"a\"}", "{\"id\":2,\"value\":\"Infinity\",\"text\":\"b\"}");
    }

    @Test
    void nanOrInfinityInAJsonStringIsRejectedAsInvalidJson() throws Exception {
        TinybirdSinkWriter<String> writer = open(TinybirdSink.<String>builder()
                .setSerializationSchema(new JsonStringSerializationSchema())
                .setErrorPolicy(ErrorPolicy.deadLetter(letters)));
        writer.write("{\"id\": 1, \"value\": NaN}", NO_CONTEXT);
        writer.write("{\"id\": 2, \"value\": Infinity}", NO_CONTEXT);
        writer.write("{\"id\": 3, \"value\": 1.5}", NO_CONTEXT);
        writer.flush(true);

        assertThat(reasons()).hasSize(2).allSatisfy(reason -> assertThat(reason).contains("not valid JSON"));
        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":3,\"value\":1.5}");
    }
}
