package io.github.flinktinybird.packaging;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL jar holds the connector and its relocated dependencies only, and registers its table
 * factory: a jar that fails here would clash with other jars in Flink's lib/ or not be found.
 */
class SqlJarPackagingIT {
    private static final String FACTORY_SERVICE = "META-INF/services/org.apache.flink.table.factories.Factory";
    private static final String FACTORY = "io.github.flinktinybird.table.TinybirdDynamicTableFactory";

    /** The bundled libraries' packages, as class files name them before relocation. */
    private static final List<String> BUNDLED =
            List.of("okhttp3/", "okio/", "kotlin/", "com/fasterxml/jackson/", "org/jetbrains/annotations/",
                    "org/intellij/lang/annotations/");

    @Test
    void everyClassIsTheConnectorsOrRelocatedUnderItsPackage() {
        List<String> strays = new ArrayList<>();
        for (String entry : SqlJar.entries(SqlJar.path())) {
            boolean ours = entry.startsWith("io/github/flinktinybird/");
            boolean metaInf = entry.startsWith("META-INF/") && !entry.endsWith(".class");
            if (!ours && !metaInf) {
                strays.add(entry);
            }
        }
        assertThat(strays).as("files outside io/github/flinktinybird/ and META-INF/ (unrelocated or Flink's)").isEmpty();
    }

    @Test
    void bundlesOkHttpOkioKotlinAndJacksonRelocated() {
        assertThat(SqlJar.entries(SqlJar.path()))
                .contains(
                        SqlJar.SHADED_PREFIX + "okhttp3/OkHttpClient.class",
                        SqlJar.SHADED_PREFIX + "okio/Buffer.class",
                        SqlJar.SHADED_PREFIX + "kotlin/Unit.class",
                        SqlJar.SHADED_PREFIX + "com/fasterxml/jackson/databind/ObjectMapper.class",
                        SqlJar.SHADED_PREFIX + "com/fasterxml/jackson/datatype/jsr310/JavaTimeModule.class",
                        "io/github/flinktinybird/sink/TinybirdSink.class")
                .noneMatch(entry -> entry.startsWith("org/apache/flink/"))
                .noneMatch(entry -> entry.startsWith("org/slf4j/") || entry.startsWith("org/apache/logging/"))
                .noneMatch(entry -> entry.startsWith("io/github/flinktinybird/emulator/"))
                .noneMatch(entry -> entry.endsWith("module-info.class"));
    }

    @Test
    void noClassRefersToABundledLibraryByItsOriginalName() {
        Map<String, byte[]> classes = SqlJar.classes(SqlJar.path());
        List<String> offenders = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
            for (String name : ClassReferences.of(entry.getValue())) {
                if (BUNDLED.stream().anyMatch(name::startsWith)) {
                    offenders.add(entry.getKey() + " uses " + name);
                }
            }
        }
        assertThat(classes).as("classes read").hasSizeGreaterThan(1000);
        assertThat(offenders).isEmpty();
    }

    @Test
    void registersTheTinybirdFactoryAndOnlyServicesOfClassesItHolds() {
        Path jar = SqlJar.path();
        List<String> entries = SqlJar.entries(jar);
        assertThat(entries).as("Flink finds table factories through this file").contains(FACTORY_SERVICE);
        assertThat(new String(SqlJar.read(jar, FACTORY_SERVICE), StandardCharsets.UTF_8).lines())
                .contains(FACTORY);
        for (String service : entries) {
            if (!service.startsWith("META-INF/services/")) {
                continue;
            }
            String name = service.substring("META-INF/services/".length());
            if (!name.startsWith("org.apache.flink.")) {
                assertThat(name).as(service).startsWith("io.github.flinktinybird.");
            }
            new String(SqlJar.read(jar, service), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .forEach(implementation -> assertThat(entries)
                            .as(service + " names " + implementation)
                            .contains(implementation.replace('.', '/') + ".class"));
        }
    }

    /**
     * META-INF/NOTICE names every library the jar bundles, at the version bundled (read from the
     * test class path, which holds the jars that were shaded in), with its licence.
     */
    @Test
    void theNoticeListsEveryBundledLibraryAndItsLicence() {
        String notice = new String(SqlJar.read(SqlJar.path(), "META-INF/NOTICE"), StandardCharsets.UTF_8);
        assertThat(notice).contains("Apache License, Version 2.0", "MIT License", "FastDoubleParser", "Schubfach");
        List<String> bundled = BundledLibraries.onTheTestClassPath();
        assertThat(bundled).as("bundled libraries found on the class path")
                .anyMatch(coordinates -> coordinates.startsWith("com.squareup.okhttp3:okhttp-jvm:"))
                .anyMatch(coordinates -> coordinates.startsWith("com.fasterxml.jackson.core:jackson-databind:"))
                .hasSizeGreaterThanOrEqualTo(8);
        for (String coordinates : bundled) {
            assertThat(notice).as("META-INF/NOTICE names %s", coordinates).contains("- " + coordinates + "\n");
        }
    }

    @Test
    void theThinJarStaysThin() {
        Path thin = SqlJar.thinJarPath();
        assertThat(SqlJar.entries(thin))
                .contains(FACTORY_SERVICE, "io/github/flinktinybird/sink/TinybirdSink.class")
                .noneMatch(entry -> entry.startsWith("io/github/flinktinybird/shaded/"))
                .allMatch(entry -> entry.startsWith("io/github/flinktinybird/") || entry.startsWith("META-INF/"));
    }
}
