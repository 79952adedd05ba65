package io.github.flinktinybird.examples;

import org.apache.flink.configuration.ReadableConfig;

import io.github.flinktinybird.sink.TinybirdSinkOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the job writes: a real Tinybird (Cloud or Local) when a token is given, otherwise the
 * embedded Events API. The token comes from {@code token.file} or {@code token.env-var}, which the
 * TaskManagers read (the token then stays out of the job graph), else from the key {@code token} or
 * the environment variable {@code TINYBIRD_TOKEN} of the client; the endpoint from {@code endpoint}
 * or {@code TINYBIRD_ENDPOINT}. Secrets stay out of program arguments, which Flink's web UI shows.
 */
final class TinybirdTarget {
    static final String TOKEN_VARIABLE = "TINYBIRD_TOKEN";
    static final String ENDPOINT_VARIABLE = "TINYBIRD_ENDPOINT";

    final String endpoint;
    /** The token for the sink, or {@code null} when the TaskManagers read it (token.file, token.env-var). */
    final String token;
    /** The token for the read-back query on this client, or {@code null} when this client has none. */
    final String readToken;
    final String dataSource;

    private TinybirdTarget(String endpoint, String token, String readToken, String dataSource) {
        this.endpoint = endpoint;
        this.token = token;
        this.readToken = readToken;
        this.dataSource = dataSource;
    }

    /** The real Tinybird named by the configuration or environment, if a token is given. */
    static Optional<TinybirdTarget> configured(ReadableConfig config, Map<String, String> environment) {
        Optional<String> token = config.getOptional(TinybirdSinkOptions.TOKEN).or(() -> variable(environment, TOKEN_VARIABLE));
        Optional<String> tokenFile = config.getOptional(TinybirdSinkOptions.TOKEN_FILE);
        boolean readOnTaskManagers = tokenFile.isPresent() || config.getOptional(TinybirdSinkOptions.TOKEN_ENV_VAR).isPresent();
        if (token.isEmpty() && !readOnTaskManagers) {
            return Optional.empty();
        }
        String endpoint = config.getOptional(TinybirdSinkOptions.ENDPOINT)
                .or(() -> variable(environment, ENDPOINT_VARIABLE))
                .orElse(TinybirdSinkOptions.ENDPOINT.defaultValue());
        // The sink gets a token of its own only when the TaskManagers do not read one; the read-back
        // query uses whatever this client has, e.g. the token file when it is mounted here too.
        String readToken = token.orElseGet(() -> tokenFile.flatMap(TinybirdTarget::readIfHere).orElse(null));
        return Optional.of(new TinybirdTarget(endpoint, readOnTaskManagers ? null : token.get(), readToken, dataSource(config)));
    }

    static TinybirdTarget embedded(String endpoint, String token, ReadableConfig config) {
        return new TinybirdTarget(endpoint, token, token, dataSource(config));
    }

    private static Optional<String> readIfHere(String path) {
        try {
            return Optional.of(Files.readString(Path.of(path)).strip()).filter(value -> !value.isEmpty());
        } catch (IOException | RuntimeException notOnThisMachine) {
            return Optional.empty();
        }
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
