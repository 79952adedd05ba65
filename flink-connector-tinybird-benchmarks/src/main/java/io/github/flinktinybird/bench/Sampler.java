package io.github.flinktinybird.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples this JVM every few milliseconds: process CPU time, bytes allocated by all threads, heap
 * in use, and heap in use after the latest collection (the live set). A run's figures are read
 * over the window from its first event to the answer for its last, so job start-up and tear-down
 * do not count.
 */
final class Sampler implements AutoCloseable {
    private static final int PERIOD_MS = 5;

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final Thread thread;
    private volatile boolean running = true;

    // Ring of samples: nanoTime, cpuNanos, allocatedBytes, heapUsed, heapAfterGc, gcCount, jitMillis
    private final int capacity = 200_000;
    private final long[][] samples = new long[7][capacity];
    private int size;

    Sampler() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool);
            }
        }
        thread = new Thread(this::loop, "bench-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        if (size == capacity) {
            // Keep the newer half.
            for (long[] column : samples) {
                System.arraycopy(column, capacity / 2, column, 0, capacity / 2);
            }
            size = capacity / 2;
        }
        long heapUsed = 0;
        long afterGc = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            heapUsed += pool.getUsage().getUsed();
            if (pool.getCollectionUsage() != null) {
                afterGc += pool.getCollectionUsage().getUsed();
            }
        }
        long gcs = 0;
        for (GarbageCollectorMXBean gc : collectors) {
            gcs += Math.max(0, gc.getCollectionCount());
        }
        samples[0][size] = System.nanoTime();
        samples[1][size] = os.getProcessCpuTime();
        samples[2][size] = threads.getTotalThreadAllocatedBytes();
        samples[3][size] = heapUsed;
        samples[4][size] = afterGc;
        samples[5][size] = gcs;
        samples[6][size] = jitMillis();
        size++;
    }

    /**
     * Milliseconds the JIT compilers of this JVM have spent compiling, all threads together (0
     * without a JIT); the stand-in server reports its own through this too.
     */
    static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** What the JVM did between two {@code nanoTime}s. */
    static final class Window {
        double cpuSeconds;
        /** Of which compiling. */
        double jitSeconds;
        long allocatedBytes;
        long peakHeapUsed;
        long peakHeapAfterGc;
        long collections;
    }

    synchronized Window window(long fromNanos, long toNanos) {
        sample();
        Window w = new Window();
        int first = -1;
        int last = -1;
        for (int i = 0; i < size; i++) {
            if (samples[0][i] <= fromNanos) {
                first = i;
            }
            if (samples[0][i] <= toNanos) {
                last = i;
            }
        }
        if (first < 0) {
            first = 0;
        }
        // The sample just after the end bounds the window from the outside.
        int end = Math.min(size - 1, last + 1);
        w.cpuSeconds = (samples[1][end] - samples[1][first]) / 1e9;
        w.allocatedBytes = samples[2][end] - samples[2][first];
        w.collections = samples[5][end] - samples[5][first];
        w.jitSeconds = (samples[6][end] - samples[6][first]) / 1e3;
        for (int i = first; i <= end; i++) {
            w.peakHeapUsed = Math.max(w.peakHeapUsed, samples[3][i]);
            w.peakHeapAfterGc = Math.max(w.peakHeapAfterGc, samples[4][i]);
        }
        return w;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
