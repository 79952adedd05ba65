package io.github.flinktinybird.serialize;

import org.apache.flink.api.common.serialization.SerializationSchema;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Thread CPU time per element of {@link JacksonSchemaBenchmark}'s variants, interleaved, median
 * of rounds: on a machine shared with other builds, wall-clock JMH times swing by 2× while the
 * CPU time the benchmark thread itself is given varies far less. Run by bench/jmh.sh's
 * {@code --cpu} mode; arguments: rounds (default 15), elements per round (default 200,000).
 */
public final class ConversionCpu {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Supplier<Runnable>> variants = new LinkedHashMap<>();
        for (String schema : new String[] {"legacy", "jackson", "current"}) {
            for (String shape : new String[] {"fields", "getters", "record"}) {
                variants.put(schema + " " + shape, () -> loop(schema, shape, perRound));
            }
        }
        Map<String, Runnable> loops = new LinkedHashMap<>();
        variants.forEach((k, v) -> loops.put(k, v.get()));
        // Warm-up: every variant compiled before anything counts.
        for (int i = 0; i < 3; i++) {
            loops.values().forEach(Runnable::run);
        }
        Map<String, List<Double>> nanos = new LinkedHashMap<>();
        loops.keySet().forEach(k -> nanos.put(k, new ArrayList<>()));
        List<String> order = new ArrayList<>(loops.keySet());
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < order.size(); k++) {
                String name = order.get((k + r) % order.size());
                long before = threads.getCurrentThreadCpuTime();
                loops.get(name).run();
                nanos.get(name).add((threads.getCurrentThreadCpuTime() - before) / (double) perRound);
            }
        }
        System.out.printf(Locale.ROOT, "%-20s %12s %20s%n", "variant", "CPU ns/elem", "[min-max]");
        nanos.forEach((k, v) -> {
            double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-20s %12.0f %10.0f-%.0f%n", k, a[a.length / 2], a[0], a[a.length - 1]);
        });
    }

    private static Runnable loop(String schema, String shape, int count) {
        JacksonSchemaBenchmark b = new JacksonSchemaBenchmark();
        b.schema = schema;
        b.shape = shape;
        try {
            b.setUp();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return () -> {
            long sum = 0;
            for (int i = 0; i < count; i++) {
                sum += b.elementToJson().length;
            }
            if (sum == 42) {
                System.out.println(Arrays.asList(sum));
            }
        };
    }

    private ConversionCpu() {}
}
