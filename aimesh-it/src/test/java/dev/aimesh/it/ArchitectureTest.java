package dev.aimesh.it;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module rules of ARCHITECTURE.md, kept by the build. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.aimesh");
    }

    @Test
    void theControlPlaneAndTheProxyNeverDependOnEachOther() {
        noClasses().that().resideInAPackage("dev.aimesh.controlplane..")
                .should().dependOnClassesThat().resideInAPackage("dev.aimesh.proxy..").check(classes);
        noClasses().that().resideInAPackage("dev.aimesh.proxy..")
                .should().dependOnClassesThat().resideInAPackage("dev.aimesh.controlplane..").check(classes);
    }

    @Test
    void filtersNeverDependOnEachOther() {
        slices().matching("dev.aimesh.proxy.filter.(*)..").should().notDependOnEachOther()
                .ignoreDependency(DescribedPredicate.alwaysTrue(), resideInAPackage("dev.aimesh.proxy.filter.common.."))
                .check(classes);
    }

    @Test
    void modulesDependOnlyDownwards() {
        noClasses().that().resideInAPackage("dev.aimesh.core..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.aimesh.identity..", "dev.aimesh.api..", "dev.aimesh.controlplane..",
                        "dev.aimesh.proxy..", "dev.aimesh.cli..").check(classes);
        noClasses().that().resideInAPackage("dev.aimesh.identity..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.aimesh.api..", "dev.aimesh.controlplane..", "dev.aimesh.proxy..", "dev.aimesh.cli..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.aimesh.api..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.aimesh.identity..", "dev.aimesh.controlplane..", "dev.aimesh.proxy..", "dev.aimesh.cli..")
                .check(classes);
        noClasses().that().resideInAnyPackage("dev.aimesh.core..", "dev.aimesh.identity..").should().dependOnClassesThat()
                .resideInAnyPackage("com.google.protobuf..", "io.grpc..", "io.netty..").check(classes);
    }

    /** The proxy is sent typed resources (ProxyClassLoadingIT watches the running process; this, its code). */
    @Test
    void theProxyDecodesNoConfigFiles() {
        var rule = noClasses().that().resideInAPackage("dev.aimesh.proxy..").should().dependOnClassesThat()
                .resideInAnyPackage("com.fasterxml.jackson..", "org.snakeyaml..");
        for (String decoder : List.of("dev.aimesh.core.config.YamlDocuments", "dev.aimesh.core.config.YamlNode",
                "dev.aimesh.core.config.MappingReader", "dev.aimesh.core.resource.ConfigLoader",
                "dev.aimesh.core.resource.IncrementalConfigLoader", "dev.aimesh.core.resource.ResourceDecoders")) {
            rule = rule.orShould().dependOnClassesThat().haveFullyQualifiedName(decoder);
        }
        rule.check(classes);
    }

    /**
     * The wire protocol stays at the edge: protobuf and gRPC types appear in aimesh-api, and beyond it only
     * in the two ends of the protocol (the control plane's gRPC services, the proxy's agent), which convert
     * to core types at once; policy, registry, CA, filters and the data path never see them.
     */
    @Test
    void protobufAndGrpcTypesStayInTheApiAndTheProtocolsTwoEnds() {
        noClasses().that().resideInAPackage("dev.aimesh..")
                .and().resideOutsideOfPackages("dev.aimesh.api..", "dev.aimesh.controlplane.grpc..", "dev.aimesh.proxy.agent..",
                        "dev.aimesh.testkit..", "dev.aimesh.bench..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.protobuf..", "io.grpc..", "dev.aimesh.api.v1..")
                .check(classes);
    }

    /** Test fixtures and benchmarks are never part of what ships. */
    @Test
    void productionCodeNeverDependsOnTheTestkitOrTheBenchmarks() {
        noClasses().that().resideInAnyPackage("dev.aimesh.core..", "dev.aimesh.identity..", "dev.aimesh.api..",
                        "dev.aimesh.controlplane..", "dev.aimesh.proxy..", "dev.aimesh.cli..", "dev.aimesh.demo..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.aimesh.testkit..", "dev.aimesh.bench..", "dev.aimesh.it..")
                .check(classes);
    }

    @Test
    void coreDoesNoIoHasNoThreadsAndReadsNoClock() {
        noClasses().that().resideInAPackage("dev.aimesh.core..").should().dependOnClassesThat()
                .resideInAnyPackage("java.nio.file..", "java.nio.channels..", "java.net..", "java.util.concurrent..",
                        "java.net.http..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.aimesh.core..").should().dependOnClassesThat()
                .haveFullyQualifiedName("java.io.File").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.io.FileInputStream").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.io.FileOutputStream").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.lang.Thread").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.io.FileReader").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.io.FileWriter").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.io.RandomAccessFile").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.lang.ProcessBuilder").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.lang.Runtime")
                .check(classes);
        noClasses().that().resideInAPackage("dev.aimesh.core..")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Instant.class, "now")
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(ZonedDateTime.class, "now")
                .orShould().callMethod(OffsetDateTime.class, "now")
                .orShould().callMethod(LocalDate.class, "now")
                .orShould().callMethod(Clock.class, "systemUTC")
                .orShould().callMethod(Clock.class, "systemDefaultZone")
                .orShould().callMethod(InstantSource.class, "system")
                .check(classes);
    }
}
