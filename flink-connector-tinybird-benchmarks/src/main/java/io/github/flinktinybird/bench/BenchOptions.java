package io.github.flinktinybird.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The benchmarks' command line: {@code --name=value} arguments over a table of defaults. */
final class BenchOptions {

    /**
     * The defaults with the arguments applied; an argument may hold several, separated by spaces
     * (as {@code exec:exec} passes them). Names not among the defaults are an error, except those
     * in {@code alsoKnown}.
     */
    static Map<String, String> parse(String[] args, Map<String, String> defaults, String... alsoKnown) {
        Map<String, String> options = new LinkedHashMap<>(defaults);
        for (String arg : args) {
            for (String part : arg.trim().split("\\s+")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (!part.startsWith("--") || !part.contains("=")) {
                    throw new IllegalArgumentException("arguments are --name=value, got " + part + "; names: " + options.keySet());
                }
                String name = part.substring(2, part.indexOf('='));
                if (!options.containsKey(name) && !java.util.Arrays.asList(alsoKnown).contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name + "; known: " + options.keySet());
                }
                options.put(name, part.substring(part.indexOf('=') + 1));
            }
        }
        return options;
    }

    private BenchOptions() {}
}
