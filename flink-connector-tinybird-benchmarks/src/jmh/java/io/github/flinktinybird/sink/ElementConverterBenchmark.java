package io.github.flinktinybird.sink;

import io.github.flinktinybird.bench.BenchEvent;
import io.github.flinktinybird.serialize.JacksonSerializationSchema;
import io.github.flinktinybird.serialize.JsonLines;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Element → NDJSON line: what the sink does on the task thread for each element with the default
 * serializer (Jackson), record size check and Data Source included. The events are made once, so
 * only the conversion is measured; the line of the benchmark event is about 215 bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ElementConverterBenchmark {
    private static final int EVENTS = 1024;

    private final BenchEvent[] events = new BenchEvent[EVENTS];
    private final byte[][] lines = new byte[EVENTS][];
    private TinybirdElementConverter<BenchEvent> converter;
    private int next;

    @Setup
    public void setUp() {
        for (int i = 0; i < EVENTS; i++) {
            events[i] = BenchEvent.of(1_000_000L + i);
        }
        JacksonSerializationSchema<BenchEvent> schema = new JacksonSerializationSchema<>();
        schema.open(null);
        converter = new TinybirdElementConverter<>(schema, "bench_events", null, 1024 * 1024);
        for (int i = 0; i < EVENTS; i++) {
            lines[i] = converter.apply(events[i], null).getLine();
        }
    }

    @Benchmark
    public TinybirdRecord elementToLine() {
        BenchEvent event = events[next++ & (EVENTS - 1)];
        return converter.apply(event, null);
    }

    /** The line-break check every line Jackson writes for the default schema gets, eight bytes at a time. */
    @Benchmark
    public boolean lineBreakScan() {
        return JsonLines.hasLineBreak(lines[next++ & (EVENTS - 1)]);
    }

    /** The same check byte by byte, as it was before issue 13. */
    @Benchmark
    public boolean lineBreakScanBytewise() {
        byte[] line = lines[next++ & (EVENTS - 1)];
        for (byte b : line) {
            if (b == '\n' || b == '\r') {
                return true;
            }
        }
        return false;
    }

    /** The cost of making the benchmark's event itself, to subtract from whole-JVM figures. */
    @Benchmark
    public BenchEvent makeEvent() {
        return BenchEvent.of(next++);
    }
}
