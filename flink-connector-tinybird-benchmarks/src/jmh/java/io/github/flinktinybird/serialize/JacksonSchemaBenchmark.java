package io.github.flinktinybird.serialize;

import io.github.flinktinybird.bench.BenchEvent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Element → JSON bytes with the default Jackson schema: before issue 13 ({@code legacy}: {@code
 * mapper.writeValue} per element into a {@code ByteArrayOutputStream}), now ({@code current}: simple
 * beans written directly, the rest by Jackson with one serializer provider and root serializer
 * kept), now with direct writing off ({@code jackson}: what the second pass of issue 13 had), and
 * with Jackson's Blackbird module added to the mapper; {@code boxed} is the schema without its
 * primitive-field writer or direct writing (an empty subclass, which keeps Jackson's own field
 * writers: what the first pass of issue 13 had); for
 * the benchmark event as public fields (what bench/run.sh sends), as getters, and as a record:
 * Blackbird only replaces getter calls, never field reads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JacksonSchemaBenchmark {
    private static final int EVENTS = 1024;

    @Param({"legacy", "boxed", "jackson", "current", "blackbird"})
    public String schema;

    @Param({"fields", "getters", "record"})
    public String shape;

    private final Object[] events = new Object[EVENTS];
    private SerializationSchema<Object> serializer;
    private int next;

    /** The benchmark event with getters instead of public fields. */
    public static final class GetterEvent {
        private final BenchEvent e;

        GetterEvent(BenchEvent e) {
            this.e = e;
        }

        public long getId() {
            return e.id;
        }

        public String getTimestamp() {
            return e.timestamp;
        }

        public String getSession_id() {
            return e.session_id;
        }

        public String getAction() {
            return e.action;
        }

        public String getVersion() {
            return e.version;
        }

        public String getPayload() {
            return e.payload;
        }

        public double getAmount() {
            return e.amount;
        }

        public int getStatus() {
            return e.status;
        }
    }

    /** The benchmark event as a record. */
    public record RecordEvent(
            long id, String timestamp, String session_id, String action, String version, String payload, double amount, int status) {
        static RecordEvent of(BenchEvent e) {
            return new RecordEvent(e.id, e.timestamp, e.session_id, e.action, e.version, e.payload, e.amount, e.status);
        }
    }

    @Setup
    public void setUp() throws Exception {
        for (int i = 0; i < EVENTS; i++) {
            BenchEvent e = BenchEvent.of(1_000_000L + i);
            events[i] = shape.equals("fields") ? e : shape.equals("getters") ? new GetterEvent(e) : RecordEvent.of(e);
        }
        switch (schema) {
            case "legacy":
                serializer = new LegacyJacksonSerializationSchema<>();
                break;
            case "boxed":
                serializer = new JacksonSerializationSchema<>() {};
                break;
            case "jackson":
                serializer = new JacksonSerializationSchema<>(true);
                break;
            case "current":
                serializer = new JacksonSerializationSchema<>();
                break;
            default:
                serializer =
                        new JacksonSerializationSchema<>() {
                            @Override
                            protected ObjectMapper createMapper() {
                                return super.createMapper().registerModule(new BlackbirdModule());
                            }
                        };
        }
        serializer.open(null);
    }

    @Benchmark
    public byte[] elementToJson() {
        return serializer.serialize(events[next++ & (EVENTS - 1)]);
    }
}
