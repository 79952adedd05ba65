package io.github.flinktinybird.bench;

import org.apache.flink.metrics.Gauge;
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
 * Keeps the sink's {@code requestLatencyMs} histograms and flow control's gauges of a local job, so
 * that a benchmark in the same JVM can read them: registered with {@code metrics.reporter.<name>.factory.class}.
 */
public final class LatencyReporter implements MetricReporter, MetricReporterFactory {
    private static final List<Histogram> REQUEST_LATENCIES = new CopyOnWriteArrayList<>();
    private static final List<Gauge<?>> ALLOWED_RATES = new CopyOnWriteArrayList<>();
    private static final List<Gauge<?>> ALLOWED_IN_FLIGHT = new CopyOnWriteArrayList<>();

    /** Forgets the histograms of earlier jobs. */
    static void reset() {
        REQUEST_LATENCIES.clear();
        ALLOWED_RATES.clear();
        ALLOWED_IN_FLIGHT.clear();
    }

    /** Flow control's allowed request rate, summed over the subtasks, requests/s. */
    static double allowedRate() {
        return sum(ALLOWED_RATES);
    }

    /** Flow control's allowed requests in flight, summed over the subtasks. */
    static double allowedInFlight() {
        return sum(ALLOWED_IN_FLIGHT);
    }

    private static double sum(List<Gauge<?>> gauges) {
        double sum = 0;
        for (Gauge<?> gauge : gauges) {
            Object value = gauge.getValue();
            if (value instanceof Number) {
                sum += ((Number) value).doubleValue();
            }
        }
        return sum;
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
        } else if ("allowedRequestRate".equals(metricName) && metric instanceof Gauge) {
            ALLOWED_RATES.add((Gauge<?>) metric);
        } else if ("allowedRequestsInFlight".equals(metricName) && metric instanceof Gauge) {
            ALLOWED_IN_FLIGHT.add((Gauge<?>) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        REQUEST_LATENCIES.remove(metric);
        ALLOWED_RATES.remove(metric);
        ALLOWED_IN_FLIGHT.remove(metric);
    }
}
