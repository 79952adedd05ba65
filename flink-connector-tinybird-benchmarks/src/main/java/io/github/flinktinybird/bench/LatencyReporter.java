package io.github.flinktinybird.bench;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps the sink's {@code requestLatencyMs} histograms of a local job, so that a benchmark in the
 * same JVM can read them: registered with {@code metrics.reporter.<name>.factory.class}.
 */
public final class LatencyReporter implements MetricReporter, MetricReporterFactory {
    private static final List<Histogram> REQUEST_LATENCIES = new CopyOnWriteArrayList<>();

    /** Forgets the histograms of earlier jobs. */
    static void reset() {
        REQUEST_LATENCIES.clear();
    }

    /** The largest p99 of the subtasks' request latency histograms, ms; -1 if none reported. */
    static double p99Ms() {
        double p99 = -1;
        for (Histogram histogram : REQUEST_LATENCIES) {
            if (histogram.getCount() > 0) {
                p99 = Math.max(p99, histogram.getStatistics().getQuantile(0.99));
            }
        }
        return p99;
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if ("requestLatencyMs".equals(metricName) && metric instanceof Histogram) {
            REQUEST_LATENCIES.add((Histogram) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        REQUEST_LATENCIES.remove(metric);
    }
}
