package io.github.flinktinybird.examples;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Properties;

/**
 * A Flink metric reporter that hands the sink's and the generator's counters to
 * {@link ProgressMetrics#LOCAL}, for the progress line of a local run. Flink finds it through
 * {@code META-INF/services}; {@link #addTo(Configuration)} switches it on.
 */
public final class ProgressReporter implements MetricReporter {

    /** Registers the reporter in a local run's configuration. */
    static Configuration addTo(Configuration config) {
        Configuration withReporter = new Configuration(config);
        withReporter.setString("metrics.reporter.progress.factory.class", Factory.class.getName());
        return withReporter;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter) {
            ProgressMetrics.LOCAL.added(metricName, (Counter) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter) {
            ProgressMetrics.LOCAL.removed((Counter) metric);
        }
    }

    /** Creates the reporter; named in {@code metrics.reporter.progress.factory.class}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressReporter();
        }
    }
}
