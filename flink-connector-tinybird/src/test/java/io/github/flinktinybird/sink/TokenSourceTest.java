package io.github.flinktinybird.sink;

import org.apache.flink.configuration.Configuration;

import io.github.flinktinybird.error.TinybirdSinkException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The three ways to give the token: exactly one is set, an environment variable or a file is read
 * only on the TaskManager, and no message or {@code toString()} ever holds the token.
 */
class TokenSourceTest {

    private static final String TOKEN = "p.eyJ1IjogInRva2VuLXNvdXJjZS10ZXN0In0.Zk3Q";

    private static TinybirdSinkBuilder<Map<String, Object>> withoutToken() {
        return TinybirdSink.<Map<String, Object>>builder().setDataSource("events");
    }

    // ---- environment variable ---------------------------------------------------------------

    @Test
    void anEnvironmentVariableIsReadThroughTheLookupAndTrimmed() {
        TokenSource source = TokenSource.environmentVariable("TINYBIRD_TOKEN");

        assertThat(source.resolve(Map.of("TINYBIRD_TOKEN", TOKEN + "\n")::get)).isEqualTo(TOKEN);
    }

    @Test
    void aMissingEnvironmentVariableIsNamed() {
        TokenSource source = TokenSource.environmentVariable("TINYBIRD_TOKEN");

        assertThatThrownBy(() -> source.resolve(Map.of("OTHER", TOKEN)::get))
                .isInstanceOf(TinybirdSinkException.class)
                .hasMessageContaining("the environment variable TINYBIRD_TOKEN (token.env-var) is not set on this TaskManager")
                .hasMessageNotContaining(TOKEN);
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"", "  ", "\n"})
    void anEmptyEnvironmentVariableIsNamed(String value) {
        TokenSource source = TokenSource.environmentVariable("TINYBIRD_TOKEN");

        assertThatThrownBy(() -> source.resolve(Map.of("TINYBIRD_TOKEN", value)::get))
                .hasMessageContaining("the environment variable TINYBIRD_TOKEN (token.env-var) is empty");
    }

    @Test
    void anEnvironmentVariableHoldingNoTokenIsRefusedWithoutQuotingIt() {
        TokenSource source = TokenSource.environmentVariable("TINYBIRD_TOKEN");

        Throwable failure = catchThrowable(() -> source.resolve(Map.of("TINYBIRD_TOKEN", "p.first half")::get));

        assertThat(failure).hasMessageContaining("TINYBIRD_TOKEN (token.env-var) does not hold a valid token")
                .hasMessageContaining("position 7");
        assertThat(failure.getMessage()).doesNotContain("first", "half");
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"TINYBIRD_TOKEN=p.abc", "A=B"})
    void anEnvironmentVariableNameWithAnEqualsSignIsRefusedOnTheClient(String name) {
        assertThatThrownBy(() -> withoutToken().setTokenEnvironmentVariable(name).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be the name of an environment variable");
    }

    // ---- file -------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"", "\n", "\r\n", " \n\n"})
    void aFileIsReadAndItsTrailingNewlineTrimmed(String trailing, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), TOKEN + trailing);

        assertThat(TokenSource.file(file.toString()).resolve(name -> null)).isEqualTo(TOKEN);
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        String path = dir.resolve("no-such-token").toString();

        assertThatThrownBy(() -> TokenSource.file(path).resolve())
                .isInstanceOf(TinybirdSinkException.class)
                .hasMessageContaining("the token file '" + path + "' (token.file) does not exist on this TaskManager");
    }

    @Test
    void aDirectoryIsNotATokenFile(@TempDir Path dir) {
        assertThatThrownBy(() -> TokenSource.file(dir.toString()).resolve())
                .hasMessageContaining("the token file '" + dir + "' (token.file) could not be read on this TaskManager");
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"", "\n", "   \n"})
    void anEmptyFileIsNamed(String content, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), content);

        assertThatThrownBy(() -> TokenSource.file(file.toString()).resolve())
                .hasMessageContaining("the token file '" + file + "' (token.file) is empty");
    }

    @Test
    void aFileHoldingMoreThanATokenIsRefusedWithoutQuotingIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "TINYBIRD_TOKEN=" + TOKEN + "\nOTHER=secret\n");

        Throwable failure = catchThrowable(() -> TokenSource.file(file.toString()).resolve());

        assertThat(failure).hasMessageContaining("(token.file) does not hold a valid token");
        assertThat(failure.getMessage()).doesNotContain(TOKEN).doesNotContain("secret");
    }

    @Test
    void aLargeFileIsNotMistakenForAToken(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("big"), "x".repeat(TokenSource.MAX_FILE_BYTES + 1).getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> TokenSource.file(file.toString()).resolve())
                .hasMessageContaining("is larger than " + TokenSource.MAX_FILE_BYTES + " bytes");
    }

    // ---- exactly one, and nothing read on the client ----------------------------------------

    @Test
    void theFileIsNotReadWhenTheSinkIsBuilt(@TempDir Path dir) {
        // The client that builds the job has no such file; the TaskManagers will.
        String path = dir.resolve("mounted-on-the-taskmanagers-only").toString();

        TinybirdSink<Map<String, Object>> sink = withoutToken().setTokenFile(path).build();

        assertThat(sink.toString()).contains("token from file " + path);
    }

    @Test
    void theEnvironmentVariableIsNotReadWhenTheSinkIsBuilt() {
        TinybirdSink<Map<String, Object>> sink =
                withoutToken().setTokenEnvironmentVariable("NOT_SET_ON_THIS_CLIENT_" + System.nanoTime()).build();

        assertThat(sink.toString()).contains("token from environment variable NOT_SET_ON_THIS_CLIENT_");
    }

    @Test
    void theConfigurationKeysChooseTheSource(@TempDir Path dir) {
        Configuration byVariable = new Configuration();
        byVariable.set(TinybirdSinkOptions.TOKEN_ENV_VAR, "TINYBIRD_TOKEN");
        assertThat(withoutToken().configure(byVariable).build().toString()).contains("token from environment variable TINYBIRD_TOKEN");

        Configuration byFile = new Configuration();
        byFile.set(TinybirdSinkOptions.TOKEN_FILE, dir.resolve("token").toString());
        assertThat(withoutToken().configure(byFile).build().toString()).contains("token from file " + dir.resolve("token"));
    }

    @Test
    void twoSourcesAreRefusedNamingTheKeysNeverTheValues(@TempDir Path dir) {
        String path = dir.resolve("token").toString();
        Configuration file = new Configuration();
        file.set(TinybirdSinkOptions.TOKEN_FILE, path);

        for (TinybirdSinkBuilder<Map<String, Object>> twice : java.util.List.of(
                withoutToken().setToken(TOKEN).setTokenFile(path),
                withoutToken().setToken(TOKEN).configure(file),
                withoutToken().setTokenEnvironmentVariable("TINYBIRD_TOKEN").setTokenFile(path))) {
            Throwable failure = catchThrowable(twice::build);

            assertThat(failure).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the Tinybird token is given more than one way")
                    .hasMessageContaining("set exactly one of 'token', 'token.env-var' and 'token.file'");
            assertThat(failure.getMessage()).doesNotContain(TOKEN).doesNotContain(path).doesNotContain("TINYBIRD_TOKEN");
        }
        Throwable all = catchThrowable(
                withoutToken().setToken(TOKEN).setTokenEnvironmentVariable("TINYBIRD_TOKEN").setTokenFile(path)::build);
        assertThat(all).hasMessageContaining("(token, token.env-var, token.file)");
    }

    @Test
    void noSourceNamesAllThreeKeys() {
        assertThatThrownBy(() -> withoutToken().build())
                .hasMessageContaining("no Tinybird token is set")
                .hasMessageContaining("'token.env-var' (setTokenEnvironmentVariable)")
                .hasMessageContaining("'token.file' (setTokenFile)")
                .hasMessageContaining("'token' (setToken)")
                .hasMessageContaining("DATASOURCE:APPEND");
    }

    @Test
    void aSourceCanBeUnsetToChooseAnother(@TempDir Path dir) {
        String path = dir.resolve("token").toString();

        TinybirdSink<Map<String, Object>> sink = withoutToken().setToken(TOKEN).setToken(null).setTokenFile(path).build();

        assertThat(sink.toString()).contains("token from file").doesNotContain(TOKEN);
    }

    @Test
    void noSourceToStringHoldsTheToken() {
        assertThat(TokenSource.value(TOKEN).toString()).isEqualTo("token=****");
        assertThat(TokenSource.environmentVariable("TINYBIRD_TOKEN").toString()).doesNotContain(TOKEN);
        assertThat(withoutToken().setToken(TOKEN).build().toString()).doesNotContain(TOKEN).contains("token=****");
    }
}
