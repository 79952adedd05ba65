package io.github.flinktinybird.cluster;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Polls the TaskManagers' heap in use (Flink's {@code Status.JVM.Memory.Heap.Used}) and keeps the peak. */
final class HeapSampler {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "heap-sampler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong peakBytes = new AtomicLong();

    private HeapSampler() {}

    static HeapSampler start(StandaloneFlinkCluster cluster) {
        HeapSampler sampler = new HeapSampler();
        sampler.timer.scheduleWithFixedDelay(() -> {
            try {
                cluster.jobs().heapUsed().values().forEach(used -> sampler.peakBytes.accumulateAndGet(used, Math::max));
            } catch (RuntimeException ignored) {
                // a TaskManager that was just killed; the next poll sees the others
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        return sampler;
    }

    void stop() {
        timer.shutdownNow();
    }

    long peakMiB() {
        return peakBytes.get() >> 20;
    }
}
