package io.github.flinktinybird.packaging;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** The libraries the SQL jar bundles, as the NOTICE file must name them. */
final class BundledLibraries {
    private BundledLibraries() {}

    /** Where Maven's local repository keeps the libraries the SQL jar bundles, by group path. */
    private static final List<String> BUNDLED_GROUPS = List.of(
            "com/squareup/okhttp3", "com/squareup/okio", "org/jetbrains/kotlin", "org/jetbrains",
            "com/fasterxml/jackson/core", "com/fasterxml/jackson/datatype");

    /**
     * {@code group:artifact:version} of each library on the test class path that the shade
     * plugin's includes (okhttp3, okio, kotlin, jetbrains annotations, jackson) bundle: the test
     * class path holds the connector's runtime dependencies, the jars that were shaded in.
     */
    static List<String> onTheTestClassPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> found = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String path = entry.replace(File.separatorChar, '/');
            for (String group : BUNDLED_GROUPS) {
                int at = path.indexOf("/" + group + "/");
                if (at < 0 || !path.endsWith(".jar")) {
                    continue;
                }
                // <group>/<artifact>/<version>/<artifact>-<version>.jar
                String[] rest = path.substring(at + group.length() + 2).split("/");
                // of org.jetbrains, only annotations is bundled
                if (rest.length == 3 && (!group.equals("org/jetbrains") || rest[0].equals("annotations"))) {
                    found.add(group.replace('/', '.') + ":" + rest[0] + ":" + rest[1]);
                }
            }
        }
        return found;
    }
}
