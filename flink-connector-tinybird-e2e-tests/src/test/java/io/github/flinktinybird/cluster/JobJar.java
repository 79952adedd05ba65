package io.github.flinktinybird.cluster;

import io.github.flinktinybird.sink.TinybirdSink;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Packs the job a user would submit: {@link ClusterJob}, the connector (the connector module's jar)
 * and the connector's runtime dependencies in one jar. Flink itself is not in it: the cluster
 * provides it.
 */
final class JobJar {

    /** The connector's runtime dependencies, by jar file name. */
    private static final List<String> SHIPPED = List.of(
            "okhttp-jvm-", "okio-jvm-", "kotlin-stdlib-", "jackson-databind-", "jackson-core-", "jackson-annotations-",
            "jackson-datatype-jsr310-");

    private JobJar() {}

    static Path build(Path target) throws IOException {
        Path testClasses = Paths.get("target", "test-classes").toAbsolutePath();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        addConnector(entries);
        Path jobPackage = testClasses.resolve("io/github/flinktinybird/cluster");
        try (Stream<Path> files = Files.list(jobPackage)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("ClusterJob")).collect(Collectors.toList())) {
                entries.put("io/github/flinktinybird/cluster/" + f.getFileName(), Files.readAllBytes(f));
            }
        }
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> shipped = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            String name = Paths.get(entry).getFileName().toString();
            if (name.endsWith(".jar") && SHIPPED.stream().anyMatch(name::startsWith)) {
                addJar(entries, Paths.get(entry));
                shipped.add(name);
            }
        }
        if (shipped.size() != SHIPPED.size()) {
            throw new IllegalStateException("expected the jars " + SHIPPED + " on the test classpath, found " + shipped);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ClusterJob.class.getName());
        Files.createDirectories(target.getParent());
        try (OutputStream file = Files.newOutputStream(target);
                JarOutputStream jar = new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return target;
    }

    /** The connector module's classes: its jar, or its classes directory when Maven stopped before package. */
    private static void addConnector(Map<String, byte[]> entries) throws IOException {
        Path connector;
        try {
            connector = Paths.get(TinybirdSink.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("cannot locate the connector's classes", e);
        }
        if (Files.isDirectory(connector)) {
            addDirectory(entries, connector, "");
        } else {
            addJar(entries, connector);
        }
    }

    private static void addDirectory(Map<String, byte[]> entries, Path root, String prefix) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : walk.filter(Files::isRegularFile).collect(Collectors.toList())) {
                entries.put(prefix + root.relativize(f).toString().replace(File.separatorChar, '/'), Files.readAllBytes(f));
            }
        }
    }

    private static void addJar(Map<String, byte[]> entries, Path path) throws IOException {
        try (JarFile jar = new JarFile(path.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                String name = entry.getName();
                if (entry.isDirectory() || name.equals("META-INF/MANIFEST.MF") || name.endsWith("module-info.class")
                        || name.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = jar.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                if (name.startsWith("META-INF/services/") && entries.containsKey(name)) {
                    ByteArrayOutputStream merged = new ByteArrayOutputStream();
                    merged.write(entries.get(name));
                    merged.write('\n');
                    merged.write(bytes);
                    entries.put(name, merged.toByteArray());
                } else {
                    entries.putIfAbsent(name, bytes);
                }
            }
        }
    }
}
