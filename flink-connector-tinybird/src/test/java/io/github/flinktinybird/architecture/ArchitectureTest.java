package io.github.flinktinybird.architecture;

import io.github.flinktinybird.sink.TinybirdSink;

import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connector's production classes (this module's {@code target/classes}, whichever Flink line
 * built them) keep to the rules that let one tree build for three Flink lines and keep the token
 * in one place.
 */
class ArchitectureTest {
    private static final String PUBLIC = "org.apache.flink.annotation.Public";
    private static final String PUBLIC_EVOLVING = "org.apache.flink.annotation.PublicEvolving";
    private static final String INTERNAL = "org.apache.flink.annotation.Internal";
    private static final String VISIBLE_FOR_TESTING = "org.apache.flink.annotation.VisibleForTesting";

    /**
     * Flink classes used although they are not {@code @Public}/{@code @PublicEvolving}, each with
     * the reason. Every one is present with the same shape on Flink 1.20, 2.2 and 2.3; a new
     * entry needs the same check.
     */
    private static final Set<String> NON_PUBLIC_FLINK_API_USED = Set.of(
            // The sink's exact latency histogram (metrics.md): Flink's own connectors use it; the
            // public Histogram interface has no implementation in flink-metrics-core.
            "org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram",
            // Thrown for a permanent failure (a wrong token, a missing Data Source) so that Flink
            // does not restart the job into the same error; there is no public equivalent.
            "org.apache.flink.runtime.execution.SuppressRestartsException",
            // The running Flink's version for the User-Agent header (Tinybird's logs show which
            // Flink sent a request); a static getter that every line since 1.x has.
            "org.apache.flink.runtime.util.EnvironmentInformation",
            // Flink's thread-safe Counter (flink-metrics-core, not annotated): the sink's counters
            // are incremented from HTTP callback threads, where SimpleCounter loses increments.
            "org.apache.flink.metrics.ThreadSafeSimpleCounter");

    private static JavaClasses connector;

    @BeforeAll
    static void importTheConnectorsClasses() {
        connector = new ClassFileImporter()
                .importUrl(TinybirdSink.class.getProtectionDomain().getCodeSource().getLocation());
        assertThat(connector).as("classes imported").hasSizeGreaterThan(30);
    }

    @Test
    void flinkIsUsedOnlyThroughItsPublicApiAndTheListedExceptions() {
        ArchRule rule = classes().should(useFlinkOnlyThroughPublicApi())
                .because("@Internal Flink classes change between minor versions, and this tree builds for 1.20, 2.2 and 2.3");
        rule.check(connector);
    }

    @Test
    void theHttpAndSerializationLayersDoNotDependOnTheSink() {
        noClasses().that().resideInAnyPackage("io.github.flinktinybird.http..", "io.github.flinktinybird.serialize..")
                .should().dependOnClassesThat().resideInAPackage("io.github.flinktinybird.sink..")
                .because("the Events API client and the JSON encoding are used by the sink, never the other way")
                .check(connector);
    }

    @Test
    void theConnectorNeitherHoldsNorUsesTheEmulator() {
        noClasses().should().resideInAPackage("io.github.flinktinybird.emulator..")
                .because("the emulator is flink-connector-tinybird-testing, a test-scope artifact")
                .check(connector);
        noClasses().should().dependOnClassesThat().resideInAPackage("io.github.flinktinybird.emulator..")
                .because("the connector's users do not have flink-connector-tinybird-testing at run time")
                .check(connector);
    }

    /**
     * Of everything serialized into the job graph, only {@code DeliverySettings} holds the token
     * (and masks it in {@code toString()}), and only the writer reads it from there, to open the
     * HTTP client on the TaskManager.
     */
    @Test
    void theTokenLivesInDeliverySettingsAndOnlyTheWriterReadsIt() {
        fields().that().areNotStatic()
                .and().haveNameMatching("(?i).*(token|authorization|bearer|secret|password).*")
                .and().areDeclaredInClassesThat().areAssignableTo(Serializable.class)
                .should().beDeclaredIn("io.github.flinktinybird.sink.DeliverySettings")
                .because("the token is a secret: one serializable holder keeps it out of every other toString(), state and DDL")
                .check(connector);
        noClasses().that().doNotHaveFullyQualifiedName("io.github.flinktinybird.sink.TinybirdSinkWriter")
                .and().doNotHaveFullyQualifiedName("io.github.flinktinybird.sink.DeliverySettings")
                .should().callMethod("io.github.flinktinybird.sink.DeliverySettings", "token")
                .because("only the writer hands the token to the Events API client")
                .check(connector);
    }

    private static ArchCondition<JavaClass> useFlinkOnlyThroughPublicApi() {
        return new ArchCondition<>("use Flink only through @Public/@PublicEvolving API or the listed exceptions") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                for (Dependency dependency : item.getDirectDependenciesFromSelf()) {
                    JavaClass target = outermost(dependency.getTargetClass().getBaseComponentType());
                    if (isFlink(target) && !isPublicApi(target)) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()
                                + ": " + target.getName() + " is neither @Public nor @PublicEvolving"));
                    }
                }
                for (JavaAccess<?> access : item.getAccessesFromSelf()) {
                    AccessTarget target = access.getTarget();
                    if (isFlink(outermost(target.getOwner())) && isInternalMember(target)) {
                        events.add(SimpleConditionEvent.violated(access, access.getDescription()
                                + ": the member is @Internal or @VisibleForTesting"));
                    }
                }
            }
        };
    }

    private static boolean isFlink(JavaClass type) {
        return type.getPackageName().startsWith("org.apache.flink.");
    }

    private static boolean isPublicApi(JavaClass type) {
        return type.getPackageName().equals("org.apache.flink.annotation")
                || type.isAnnotatedWith(PUBLIC)
                || type.isAnnotatedWith(PUBLIC_EVOLVING)
                || NON_PUBLIC_FLINK_API_USED.contains(type.getName());
    }

    private static boolean isInternalMember(AccessTarget target) {
        return target.resolveMember()
                .map(member -> member.isAnnotatedWith(INTERNAL) || member.isAnnotatedWith(VISIBLE_FOR_TESTING))
                .orElse(false);
    }

    private static JavaClass outermost(JavaClass type) {
        JavaClass current = type;
        while (current.getEnclosingClass().isPresent()) {
            current = current.getEnclosingClass().get();
        }
        return current;
    }
}
