package io.vrouter.agent;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: no two packages of the project's main code depend on each other,
 * directly or around a loop. Covers every {@code io.vrouter} module on this module's test
 * classpath (flow-table, linklocal, plumbing, provision and the agent), each package its own
 * slice, so {@code dataplane} and {@code dataplane.relay} count as two.
 */
class PackageCyclesTest {
    @Test
    void mainCodePackagesShouldBeFreeOfCycles() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.vrouter");
        for (String pkg : new String[] {"io.vrouter.agent.dataplane.relay", "io.vrouter.flow", "io.vrouter.linklocal.proxy",
            "io.vrouter.provision"}) {
            assertTrue(classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)), "imported nothing of " + pkg);
        }
        slices().matching("io.vrouter.(**)").should().beFreeOfCycles().check(classes);
    }
}
