package io.github.flinktinybird.sink;

import io.github.flinktinybird.error.TinybirdSinkException;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.UnaryOperator;

/**
 * Where the token comes from: the value itself ({@code token}), or, read on the TaskManager when
 * the writer opens, an environment variable ({@code token.env-var}) or a file ({@code token.file},
 * e.g. a mounted Kubernetes secret). For the last two, the serialized sink, and so the job graph,
 * holds only the name or the path.
 *
 * <p>The value has no getter: {@link #resolve} hands it to the HTTP client, and {@link #toString()}
 * names only the source. Messages name the variable or the path, never what they hold.
 */
final class TokenSource implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A token is a few hundred bytes; a larger file is not a token file. */
    static final int MAX_FILE_BYTES = 64 * 1024;

    private enum Kind {
        VALUE,
        ENVIRONMENT_VARIABLE,
        FILE
    }

    private final Kind kind;
    /** The token itself for {@link Kind#VALUE}, else the variable's name or the file's path. */
    private final String where;

    private TokenSource(Kind kind, String where) {
        this.kind = kind;
        this.where = where;
    }

    /** The token itself, validated on the client. */
    static TokenSource value(String token) {
        return new TokenSource(Kind.VALUE, SinkValidation.token(token));
    }

    static TokenSource environmentVariable(String name) {
        if (name == null || name.isBlank() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "token.env-var (setTokenEnvironmentVariable) must be the name of an environment"
                            + " variable, e.g. TINYBIRD_TOKEN, without '=': got "
                            + (name == null || name.isBlank() ? "an empty name" : "'" + name + "'"));
        }
        return new TokenSource(Kind.ENVIRONMENT_VARIABLE, name.strip());
    }

    static TokenSource file(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException(
                    "token.file (setTokenFile) must be the path of a file on the TaskManagers, e.g."
                            + " /var/run/secrets/tinybird/token: got an empty path");
        }
        return new TokenSource(Kind.FILE, path.strip());
    }

    /** Reads the token where it lives, on the machine that calls this. */
    String resolve() {
        return resolve(System::getenv);
    }

    /**
     * @param environment looks up environment variables ({@code System::getenv}; tests pass their
     *     own, since a JVM cannot set its own environment)
     * @throws TinybirdSinkException naming the variable or file and what to fix, never a value
     */
    String resolve(UnaryOperator<String> environment) {
        switch (kind) {
            case VALUE:
                return where;
            case ENVIRONMENT_VARIABLE:
                return checked(environment.apply(where), "the environment variable " + where + " (token.env-var)",
                        "set it in the TaskManagers' environment");
            case FILE:
            default:
                return checked(readFile(), "the token file '" + where + "' (token.file)",
                        "write the token into it");
        }
    }

    private String readFile() {
        Path path = Paths.get(where);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new TinybirdSinkException(
                    "the token file '" + where + "' (token.file) does not exist on this TaskManager: mount"
                            + " the secret at that path on every TaskManager, or correct token.file", 0);
        } catch (AccessDeniedException e) {
            throw new TinybirdSinkException(
                    "the token file '" + where + "' (token.file) cannot be read by the TaskManager's user:"
                            + " make it readable for the user Flink runs as", 0);
        } catch (IOException e) {
            // The exception's own message names the path and the reason (e.g. "Is a directory").
            throw new TinybirdSinkException(
                    "the token file '" + where + "' (token.file) could not be read on this TaskManager ("
                            + e.getClass().getSimpleName() + "): point token.file at the file that holds the token", 0);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new TinybirdSinkException(
                    "the token file '" + where + "' (token.file) is larger than " + MAX_FILE_BYTES
                            + " bytes, so it cannot be a token: point token.file at the file that holds only the token", 0);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Trims surrounding whitespace (a trailing newline: {@code echo} adds one) and checks the rest. */
    private static String checked(String value, String source, String whatToDo) {
        if (value == null) {
            throw new TinybirdSinkException(
                    source + " is not set on this TaskManager: " + whatToDo + ", or correct token.env-var", 0);
        }
        if (value.isBlank()) {
            throw new TinybirdSinkException(source + " is empty: " + whatToDo, 0);
        }
        try {
            return SinkValidation.token(value);
        } catch (IllegalArgumentException e) {
            // The message gives a position, never the value.
            throw new TinybirdSinkException(source + " does not hold a valid token: " + e.getMessage(), 0);
        }
    }

    @Override
    public String toString() {
        switch (kind) {
            case VALUE:
                return "token=****";
            case ENVIRONMENT_VARIABLE:
                return "token from environment variable " + where;
            case FILE:
            default:
                return "token from file " + where;
        }
    }
}
