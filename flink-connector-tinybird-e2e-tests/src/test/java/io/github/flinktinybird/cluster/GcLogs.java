package io.github.flinktinybird.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The TaskManagers' GC logs ({@code -Xlog:gc}), read for the heap that stays live after each collection. */
final class GcLogs {
    /** A G1 pause line ends in e.g. {@code 180M->45M(480M)}: before, after, heap size. */
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private final Path logs;

    GcLogs(Path logs) {
        this.logs = logs;
    }

    /** How many lines each GC log has now, to measure from this point on. */
    Map<String, Integer> mark() throws IOException {
        Map<String, Integer> mark = new LinkedHashMap<>();
        for (Path gcLog : gcLogs()) {
            mark.put(gcLog.getFileName().toString(), Files.readAllLines(gcLog).size());
        }
        return mark;
    }

    /**
     * The most heap any TaskManager held right after a garbage collection since {@code mark}: live
     * data, which is what a buffer growing without bound would fill, unlike "heap used", which also
     * counts garbage not yet collected. In MiB, from the GC logs.
     */
    long peakHeapAfterGcMiB(Map<String, Integer> mark) throws IOException {
        long peak = 0;
        for (Path gcLog : gcLogs()) {
            List<String> lines = Files.readAllLines(gcLog);
            for (String line : lines.subList(Math.min(lines.size(), mark.getOrDefault(gcLog.getFileName().toString(), 0)), lines.size())) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find()) {
                    peak = Math.max(peak, Long.parseLong(m.group(2)));
                }
            }
        }
        return peak;
    }

    private List<Path> gcLogs() throws IOException {
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-gc.log")).sorted().collect(Collectors.toList());
        }
    }
}
