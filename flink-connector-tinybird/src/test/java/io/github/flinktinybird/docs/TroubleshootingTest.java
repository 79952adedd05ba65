package io.github.flinktinybird.docs;

import io.github.flinktinybird.testutil.Repository;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/troubleshooting.md explains every message the connector raises: this test finds the text
 * each exception, failure reason and warning starts with in {@code src/main/java} and checks that
 * the page quotes it. A new message without an entry fails the build.
 */
class TroubleshootingTest {
    /** The first string literal passed to an exception, an outcome, or a WARN/ERROR log call. */
    private static final Pattern MESSAGE = Pattern.compile(
            "(?:new \\w*Exception\\(|new Outcome\\(|\\.warn\\(|LOG\\.error\\()"
                    + "(?:[^\"();]|\\([^()]*\\))*?\"((?:[^\"\\\\]|\\\\.)*)\"",
            Pattern.DOTALL);
    /** Where a message stops being fixed text: a placeholder, a quoted value, a parenthesis, a colon. */
    private static final Pattern VARIABLE_PART = Pattern.compile("\\{}|'|\\(|:|;|\\\\\"");

    @Test
    void everyMessageOfTheConnectorHasAnEntry() throws IOException {
        String page = normalize(Files.readString(Repository.file("docs", "troubleshooting.md"), StandardCharsets.UTF_8));
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Path source : sources()) {
            Matcher message = MESSAGE.matcher(Files.readString(source, StandardCharsets.UTF_8));
            while (message.find()) {
                String fixedText = fixedText(message.group(1));
                if (fixedText.isEmpty()) {
                    continue;
                }
                checked++;
                if (!page.contains(fixedText)) {
                    missing.add(source.getFileName() + ": \"" + fixedText + "\"");
                }
            }
        }
        assertThat(checked).as("messages found in src/main/java").isGreaterThan(50);
        assertThat(missing).as("messages docs/troubleshooting.md does not explain").isEmpty();
    }

    /** The first stretch of fixed text long enough to recognise, cut to its first six words. */
    static String fixedText(String literal) {
        for (String part : VARIABLE_PART.split(literal)) {
            String text = normalize(part).replaceAll("[\\s,.=]+$", "").strip();
            if (text.length() >= 10) {
                String[] words = text.split(" ");
                return String.join(" ", java.util.Arrays.copyOf(words, Math.min(6, words.length)));
            }
        }
        return "";
    }

    private static String normalize(String text) {
        return text.replace("`", "").replaceAll("\\s+", " ");
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }
}
