package io.github.flinktinybird.http;

import io.github.flinktinybird.bench.BenchEvent;

import com.fasterxml.jackson.databind.ObjectMapper;
import okio.BufferedSink;
import okio.Okio;
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

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Batch → request body: a default batch of 10,000 benchmark lines (about 2.15 MB) made into the
 * NDJSON body and written out, with and without gzip, as OkHttp does on its thread. The sink it
 * writes to discards bytes and recycles okio's segments, as a socket does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestBodyBenchmark {
    @Param({"NONE", "GZIP"})
    public Compression compression;

    @Param({"10000"})
    public int records;

    private final List<byte[]> lines = new ArrayList<>();
    private final BufferedSink socket = Okio.buffer(Okio.blackhole());
    /** NDJSON bytes in the batch, printed once so that bytes per op can be turned into bytes per byte. */
    public long ndjsonBytes;

    @Setup
    public void setUp() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < records; i++) {
            byte[] line = mapper.writeValueAsBytes(BenchEvent.of(i));
            lines.add(line);
            ndjsonBytes += line.length + 1;
        }
        NdjsonRequestBody probe = new NdjsonRequestBody(lines, compression == Compression.GZIP);
        System.out.printf("%n[%s] batch of %d records: %d NDJSON bytes, %d bytes on the wire%n",
                compression, records, ndjsonBytes, probe.contentLength());
    }

    @Benchmark
    public long batchToBody() throws IOException {
        NdjsonRequestBody body = new NdjsonRequestBody(lines, compression == Compression.GZIP);
        long length = body.contentLength();
        body.writeTo(socket);
        socket.flush();
        return length;
    }
}
