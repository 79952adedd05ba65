package io.github.flinktinybird.packaging;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The jars that {@code mvn package} built, for the tests that run after it (failsafe). */
final class SqlJar {
    static final String SHADED_PREFIX = "io/github/flinktinybird/shaded/";

    private SqlJar() {}

    /** The SQL jar (this module's artifact); failsafe passes its path. */
    static Path path() {
        String path = System.getProperty("tinybird.sql.jar");
        if (path == null) {
            throw new IllegalStateException("tinybird.sql.jar is not set: run this test with mvn verify (failsafe)");
        }
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: run mvn package first");
        }
        return jar;
    }

    /** The connector's own (thin) jar, which this module bundles: the one on the test class path. */
    static Path thinJarPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> found = Stream.of(classPath.split(File.pathSeparator))
                .map(Path::of)
                .filter(entry -> entry.getFileName().toString().matches("flink-connector-tinybird-[0-9][^/]*(?<!-tests)\\.jar"))
                .collect(Collectors.toList());
        if (found.size() != 1) {
            throw new IllegalStateException("expected the connector's jar on the test class path, found " + found);
        }
        return found.get(0);
    }

    /** Names of the files (not directories) in {@code jar}. */
    static List<String> entries(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().filter(e -> !e.isDirectory()).map(JarEntry::getName).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every class file in {@code jar}, by entry name, read in one pass. */
    static Map<String, byte[]> classes(Path jar) {
        Map<String, byte[]> classes = new TreeMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : Collections.list(file.entries())) {
                if (entry.getName().endsWith(".class")) {
                    classes.put(entry.getName(), file.getInputStream(entry).readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return classes;
    }

    static byte[] read(Path jar, String entry) {
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry found = file.getJarEntry(entry);
            if (found == null) {
                throw new IllegalArgumentException(jar.getFileName() + " has no " + entry);
            }
            return file.getInputStream(found).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
