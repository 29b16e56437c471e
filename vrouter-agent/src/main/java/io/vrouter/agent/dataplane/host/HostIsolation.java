package io.vrouter.agent.dataplane.host;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the host kernel from processing frames that arrive on the dataplane's interfaces (guest
 * host ends, the vhost agent end): an ingress drop hook per interface. Packet taps (AF_PACKET,
 * libpcap) see a frame before the ingress hooks run, so the dataplane still captures everything
 * while the kernel never routes, answers ARP for, or delivers a guest's frame.
 *
 * <p>Implementations: {@link NftHostIsolation} (one nftables {@code netdev} table per agent,
 * recreated at start so a SIGKILLed agent's leftovers never block the next start),
 * {@link TcHostIsolation} (tc {@code clsact} + {@code matchall drop}, the fallback when nftables
 * netdev hooks are unavailable), {@link TcLinkLocalDiversion} (shared port mode: link-local
 * frames only), {@link #none()} ({@link MemoryHostIsolation}) for in-memory tests.
 *
 * <p>Thread-safe; called on control paths only (start, port add/remove, stop).
 */
public interface HostIsolation extends AutoCloseable {
    /** {@code nft}, {@code tc}, {@code tc-linklocal} or {@code none}. */
    String mechanism();

    /**
     * Installs the ingress drop on {@code ifName}; idempotent.
     *
     * @throws HostCommand.HostCommandException when the tool fails (e.g. the interface is gone)
     */
    void isolate(String ifName);

    /**
     * {@link #isolate} for each of {@code ifNames}; an implementation may do it with one command
     * (a plug of many ports forks once, not once per port). One interface failing does not keep
     * the others from being isolated.
     *
     * @return the interfaces that could not be isolated, each with why; empty when all were
     */
    default Map<String, RuntimeException> isolateAll(Collection<String> ifNames) {
        Map<String, RuntimeException> failed = new LinkedHashMap<>();
        for (String ifName : ifNames) {
            try {
                isolate(ifName);
            } catch (RuntimeException e) {
                failed.put(ifName, e);
            }
        }
        return failed;
    }

    /** Removes the drop from {@code ifName}; no error when it or the interface is already gone. */
    void release(String ifName);

    /** Interfaces currently isolated. */
    Set<String> isolated();

    /** Removes every drop this instance installed (and for nft, the agent's table). */
    @Override
    void close();

    /**
     * nftables when its {@code netdev} family works here, else tc; the probe is the real start of
     * the nft mechanism (its table is created and flushed).
     *
     * @param agentName names the nft table; letters, digits and '_' only
     * @throws NotOursException when a table of that name exists and is not an agent's (no
     *                          fallback then: tc would isolate beside a table that is not ours)
     */
    static HostIsolation detect(String agentName) {
        try {
            return NftHostIsolation.start(agentName);
        } catch (NotOursException e) {
            throw e;
        } catch (RuntimeException nftFailure) {
            org.slf4j.LoggerFactory.getLogger(HostIsolation.class).warn(
                    "nftables netdev ingress unavailable ({}); falling back to tc matchall drop",
                    nftFailure.getMessage());
            return new TcHostIsolation();
        }
    }

    /** No isolation: for the in-memory dataplane, where no kernel sees the frames. */
    static HostIsolation none() {
        return new MemoryHostIsolation();
    }
}
