package io.vrouter.agent.netns;

import io.vrouter.agent.dataplane.io.PcapSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link NetnsHarness} per test, closed after it even when it fails; the class is
 * skipped, loudly, where namespaces (or libpcap, when asked for) are unavailable. Use as
 * {@code @RegisterExtension static final NetnsExtension NETNS = NetnsExtension.withPcap();}.
 */
public final class NetnsExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {
    private final boolean pcap;
    private NetnsHarness harness;

    private NetnsExtension(boolean pcap) {
        this.pcap = pcap;
    }

    /** Namespaces only. */
    public static NetnsExtension namespaces() {
        return new NetnsExtension(false);
    }

    /** Namespaces and libpcap. */
    public static NetnsExtension withPcap() {
        return new NetnsExtension(true);
    }

    /** The current test's harness. */
    public NetnsHarness harness() {
        return harness;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        NetnsHarness.assumeAvailable();
        if (pcap && !PcapSupport.isAvailable()) {
            System.err.println("WARNING: libpcap unavailable, pcap test SKIPPED: " + PcapSupport.unavailabilityCause());
            Assumptions.abort("libpcap unavailable: " + PcapSupport.unavailabilityCause());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        harness = NetnsHarness.create();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (harness != null) {
            harness.close();
            harness = null;
        }
    }
}
