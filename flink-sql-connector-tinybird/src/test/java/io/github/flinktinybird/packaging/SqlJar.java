package io.github.flinktinybird.packaging;

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

/** The jars that {@code mvn package} built, for the tests that run after it (failsafe). */
final class SqlJar {
    static final String SHADED_PREFIX = "io/github/flinktinybird/shaded/";

    private SqlJar() {}

    /** The SQL jar (classifier {@code sql}); failsafe passes its path. */
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

    /** The thin jar beside it. */
    static Path thinJarPath() {
        Path sql = path();
        return sql.resolveSibling(sql.getFileName().toString().replace("-sql.jar", ".jar"));
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
