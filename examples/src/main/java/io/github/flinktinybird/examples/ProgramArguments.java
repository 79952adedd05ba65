package io.github.flinktinybird.examples;

import org.apache.flink.configuration.Configuration;

/**
 * Reads {@code -Dkey=value} program arguments into a Flink {@link Configuration}, so that a local
 * run takes settings the way {@code flink run -Dkey=value} does on a cluster.
 */
final class ProgramArguments {

    private ProgramArguments() {}

    static Configuration toConfiguration(String... args) {
        Configuration config = new Configuration();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-D") && i + 1 < args.length) {
                arg = "-D" + args[++i];
            }
            int equals = arg.indexOf('=');
            if (!arg.startsWith("-D") || equals < 3) {
                throw new IllegalArgumentException(
                        "unexpected argument '" + arg + "': settings are Flink configuration keys given as"
                                + " -Dkey=value, e.g. -Dsink.batch.max-size=5000 -Dexample.events=1000000");
            }
            config.setString(arg.substring(2, equals), arg.substring(equals + 1));
        }
        return config;
    }
}
