package io.github.flinktinybird.bench;

import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.sink.TinybirdSinkOptions;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * End-to-end benchmark of the Tinybird sink against the limit of its own client stack ({@link
 * Ceiling}) and against a sink that sends one request per event ({@link NaiveSink}), all writing to
 * the same loopback {@link CountingServer}. Run by {@code bench/run.sh}; see docs/performance.md.
 *
 * <p>Sections (all by default): {@code throughput} (the modes interleaved, repeated), {@code
 * latency} (commit latency at half the sink's throughput), {@code curves} (throughput against batch
 * size and requests in flight, plotted).
 */
public final class Bench {
    private static final long MIB = 1024 * 1024;
    private static final String REUSED_GZIP_OFF = "sink, gzip off, object reuse on";
    private static final String REUSED_GZIP_ON = "sink, gzip on, object reuse on";
    /** The sink's defaults (gzip on). */
    private static final SinkJobs.Settings DEFAULTS =
            new SinkJobs.Settings(
                    TinybirdSinkOptions.COMPRESSION.defaultValue() == Compression.GZIP,
                    TinybirdSinkOptions.MAX_BATCH_SIZE.defaultValue(),
                    TinybirdSinkOptions.FLUSH_BUFFER_SIZE.defaultValue(),
                    TinybirdSinkOptions.MAX_IN_FLIGHT_REQUESTS.defaultValue(),
                    TinybirdSinkOptions.FLUSH_BUFFER_TIMEOUT.defaultValue());

    private final Map<String, String> options;
    private final ServerProcess server;
    private final Sampler sampler;
    private final StringWriter report = new StringWriter();
    private final PrintWriter out = new PrintWriter(report);
    private final List<String> csv = new ArrayList<>();

    /** One measured run. */
    static final class Run {
        String mode;
        long events;
        double seconds;
        long ndjsonBytes;
        long wireBytes;
        long requests;
        Sampler.Window jvm;
        /** The server JVM's time spent compiling, from the run's reset (before its job is submitted) to the poll that saw its last line. */
        double serverJitSeconds;
        String loadAverage;

        double eventsPerSecond() {
            return events / seconds;
        }

        double mbPerSecond() {
            return ndjsonBytes / seconds / 1e6;
        }

        double cpuSecondsPerMillion() {
            return jvm.cpuSeconds / events * 1e6;
        }

        double allocatedPerNdjsonByte() {
            return (double) jvm.allocatedBytes / ndjsonBytes;
        }

        /** Compiling in the window, both JVMs (the server's from its reset). */
        double jitSeconds() {
            return jvm.jitSeconds + serverJitSeconds;
        }
    }

    private Bench(Map<String, String> options, ServerProcess server, Sampler sampler) {
        this.options = options;
        this.server = server;
        this.sampler = sampler;
        csv.add("section,mode,rep,events,seconds,events_per_s,ndjson_mb_per_s,cpu_s_per_million,peak_heap_mb,live_heap_mb,alloc_per_ndjson_byte,requests,wire_bytes,load_average_1m,jit_s_both_jvms");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        long start = System.nanoTime();
        try (ServerProcess server = new ServerProcess(Integer.parseInt(options.getOrDefault("server-threads", "4")));
                Sampler sampler = new Sampler()) {
            server.checkSharedClock();
            Bench bench = new Bench(options, server, sampler);
            try {
                bench.all();
            } finally {
                // Its threads would keep the JVM alive after a failed run.
                SinkJobs.closeCluster();
            }
            bench.out.printf(Locale.ROOT, "%nTotal benchmark time: %.0f s%n", (System.nanoTime() - start) / 1e9);
            bench.save();
            System.out.println(bench.report);
            System.out.println("Written to " + new File(options.get("out")).getAbsolutePath());
        }
        System.exit(0);
    }

    /** Writes what has been measured so far (after each section, so a failure keeps the rest). */
    private void save() throws IOException {
        out.flush();
        File dir = new File(options.get("out"));
        dir.mkdirs();
        Files.write(new File(dir, "results.md").toPath(), report.toString().getBytes(StandardCharsets.UTF_8));
        Files.write(new File(dir, "results.csv").toPath(), csv, StandardCharsets.UTF_8);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("events", "1000000");
        o.put("naive-events", "20000");
        o.put("reps", "3");
        o.put("sections", "throughput,latency,curves");
        o.put("out", "target/bench");
        o.put("plot", "docs/performance-tuning.png");
        o.put("latency-seconds", "20");
        o.put("curve-events", "600000");
        o.put("curve-reps", "2");
        o.put("rate", "0");
        // Flink's default (off) is the headline; "both" adds sink rows with it on, interleaved.
        o.put("object-reuse", "false");
        o.put("modes", "all");
        // "shared": every Flink job on one MiniCluster; "per-job": a MiniCluster for each (before run U1).
        o.put("cluster", "shared");
        // Warm-up: rounds of every mode, each run as long as a measured one at most; before run
        // U1, one round of 300,000 events.
        o.put("warm-up-rounds", "6");
        o.put("warm-up-events", "1000000");
        return BenchOptions.parse(args, o, "server-threads");
    }

    private long longOption(String name) {
        return Long.parseLong(options.get(name).replace("_", ""));
    }

    private boolean section(String name) {
        return Arrays.asList(options.get("sections").split(",")).contains(name);
    }

    private void all() throws Exception {
        out.printf(Locale.ROOT, "# Tinybird sink benchmark, %s%n%n", Instant.now());
        out.printf(Locale.ROOT, "JVM: %s %s, %s; %d processors; max heap %d MiB; options %s%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / MIB, options);
        String reuse = options.get("object-reuse");
        if (!Arrays.asList("false", "true", "both").contains(reuse)) {
            throw new IllegalArgumentException("--object-reuse is false (Flink's default), true or both, got " + reuse);
        }
        SinkJobs.objectReuse = reuse.equals("true");
        String cluster = options.get("cluster");
        if (!Arrays.asList("shared", "per-job").contains(cluster)) {
            throw new IllegalArgumentException("--cluster is shared (one MiniCluster for every job) or per-job, got " + cluster);
        }
        SinkJobs.sharedCluster = cluster.equals("shared");
        warmUp();
        double sinkGzipRate = 0;
        if (section("throughput")) {
            sinkGzipRate = throughput();
            save();
        }
        if (section("latency")) {
            double rate = Double.parseDouble(options.get("rate"));
            if (rate <= 0) {
                rate = sinkGzipRate > 0 ? sinkGzipRate / 2 : 100_000;
            }
            latency(rate);
            save();
        }
        if (section("curves")) {
            curves();
        }
    }

    /**
     * Rounds of every mode before anything is recorded. The sink with gzip uses both cores, so
     * whatever the compilers still do in its window comes out of its rate, while the one-threaded
     * ceiling leaves them a core. After one round of 300,000 events per mode (before run U1) the
     * compilers still reported about 0.6 s of compiling in each 1.6 s window of the sink with gzip
     * (docs/performance.md, fifth pass). Each round logs how long both JVMs spent compiling in its
     * windows, and the throughput table gives it per mode.
     */
    private void warmUp() throws Exception {
        long n = Math.min(longOption("warm-up-events"), longOption("events"));
        long naiveN = Math.min(5_000, longOption("naive-events"));
        long rounds = longOption("warm-up-rounds");
        if (rounds < 0 || (rounds > 0 && n <= 0)) {
            throw new IllegalArgumentException("--warm-up-rounds is 0 or more and --warm-up-events 1 or more, got "
                    + rounds + " and " + n);
        }
        for (int round = 1; round <= rounds; round++) {
            log("warm-up round " + round);
            List<Run> runs = Arrays.asList(
                    ceiling(false, n), ceiling(true, n), sink(DEFAULTS.withGzip(false), n, 0), sink(DEFAULTS, n, 0), naive(naiveN));
            log(String.format(Locale.ROOT, "warm-up round %d: JIT %.2f s in %.2f s of windows", round,
                    runs.stream().mapToDouble(Run::jitSeconds).sum(), runs.stream().mapToDouble(r -> r.seconds).sum()));
        }
    }

    // ---------------------------------------------------------------- throughput

    private double throughput() throws Exception {
        long n = longOption("events");
        long naiveN = longOption("naive-events");
        int reps = (int) longOption("reps");
        List<String> modeList = new ArrayList<>(Arrays.asList("ceiling, gzip off", "sink, gzip off", "ceiling, gzip on", "sink, gzip on", "naive (1 event/request)"));
        boolean both = options.get("object-reuse").equals("both");
        if (both) {
            modeList.add(2, REUSED_GZIP_OFF);
            modeList.add(5, REUSED_GZIP_ON);
        }
        if (!options.get("modes").equals("all")) {
            // For profiling one mode: mode names as the tables print them, separated by ';', with '_' for ' '.
            List<String> wanted = Arrays.asList(options.get("modes").replace('_', ' ').split(";"));
            if (!modeList.containsAll(wanted)) {
                throw new IllegalArgumentException("--modes names the throughput rows, ';' between them and '_' for a space; got "
                        + wanted + ", known: " + modeList);
            }
            modeList.retainAll(wanted);
        }
        String[] modes = modeList.toArray(new String[0]);
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        for (String m : modes) {
            runs.put(m, new ArrayList<>());
        }
        for (int rep = 0; rep < reps; rep++) {
            // Interleave, and rotate the order so that no mode always follows the same one.
            for (int k = 0; k < modes.length; k++) {
                String mode = modes[(k + rep) % modes.length];
                Run run;
                switch (mode) {
                    case "ceiling, gzip off":
                        run = ceiling(false, n);
                        break;
                    case "ceiling, gzip on":
                        run = ceiling(true, n);
                        break;
                    case "sink, gzip off":
                        run = sink(DEFAULTS.withGzip(false), n, 0);
                        break;
                    case "sink, gzip on":
                        run = sink(DEFAULTS, n, 0);
                        break;
                    case REUSED_GZIP_OFF:
                    case REUSED_GZIP_ON:
                        SinkJobs.objectReuse = true;
                        try {
                            run = sink(DEFAULTS.withGzip(mode.equals(REUSED_GZIP_ON)), n, 0);
                        } finally {
                            SinkJobs.objectReuse = false;
                        }
                        break;
                    default:
                        run = naive(naiveN);
                }
                run.mode = mode;
                runs.get(mode).add(run);
                record("throughput", mode, rep, run);
            }
        }
        out.printf(Locale.ROOT, "%n## Throughput (median of %d interleaved runs; [min-max])%n%n", reps);
        out.printf(Locale.ROOT, "Events per run: %,d (naive: %,d). Sink settings: %s (gzip as listed). Flink object reuse: %s.%n%n",
                n, naiveN, DEFAULTS, both ? "off, and on where listed" : SinkJobs.objectReuse ? "on" : "off (Flink's default)");
        out.println("| Mode | events/s | MB/s NDJSON | CPU-s per M events | peak heap MiB | live heap MiB | bytes allocated per NDJSON byte | wire MB/s | JIT s, both JVMs |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        for (String m : modes) {
            List<Run> r = runs.get(m);
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", m,
                    stat(r, Run::eventsPerSecond, "%,.0f"),
                    stat(r, Run::mbPerSecond, "%.1f"),
                    stat(r, Run::cpuSecondsPerMillion, "%.2f"),
                    stat(r, x -> x.jvm.peakHeapUsed / (double) MIB, "%.0f"),
                    stat(r, x -> x.jvm.peakHeapAfterGc / (double) MIB, "%.0f"),
                    stat(r, Run::allocatedPerNdjsonByte, "%.2f"),
                    stat(r, x -> x.wireBytes / x.seconds / 1e6, "%.1f"),
                    stat(r, Run::jitSeconds, "%.2f"));
        }
        if (!options.get("modes").equals("all")) {
            // Not every row ran: no ratios.
            out.flush();
            log(report.toString());
            return runs.containsKey("sink, gzip on") ? median(runs.get("sink, gzip on"), Run::eventsPerSecond) : 0;
        }
        double sinkOff = median(runs.get("sink, gzip off"), Run::eventsPerSecond);
        double sinkOn = median(runs.get("sink, gzip on"), Run::eventsPerSecond);
        double ceilOff = median(runs.get("ceiling, gzip off"), Run::eventsPerSecond);
        double ceilOn = median(runs.get("ceiling, gzip on"), Run::eventsPerSecond);
        double naive = median(runs.get("naive (1 event/request)"), Run::eventsPerSecond);
        out.printf(Locale.ROOT, "%n| Ratio (medians) | gzip off | gzip on |%n|---|---|---|%n");
        out.printf(Locale.ROOT, "| sink / ceiling | %.2f× | %.2f× |%n", sinkOff / ceilOff, sinkOn / ceilOn);
        if (both) {
            out.printf(Locale.ROOT, "| sink with object reuse on / ceiling | %.2f× | %.2f× |%n",
                    median(runs.get(REUSED_GZIP_OFF), Run::eventsPerSecond) / ceilOff, median(runs.get(REUSED_GZIP_ON), Run::eventsPerSecond) / ceilOn);
        }
        out.printf(Locale.ROOT, "| sink / naive | %.0f× | %.0f× |%n", sinkOff / naive, sinkOn / naive);
        out.printf(Locale.ROOT, "| sink CPU / ceiling CPU (per event) | %.2f× | %.2f× |%n",
                median(runs.get("sink, gzip off"), Run::cpuSecondsPerMillion) / median(runs.get("ceiling, gzip off"), Run::cpuSecondsPerMillion),
                median(runs.get("sink, gzip on"), Run::cpuSecondsPerMillion) / median(runs.get("ceiling, gzip on"), Run::cpuSecondsPerMillion));
        out.flush();
        log(report.toString());
        return sinkOn;
    }

    private Run ceiling(boolean gzip, long n) throws Exception {
        log("ceiling gzip=" + gzip + " events=" + n);
        long serverJit = reset(false);
        long started = Ceiling.run(server.eventsUrl(), n, gzip);
        return finish(n, started, serverJit);
    }

    private Run sink(SinkJobs.Settings settings, long n, double perSecond) throws Exception {
        log("sink " + settings + " events=" + n);
        long serverJit = reset(false);
        SinkJobs.run(SinkJobs.tinybirdSink(server.endpoint(), settings), n, perSecond);
        return finish(n, SinkJobs.firstEventNanos, serverJit);
    }

    private Run naive(long n) throws Exception {
        log("naive events=" + n);
        long serverJit = reset(false);
        SinkJobs.run(new NaiveSink(server.eventsUrl()), n, 0);
        return finish(n, SinkJobs.firstEventNanos, serverJit);
    }

    /** Zeroes the server's counts before a run; returns how long its JIT has compiled so far, in ms. */
    private long reset(boolean record) throws Exception {
        server.reset(record);
        return server.stats().jitMillis;
    }

    /** Waits (a minute at most) for the server to have all {@code n} lines, and measures the run. */
    private Run finish(long n, long startedNanos, long serverJitMillisAtReset) throws Exception {
        ServerProcess.Wait wait = server.waitFor(n, 60_000);
        if (!wait.complete || wait.stats.lines != n) {
            throw new IllegalStateException("expected " + n + " lines at the server, got " + wait.stats.lines);
        }
        Run run = new Run();
        run.loadAverage = loadAverage();
        run.events = n;
        run.seconds = (wait.stats.lastAnswerNanos - startedNanos) / 1e9;
        run.ndjsonBytes = wait.stats.ndjsonBytes;
        run.wireBytes = wait.stats.bodyBytes;
        run.requests = wait.stats.requests;
        run.jvm = sampler.window(startedNanos, wait.stats.lastAnswerNanos);
        run.serverJitSeconds = (wait.stats.jitMillis - serverJitMillisAtReset) / 1e3;
        log(String.format(Locale.ROOT, "  %,.0f events/s, %.1f MB/s, %.2f CPU-s/M, %d requests, %.2f B allocated per NDJSON byte, JIT %.2f + %.2f s",
                run.eventsPerSecond(), run.mbPerSecond(), run.cpuSecondsPerMillion(), run.requests, run.allocatedPerNdjsonByte(),
                run.jvm.jitSeconds, run.serverJitSeconds) + ", load " + run.loadAverage);
        return run;
    }

    // ---------------------------------------------------------------- latency

    private void latency(double rate) throws Exception {
        long seconds = longOption("latency-seconds");
        long n = (long) (rate * seconds);
        SinkJobs.Settings settings = DEFAULTS;
        log(String.format(Locale.ROOT, "latency at %.0f events/s for %d s (%s)", rate, seconds, settings));
        SinkJobs.madeNanos = new long[(int) n];
        long serverJit = reset(true);
        try {
            SinkJobs.run(SinkJobs.tinybirdSink(server.endpoint(), settings), n, rate);
            Run run = finish(n, SinkJobs.firstEventNanos, serverJit);
            record("latency", "sink, gzip on, half load", 0, run);
            long[] made = SinkJobs.madeNanos;
            long steadyFrom = made[0] + 2_000_000_000L;
            long[] all = new long[(int) n];
            long[] steady = new long[(int) n];
            int allCount = 0;
            int steadyCount = 0;
            int requests = 0;
            for (String row : server.latencyRows().split("\n")) {
                if (row.isBlank()) {
                    continue;
                }
                String[] f = row.trim().split(" ");
                long first = Long.parseLong(f[0]);
                long last = Long.parseLong(f[1]);
                long lines = Long.parseLong(f[2]);
                long answered = Long.parseLong(f[3]);
                if (last - first + 1 != lines) {
                    throw new IllegalStateException("a request held ids " + first + ".." + last + " but " + lines + " lines: not one contiguous range");
                }
                requests++;
                for (long id = first; id <= last; id++) {
                    long latency = answered - made[(int) id];
                    all[allCount++] = latency;
                    if (made[(int) id] >= steadyFrom) {
                        steady[steadyCount++] = latency;
                    }
                }
            }
            Arrays.sort(all, 0, allCount);
            Arrays.sort(steady, 0, steadyCount);
            out.printf(Locale.ROOT, "%n## Commit latency at half load%n%n");
            out.printf(Locale.ROOT, "Generator rate %,.0f events/s (half the median sink throughput, gzip on) for %d s, %,d events in %d requests (%.0f events/request); sink settings: %s, wait=true.%n%n",
                    rate, seconds, allCount, requests, allCount / (double) requests, settings);
            out.println("| Events | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
            out.println("|---|---|---|---|---|---|");
            out.printf(Locale.ROOT, "| all | %s |%n", percentiles(all, allCount));
            out.printf(Locale.ROOT, "| after the first 2 s | %s |%n", percentiles(steady, steadyCount));
            out.printf(Locale.ROOT, "%nTarget: p99 <= maxTimeInBufferMS + 100 ms = %d ms.%n", settings.maxTimeInBufferMs + 100);
            out.flush();
            log(report.toString());
        } finally {
            SinkJobs.madeNanos = null;
        }
    }

    private static String percentiles(long[] sorted, int count) {
        if (count == 0) {
            return "- | - | - | - | -";
        }
        double[] ps = {0.50, 0.90, 0.99, 0.999};
        StringBuilder s = new StringBuilder();
        for (double p : ps) {
            s.append(String.format(Locale.ROOT, "%.1f | ", sorted[Math.min(count - 1, (int) Math.ceil(p * count) - 1)] / 1e6));
        }
        s.append(String.format(Locale.ROOT, "%.1f", sorted[count - 1] / 1e6));
        return s.toString();
    }

    // ---------------------------------------------------------------- tuning curves

    private void curves() throws Exception {
        long n = longOption("curve-events");
        int reps = (int) longOption("curve-reps");
        int[] records = {500, 1_000, 2_500, 5_000, 10_000, 20_000, 40_000};
        long[] bytes = {128 * 1024, 256 * 1024, 512 * 1024, MIB, 2 * MIB, 4 * MIB, 8 * MIB};
        int[] inFlight = {1, 2, 4, 8, 16};
        List<String> names = new ArrayList<>();
        List<SinkJobs.Settings> points = new ArrayList<>();
        for (boolean gzip : new boolean[] {true, false}) {
            for (int r : records) {
                names.add("records/" + gzip + "/" + r);
                // The byte cap out of the way: 9.5 MB holds 40,000 events of this size.
                points.add(new SinkJobs.Settings(gzip, r, 9_500_000, DEFAULTS.inFlight, DEFAULTS.maxTimeInBufferMs));
            }
            for (long b : bytes) {
                names.add("bytes/" + gzip + "/" + b);
                // The record cap out of the way: 45,000 events make more than 8 MiB.
                points.add(new SinkJobs.Settings(gzip, 45_000, b, DEFAULTS.inFlight, DEFAULTS.maxTimeInBufferMs));
            }
            for (int f : inFlight) {
                names.add("inflight/" + gzip + "/" + f);
                points.add(new SinkJobs.Settings(gzip, DEFAULTS.batchRecords, DEFAULTS.batchBytes, f, DEFAULTS.maxTimeInBufferMs));
            }
        }
        Map<String, List<Run>> results = new LinkedHashMap<>();
        for (String name : names) {
            results.put(name, new ArrayList<>());
        }
        for (int rep = 0; rep < reps; rep++) {
            // Each repetition walks the points in a different order, so slow drift of the shared
            // machine does not line up with one axis.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                order.add(i);
            }
            java.util.Collections.shuffle(order, new java.util.Random(42 + rep));
            for (int i : order) {
                Run run = sink(points.get(i), n, 0);
                run.mode = names.get(i);
                results.get(names.get(i)).add(run);
                record("curve", names.get(i), rep, run);
            }
        }
        out.printf(Locale.ROOT, "%n## Tuning curves (median of %d runs of %,d events; [min-max]; other settings at their defaults)%n%n", reps, n);
        out.println("| Axis | gzip | value | events/s | CPU-s per M events | requests per run |");
        out.println("|---|---|---|---|---|---|");
        List<Plot.Panel> panels = new ArrayList<>();
        String[][] axes = {
            {"records", "Batch size in records (byte cap 9.5 MB)", "sink.batch.max-size"},
            {"bytes", "Batch size in bytes (record cap 45,000)", "sink.flush-buffer.size"},
            {"inflight", "Requests in flight (10,000 records / 8 MiB)", "sink.requests.max-inflight"}};
        double[] defaults = {DEFAULTS.batchRecords, DEFAULTS.batchBytes, DEFAULTS.inFlight};
        for (int a = 0; a < axes.length; a++) {
            Plot.Panel panel = new Plot.Panel(axes[a][1], axes[a][2], "events/s", defaults[a]);
            for (boolean gzip : new boolean[] {true, false}) {
                List<Double> xs = new ArrayList<>();
                List<double[]> ys = new ArrayList<>();
                for (String name : names) {
                    String prefix = axes[a][0] + "/" + gzip + "/";
                    if (!name.startsWith(prefix)) {
                        continue;
                    }
                    List<Run> r = results.get(name);
                    double x = Double.parseDouble(name.substring(prefix.length()));
                    xs.add(x);
                    ys.add(new double[] {median(r, Run::eventsPerSecond), min(r, Run::eventsPerSecond), max(r, Run::eventsPerSecond)});
                    out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", axes[a][2], gzip ? "on" : "off", name.substring(prefix.length()),
                            stat(r, Run::eventsPerSecond, "%,.0f"), stat(r, Run::cpuSecondsPerMillion, "%.2f"), stat(r, x2 -> x2.requests, "%.0f"));
                }
                double[] x = new double[xs.size()];
                double[] y = new double[xs.size()];
                double[] lo = new double[xs.size()];
                double[] hi = new double[xs.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = xs.get(i);
                    y[i] = ys.get(i)[0];
                    lo[i] = ys.get(i)[1];
                    hi[i] = ys.get(i)[2];
                }
                panel.series.add(new Plot.Series(gzip ? "gzip on" : "gzip off", x, y, lo, hi));
            }
            panels.add(panel);
        }
        File png = new File(options.get("plot"));
        Plot.write(png, String.format(Locale.ROOT, "Tinybird sink throughput on loopback (median of %d runs, bars: min-max; shared 2-core machine)", reps), panels);
        out.printf(Locale.ROOT, "%nPlot: %s%n", png.getPath());
        out.flush();
    }

    // ---------------------------------------------------------------- helpers

    private void record(String section, String mode, int rep, Run r) {
        csv.add(String.format(Locale.ROOT, "%s,\"%s\",%d,%d,%.3f,%.0f,%.2f,%.3f,%.0f,%.0f,%.3f,%d,%d,%s,%.3f", section, mode, rep, r.events, r.seconds,
                r.eventsPerSecond(), r.mbPerSecond(), r.cpuSecondsPerMillion(), r.jvm.peakHeapUsed / (double) MIB,
                r.jvm.peakHeapAfterGc / (double) MIB, r.allocatedPerNdjsonByte(), r.requests, r.wireBytes, r.loadAverage, r.jitSeconds()));
    }

    private static String stat(List<Run> runs, ToDoubleFunction<Run> f, String format) {
        return String.format(Locale.ROOT, format + " [" + format + "-" + format + "]", median(runs, f), min(runs, f), max(runs, f));
    }

    static double median(List<Run> runs, ToDoubleFunction<Run> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).min().orElse(Double.NaN);
    }

    private static double max(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    /** The machine's 1-minute load average: other work on the shared machine shows here. */
    /** The 1-minute load average, as /proc/loadavg has it, or "?". */
    static String loadAverage() {
        try {
            return Files.readAllLines(new File("/proc/loadavg").toPath()).get(0).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static void log(String message) {
        System.err.println("[bench " + Instant.now() + "] " + message);
    }
}
