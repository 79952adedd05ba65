package io.github.flinktinybird.examples;

import org.apache.flink.configuration.ReadableConfig;

import io.github.flinktinybird.sink.TinybirdSinkOptions;

import java.util.Map;
import java.util.Optional;

/**
 * Where the job writes: a real Tinybird (Cloud or Local) when a token is given, otherwise the
 * embedded Events API. The token and endpoint come from the configuration keys {@code token} and
 * {@code endpoint}, else from the environment variables {@code TINYBIRD_TOKEN} and
 * {@code TINYBIRD_ENDPOINT}: secrets stay out of program arguments, which Flink's web UI shows.
 */
final class TinybirdTarget {
    static final String TOKEN_VARIABLE = "TINYBIRD_TOKEN";
    static final String ENDPOINT_VARIABLE = "TINYBIRD_ENDPOINT";

    final String endpoint;
    final String token;
    final String dataSource;

    private TinybirdTarget(String endpoint, String token, String dataSource) {
        this.endpoint = endpoint;
        this.token = token;
        this.dataSource = dataSource;
    }

    /** The real Tinybird named by the configuration or environment, if a token is given. */
    static Optional<TinybirdTarget> configured(ReadableConfig config, Map<String, String> environment) {
        Optional<String> token = config.getOptional(TinybirdSinkOptions.TOKEN).or(() -> variable(environment, TOKEN_VARIABLE));
        if (token.isEmpty()) {
            return Optional.empty();
        }
        String endpoint = config.getOptional(TinybirdSinkOptions.ENDPOINT)
                .or(() -> variable(environment, ENDPOINT_VARIABLE))
                .orElse(TinybirdSinkOptions.ENDPOINT.defaultValue());
        return Optional.of(new TinybirdTarget(endpoint, token.get(), dataSource(config)));
    }

    static TinybirdTarget embedded(String endpoint, String token, ReadableConfig config) {
        return new TinybirdTarget(endpoint, token, dataSource(config));
    }

    private static String dataSource(ReadableConfig config) {
        return config.getOptional(TinybirdSinkOptions.DATASOURCE).orElse(ExampleOptions.DEFAULT_DATA_SOURCE);
    }

    private static Optional<String> variable(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).filter(value -> !value.isBlank());
    }

    @Override
    public String toString() {
        return "Data Source '" + dataSource + "' at " + endpoint;
    }
}
