package io.github.flinktinybird.sink;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.TestSinkInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.runtime.metrics.groups.MetricsGroupTestUtils;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;

/**
 * Flink's writer test context with metrics that the test can read back. Like its parent, it must
 * be created on the thread that drives the writer: the mailbox belongs to that thread.
 */
final class WriterTestContext extends TestSinkInitContext {
    static final SinkWriter.Context NO_CONTEXT =
            new SinkWriter.Context() {
                @Override
                public long currentWatermark() {
                    return 0;
                }

                @Override
                public Long timestamp() {
                    return null;
                }
            };

    private final MetricListener metrics = new MetricListener();
    private final SinkWriterMetricGroup group =
            MetricsGroupTestUtils.mockWriterMetricGroup(
                    metrics.getMetricGroup(),
                    UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup().getIOMetricGroup());

    @Override
    public SinkWriterMetricGroup metricGroup() {
        return group;
    }

    long counter(String name) {
        return metrics.getCounter(name).map(Counter::getCount).orElseThrow(() -> new AssertionError("no counter " + name));
    }

    Histogram histogram(String name) {
        return metrics.getHistogram(name).orElseThrow(() -> new AssertionError("no histogram " + name));
    }

    long numRecordsSendErrors() {
        return group.getNumRecordsSendErrorsCounter().getCount();
    }
}
