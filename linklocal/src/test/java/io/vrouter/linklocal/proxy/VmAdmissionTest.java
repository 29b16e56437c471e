package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.ProxyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The per-VM admission policy on its own: no channel, the clock passed in. */
class VmAdmissionTest {
    private static final long SECOND = 1_000_000_000L;

    private static VmAdmission admission(Consumer<MetadataProxyConfig.Builder> tweak, InstanceDirectory directory) {
        MetadataProxyConfig.Builder b = MetadataProxyConfig.builder().sharedSecret(SECRET);
        tweak.accept(b);
        return new VmAdmission(b.build(), directory);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void shouldAdmitAKnownSourceAsItsVm() throws Exception {
        VmAdmission.Guest g = admission(b -> { }, DIRECTORY).open(ip(SRC_A));
        assertNull(g.admit(0));
        assertEquals(VM_A, g.identity());
        assertEquals(-1, g.retryAfterSeconds());
        assertNull(g.failure());
    }

    @Test
    void shouldRefuseEveryRequestOnAConnectionOverTheVmsCapUntilItCloses() throws Exception {
        VmAdmission a = admission(b -> b.maxConnectionsPerVm(2), DIRECTORY);
        VmAdmission.Guest first = a.open(ip(SRC_A));
        a.open(ip(SRC_A));
        VmAdmission.Guest third = a.open(ip(SRC_A));
        for (int i = 0; i < 2; i++) {
            assertEquals(RejectReason.TOO_MANY_CONNECTIONS, third.admit(0));
            assertEquals(1, third.retryAfterSeconds());
            assertNull(third.identity(), "refused before the VM is looked up");
        }
        assertEquals("Too many connections from this VM (limit 2).", third.refusal(RejectReason.TOO_MANY_CONNECTIONS));
        assertNull(a.open(ip(SRC_B)).admit(0), "another VM has its own cap");
        third.close();
        first.close();
        first.close(); // idempotent: frees one slot, not two
        assertNull(a.open(ip(SRC_A)).admit(0));
        assertEquals(RejectReason.TOO_MANY_CONNECTIONS, a.open(ip(SRC_A)).admit(0));
    }

    @Test
    void shouldRefuseASourceNoVmInterfaceOwns() throws Exception {
        VmAdmission a = admission(b -> { }, DIRECTORY);
        VmAdmission.Guest unknown = a.open(ip(SRC_UNKNOWN));
        assertEquals(RejectReason.UNKNOWN_SOURCE, unknown.admit(0));
        assertEquals("No VM interface owns source address 127.0.0.9; request not forwarded.",
                unknown.refusal(RejectReason.UNKNOWN_SOURCE));
        VmAdmission.Guest noPeer = a.open(null);
        assertEquals(RejectReason.UNKNOWN_SOURCE, noPeer.admit(0));
        assertEquals("?", noPeer.sourceText());
    }

    @Test
    void shouldAnswerInternalErrorWithTheCauseWhenTheDirectoryFails() throws Exception {
        IllegalStateException boom = new IllegalStateException("port table unavailable");
        VmAdmission.Guest g = admission(b -> { }, source -> {
            throw boom;
        }).open(ip(SRC_A));
        assertEquals(RejectReason.INTERNAL_ERROR, g.admit(0));
        assertSame(boom, g.failure());
        assertNull(g.identity());
    }

    @Test
    void shouldRateLimitPerVmAcrossItsConnectionsWithRetryAfterInWholeSeconds() throws Exception {
        VmAdmission a = admission(b -> b.rateLimitPerSecond(0.4).rateLimitBurst(2), DIRECTORY);
        VmAdmission.Guest c1 = a.open(ip(SRC_A));
        VmAdmission.Guest c2 = a.open(ip(SRC_A));
        assertNull(c1.admit(0));
        assertNull(c2.admit(0));
        assertEquals(RejectReason.RATE_LIMITED, c1.admit(0), "the bucket is the VM's, shared by its connections");
        assertEquals(VM_A, c1.identity(), "a rate-limited request is still attributed to its VM");
        assertEquals(3, c1.retryAfterSeconds(), "2.5 s until the next token, rounded up");
        assertEquals("Rate limit exceeded for this VM; retry after 3 s.", c1.refusal(RejectReason.RATE_LIMITED));
        assertNull(a.open(ip(SRC_B)).admit(0), "another VM is not limited by VM A's requests");
        assertNull(c2.admit(3 * SECOND));
        assertEquals(-1, c2.retryAfterSeconds());
    }

    @Test
    void shouldNotRateLimitWhenTheRateIsZero() throws Exception {
        VmAdmission.Guest g = admission(b -> b.rateLimitPerSecond(0).rateLimitBurst(1), DIRECTORY).open(ip(SRC_A));
        for (int i = 0; i < 100; i++) {
            assertNull(g.admit(0));
        }
    }
}
