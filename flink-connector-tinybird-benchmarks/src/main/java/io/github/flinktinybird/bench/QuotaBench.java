package io.github.flinktinybird.bench;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.RecordedRequest;
import io.github.flinktinybird.sink.TinybirdSink;
import io.github.flinktinybird.sink.TinybirdSinkBuilder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Goodput under Tinybird's conditions (issue 12): an Events API allowing {@code quota} requests/s
 * per Data Source, answering each {@code wait=true} request after a commit latency; a job of
 * {@code parallelism} subtasks with the sink's defaults (batches of 10,000 rows) and a checkpoint
 * every 10 s, fed as fast as the source can. Measured over the last two thirds of each run: rows
 * committed per second, as a share of the quota bound (quota × 10,000 rows/s) and, where a run
 * without a quota shows that the source and the machine cannot supply that much, of what they
 * supply; the share of requests answered 429; the p99 of the sink's request latency.
 *
 * <p>See bench/quota.sh for the options.
 */
public final class QuotaBench {
    private static final int BATCH = 10_000;

    private final Map<String, String> options;
    private final List<Cell> cells = new ArrayList<>();

    private QuotaBench(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("latencies", "200,1000,3000");
        defaults.put("quotas", "10,100");
        defaults.put("parallelisms", "1,2,4");
        defaults.put("seconds", "45");
        defaults.put("flow-control", "true");
        defaults.put("max-inflight", "default");
        defaults.put("max-buffered-bytes", "default");
        defaults.put("checkpoint-ms", "10000");
        defaults.put("out", "target/bench/quota");
        defaults.put("plot", "");
        // Whether to measure, next to each quota run, the same job without a quota.
        defaults.put("supply", "true");
        // A CSV this benchmark wrote: report and plot it again without running anything.
        defaults.put("from-csv", "");
        // One run before the grid, not reported: the JVM's first job pays for class loading and JIT.
        defaults.put("warmup-seconds", "20");
        new QuotaBench(BenchOptions.parse(args, defaults)).runAll();
        System.exit(0);
    }

    /** One run's figures. */
    private static final class Cell {
        long latencyMs;
        int quota;
        int parallelism;
        double rowsPerSecond;
        int requests;
        double rateLimitedShare;
        double p99Ms;
        String loadAverage;
    }

    private void runAll() throws Exception {
        if (!options.get("from-csv").isEmpty()) {
            readCsv(new File(options.get("from-csv")));
            report();
            return;
        }
        List<Integer> quotas = ints("quotas");
        boolean supply = Boolean.parseBoolean(options.get("supply")) && quotas.stream().anyMatch(q -> q > 0);
        long warmUp = Long.parseLong(options.get("warmup-seconds"));
        if (warmUp > 0) {
            run(longs("latencies").get(0), 0, ints("parallelisms").get(0), warmUp);
        }
        for (long latency : longs("latencies")) {
            for (int parallelism : ints("parallelisms")) {
                // What the source and the machine supply without a quota, next to the quota runs.
                if (supply && !quotas.contains(0)) {
                    cells.add(run(latency, 0, parallelism, seconds()));
                }
                for (int quota : quotas) {
                    cells.add(run(latency, quota, parallelism, seconds()));
                }
            }
        }
        report();
    }

    private long seconds() {
        return Long.parseLong(options.get("seconds"));
    }

    private Cell run(long latencyMs, int quota, int parallelism, long seconds) throws Exception {
        EventsApiEmulator.Builder builder =
                EventsApiEmulator.builder().commitLatency(Duration.ofMillis(latencyMs)).countRowsOnly();
        if (quota > 0) {
            builder.requestQuota(quota);
        }
        try (EventsApiEmulator emulator = builder.start()) {
            Configuration config = new Configuration();
            config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    Files.createTempDirectory("quota-bench").toUri().toString());
            config.setString("metrics.reporter.latency.factory.class", LatencyReporter.class.getName());
            LatencyReporter.reset();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, config);
            env.enableCheckpointing(Long.parseLong(options.get("checkpoint-ms")));
            DataGeneratorSource<BenchEvent> source = new DataGeneratorSource<>(
                    BenchEvent::of, Long.MAX_VALUE, RateLimiterStrategy.noOp(), TypeInformation.of(BenchEvent.class));
            TinybirdSinkBuilder<BenchEvent> sink = TinybirdSink.<BenchEvent>builder()
                    .setEndpoint(emulator.endpoint())
                    .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                    .setDataSource("bench_events")
                    .setFlowControl(Boolean.parseBoolean(options.get("flow-control")));
            if (!options.get("max-inflight").equals("default")) {
                sink.setMaxInFlightRequests(Integer.parseInt(options.get("max-inflight")));
            }
            if (!options.get("max-buffered-bytes").equals("default")) {
                sink.setMaxBufferedBytes(Long.parseLong(options.get("max-buffered-bytes")));
            }
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator").sinkTo(sink.build());
            JobClient job = env.executeAsync("quota-bench");
            long started = System.nanoTime();
            waitUntil(started + seconds * 1_000_000_000L / 3);
            long rowsAtStart = emulator.totalRowCount();
            int requestsAtStart = emulator.requests().size();
            long windowStart = System.nanoTime();
            // Every 5 s of the window: what the server admitted and refused, what flow control allows.
            StringBuilder timeline = new StringBuilder();
            int seen = requestsAtStart;
            for (long at = windowStart + 5_000_000_000L; at - (started + seconds * 1_000_000_000L) < 0; at += 5_000_000_000L) {
                waitUntil(at);
                List<RecordedRequest> now = emulator.requests();
                List<RecordedRequest> last = now.subList(seen, now.size());
                seen = now.size();
                timeline.append(String.format(Locale.ROOT, " [%d ok, %d 429, %.0f rows/ok, rate %.1f, in flight %.0f]",
                        last.stream().filter(r -> r.status() == 200).count(), last.stream().filter(r -> r.status() == 429).count(),
                        last.stream().filter(r -> r.status() == 200).mapToInt(RecordedRequest::lineCount).average().orElse(0),
                        LatencyReporter.allowedRate(), LatencyReporter.allowedInFlight()));
            }
            waitUntil(started + seconds * 1_000_000_000L);
            System.out.println("[quota timeline, per 5 s]" + timeline);
            long rows = emulator.totalRowCount() - rowsAtStart;
            List<RecordedRequest> requests = emulator.requests();
            double window = (System.nanoTime() - windowStart) / 1e9;
            Cell cell = new Cell();
            cell.p99Ms = LatencyReporter.p99Ms();
            job.cancel().get();
            List<RecordedRequest> inWindow = requests.subList(requestsAtStart, requests.size());
            if (System.getenv("QUOTA_TRACE") != null) {
                StringBuilder trace = new StringBuilder("arrival_ms,status,lines,bytes\n");
                for (RecordedRequest r : inWindow) {
                    trace.append((r.arrivalNanos() - windowStart) / 1_000_000).append(',').append(r.status()).append(',')
                            .append(r.lineCount()).append(',').append(r.bodyBytes()).append('\n');
                }
                Files.write(new File(System.getenv("QUOTA_TRACE") + "-" + latencyMs + "-" + quota + "-" + parallelism + ".csv").toPath(),
                        trace.toString().getBytes(StandardCharsets.UTF_8));
            }
            long limited = inWindow.stream().filter(r -> r.status() == 429).count();
            cell.latencyMs = latencyMs;
            cell.quota = quota;
            cell.parallelism = parallelism;
            cell.rowsPerSecond = rows / window;
            cell.requests = inWindow.size();
            cell.rateLimitedShare = inWindow.isEmpty() ? 0 : limited / (double) inWindow.size();
            cell.loadAverage = Bench.loadAverage();
            System.out.printf(Locale.ROOT,
                    "[quota] latency %d ms, quota %s, parallelism %d: %.0f rows/s%s, %d requests, 429s %.1f%%, p99 request %.0f ms, load %s%n",
                    latencyMs, quota == 0 ? "none" : quota + " req/s", parallelism, cell.rowsPerSecond,
                    quota == 0 ? "" : String.format(Locale.ROOT, " = %.2fx of the bound", cell.rowsPerSecond / bound(cell)),
                    cell.requests, 100 * cell.rateLimitedShare, cell.p99Ms, cell.loadAverage);
            return cell;
        }
    }

    private void readCsv(File csv) throws Exception {
        List<String> lines = Files.readAllLines(csv.toPath(), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            Cell cell = new Cell();
            cell.latencyMs = Long.parseLong(f[0]);
            cell.quota = Integer.parseInt(f[1]);
            cell.parallelism = Integer.parseInt(f[2]);
            cell.rowsPerSecond = Double.parseDouble(f[3]);
            cell.requests = Integer.parseInt(f[7]);
            cell.rateLimitedShare = Double.parseDouble(f[8]);
            cell.p99Ms = Double.parseDouble(f[9]);
            cell.loadAverage = f[10];
            if (!f[5].equals("NaN") && Double.isNaN(supply(cell))) {
                Cell supply = new Cell();
                supply.latencyMs = cell.latencyMs;
                supply.parallelism = cell.parallelism;
                supply.rowsPerSecond = Double.parseDouble(f[5]);
                cells.add(supply);
            }
            cells.add(cell);
        }
    }

    private static double bound(Cell cell) {
        return cell.quota * (double) BATCH;
    }

    /** What the same latency and parallelism moved without a quota, or NaN if not measured. */
    private double supply(Cell cell) {
        for (Cell other : cells) {
            if (other.quota == 0 && other.latencyMs == cell.latencyMs && other.parallelism == cell.parallelism) {
                return other.rowsPerSecond;
            }
        }
        return Double.NaN;
    }

    private void report() throws Exception {
        StringBuilder md = new StringBuilder();
        StringBuilder csv = new StringBuilder("latency_ms,quota,parallelism,rows_per_s,share_of_bound,supply_rows_per_s,share_of_reachable,requests,share_429,p99_request_ms,load\n");
        md.append("| Commit latency | Quota (req/s) | Parallelism | Rows/s | × quota bound | Supply without quota | × reachable | 429s | p99 request | Load |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Cell cell : cells) {
            if (cell.quota == 0) {
                continue;
            }
            double supply = supply(cell);
            double reachable = Double.isNaN(supply) ? bound(cell) : Math.min(bound(cell), supply);
            md.append(String.format(Locale.ROOT, "| %d ms | %d | %d | %.0f | %.2f | %s | %.2f | %.1f%% | %.0f ms | %s |%n",
                    cell.latencyMs, cell.quota, cell.parallelism, cell.rowsPerSecond, cell.rowsPerSecond / bound(cell),
                    Double.isNaN(supply) ? "-" : String.format(Locale.ROOT, "%.0f", supply), cell.rowsPerSecond / reachable,
                    100 * cell.rateLimitedShare, cell.p99Ms, cell.loadAverage));
            csv.append(String.format(Locale.ROOT, "%d,%d,%d,%.0f,%.4f,%.0f,%.4f,%d,%.4f,%.0f,%s%n",
                    cell.latencyMs, cell.quota, cell.parallelism, cell.rowsPerSecond, cell.rowsPerSecond / bound(cell),
                    supply, cell.rowsPerSecond / reachable, cell.requests, cell.rateLimitedShare, cell.p99Ms, cell.loadAverage));
        }
        File out = new File(options.get("out"));
        out.getAbsoluteFile().getParentFile().mkdirs();
        Files.write(new File(out.getPath() + ".md").toPath(), md.toString().getBytes(StandardCharsets.UTF_8));
        Files.write(new File(out.getPath() + ".csv").toPath(), csv.toString().getBytes(StandardCharsets.UTF_8));
        System.out.print(md);
        if (!options.get("plot").isEmpty()) {
            plot(new File(options.get("plot")));
        }
    }

    /** One panel per quota: share of what is reachable against commit latency, a line per parallelism. */
    private void plot(File file) throws Exception {
        List<Plot.Panel> panels = new ArrayList<>();
        for (int quota : ints("quotas")) {
            if (quota == 0) {
                continue;
            }
            Plot.Panel panel = new Plot.Panel("quota " + quota + " requests/s per Data Source",
                    "commit latency (s)", "goodput, share of reachable", Double.NaN);
            for (int parallelism : ints("parallelisms")) {
                List<Cell> line = new ArrayList<>();
                for (Cell cell : cells) {
                    if (cell.quota == quota && cell.parallelism == parallelism) {
                        line.add(cell);
                    }
                }
                double[] x = new double[line.size()];
                double[] y = new double[line.size()];
                for (int i = 0; i < line.size(); i++) {
                    Cell cell = line.get(i);
                    double supply = supply(cell);
                    x[i] = cell.latencyMs / 1000.0;
                    y[i] = cell.rowsPerSecond / (Double.isNaN(supply) ? bound(cell) : Math.min(bound(cell), supply));
                }
                panel.series.add(new Plot.Series("parallelism " + parallelism, x, y, y, y));
            }
            panels.add(panel);
        }
        Plot.write(file, "Tinybird's conditions: goodput under a request quota (bench/quota.sh)", panels);
    }

    private List<Integer> ints(String name) {
        List<Integer> values = new ArrayList<>();
        for (String value : options.get(name).split(",")) {
            values.add(Integer.parseInt(value.trim()));
        }
        return values;
    }

    private List<Long> longs(String name) {
        List<Long> values = new ArrayList<>();
        for (String value : options.get(name).split(",")) {
            values.add(Long.parseLong(value.trim()));
        }
        return values;
    }

    /** A benchmark's measuring window, not a synchronization: the job runs meanwhile. */
    private static void waitUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(left / 1_000_000 + 1, 500));
        }
    }
}
