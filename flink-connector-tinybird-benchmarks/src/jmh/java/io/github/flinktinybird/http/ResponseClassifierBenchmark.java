package io.github.flinktinybird.http;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** The classifier and the row-count parse, per answer: a commit, a 429 and a 503. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseClassifierBenchmark {
    private final EventsApiResponse committed = EventsApiResponse.of(200, "{\"successful_rows\":10000,\"quarantined_rows\":0}");
    private final EventsApiResponse rateLimited = new EventsApiResponse(429, "2", "1", null, "{\"error\":\"rate limited\"}");
    private final EventsApiResponse unavailable = EventsApiResponse.of(503, "{\"error\":\"Service unavailable\"}");
    private final long now = System.currentTimeMillis() / 1000;

    @Benchmark
    public Outcome committed() {
        return ResponseClassifier.classify(committed, "bench_events", now);
    }

    @Benchmark
    public IngestCounts committedRowCounts() {
        return IngestCounts.parse(committed.body());
    }

    @Benchmark
    public Outcome rateLimited() {
        return ResponseClassifier.classify(rateLimited, "bench_events", now);
    }

    @Benchmark
    public Outcome unavailable() {
        return ResponseClassifier.classify(unavailable, "bench_events", now);
    }
}
