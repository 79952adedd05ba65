package io.github.flinktinybird.packaging;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.testutil.SqlExample;
import io.github.flinktinybird.testutil.SqlScript;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL jar alone is enough: a separate JVM whose class path holds Flink and the SQL jar, and
 * nothing else of the connector nor its unrelocated dependencies, runs the SQL Client example
 * ({@code examples/}) into the local Events API.
 */
class SqlJarIT {
    private static final long TIMEOUT_SECONDS = 180;

    /** Jars of the test class path a Flink installation would not have, or that the SQL jar replaces. */
    private static final List<String> LEFT_OUT =
            List.of("/com/squareup/okhttp3/", "/com/squareup/okio/", "/org/jetbrains/", "/com/fasterxml/jackson/");

    @Test
    void runsTheExampleWithOnlyTheSqlJarOnTheClassPath(@TempDir Path dir) throws Exception {
        Path runner = copyRunner(dir.resolve("runner"));
        List<String> classPath = new ArrayList<>();
        classPath.add(SqlJar.path().toString());
        classPath.add(runner.toString());
        classPath.addAll(flinkClassPath());
        assertThat(entriesWithConnectorClasses(classPath))
                .as("class path entries holding io.github.flinktinybird classes")
                .containsExactlyInAnyOrder(SqlJar.path().toString(), runner.toString());

        try (EventsApiEmulator emulator = EventsApiEmulator.builder().start()) {
            Path script = dir.resolve("example.sql");
            Files.writeString(script, SqlExample.pointedAt(emulator), StandardCharsets.UTF_8);
            Path output = dir.resolve("output.txt");

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(Arrays.asList(System.getProperty("test.jvm.opens", "").trim().split("\\s+")));
            command.removeIf(String::isEmpty);
            command.add("-Xmx512m");
            command.add("-cp");
            command.add(String.join(File.pathSeparator, classPath));
            command.add(SqlScript.class.getName());
            command.add(script.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String log = Files.readString(output, StandardCharsets.UTF_8);

            assertThat(exited).as("the SQL job finished within %d s; output:%n%s", TIMEOUT_SECONDS, log).isTrue();
            assertThat(process.exitValue()).as("exit code; output:%n%s", log).isZero();
            assertThat(log).contains("OK: INSERT INTO tinybird_page_views");
            SqlExample.assertRowsArrived(emulator);
        }
    }

    /**
     * The test class path, less this project's artifacts (the connector, its test jar, the
     * emulator: from the reactor's modules or the local repository) and the connector's
     * unrelocated dependencies.
     */
    private static List<String> flinkClassPath() {
        String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path repository = Path.of(System.getProperty("repository.root", "..")).toAbsolutePath().normalize();
        return Stream.of(testClassPath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .filter(entry -> !isBuiltByAModule(repository, Path.of(entry)))
                .filter(entry -> !entry.replace(File.separatorChar, '/').contains("/io/github/flinktinybird/"))
                .filter(entry -> LEFT_OUT.stream().noneMatch(entry.replace(File.separatorChar, '/')::contains))
                .collect(Collectors.toList());
    }

    /** Whether {@code entry} is under {@code <repository>/<module>/target/}. */
    private static boolean isBuiltByAModule(Path repository, Path entry) {
        Path path = entry.toAbsolutePath().normalize();
        if (!path.startsWith(repository)) {
            return false;
        }
        Path relative = repository.relativize(path);
        return relative.getNameCount() >= 2 && relative.getName(1).toString().equals("target");
    }

    /** Only the script runner, which uses Flink's API and no connector class. */
    private static Path copyRunner(Path dir) throws IOException {
        String file = SqlScript.class.getName().replace('.', '/') + ".class";
        Path copy = dir.resolve(file);
        Files.createDirectories(copy.getParent());
        // From the connector's test jar (or its test classes directory): read it as a resource.
        try (java.io.InputStream in = SqlScript.class.getResourceAsStream("/" + file)) {
            Files.copy(in, copy);
        }
        return dir;
    }

    private static List<String> entriesWithConnectorClasses(List<String> classPath) {
        return classPath.stream().filter(SqlJarIT::holdsConnectorClasses).collect(Collectors.toList());
    }

    private static boolean holdsConnectorClasses(String entry) {
        Path path = Path.of(entry);
        try {
            if (Files.isDirectory(path)) {
                return Files.isDirectory(path.resolve("io/github/flinktinybird"));
            }
            if (!Files.isRegularFile(path)) {
                return false;
            }
            try (JarFile jar = new JarFile(path.toFile())) {
                return jar.stream().anyMatch(e -> e.getName().startsWith("io/github/flinktinybird/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
