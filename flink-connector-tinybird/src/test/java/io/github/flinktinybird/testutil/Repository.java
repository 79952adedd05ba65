package io.github.flinktinybird.testutil;

import java.nio.file.Path;

/**
 * Files of the repository that tests check (docs/, README.md, examples/). A module's tests run in
 * the module's directory; surefire and failsafe pass the repository's root as
 * {@code repository.root}, and a run without it (an IDE) is taken to be in a module, one level down.
 */
public final class Repository {
    private Repository() {}

    public static Path file(String first, String... more) {
        return Path.of(System.getProperty("repository.root", ".."), first).resolve(Path.of("", more));
    }
}
