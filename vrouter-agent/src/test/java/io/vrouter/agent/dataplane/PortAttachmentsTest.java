package io.vrouter.agent.dataplane;

import static io.vrouter.agent.dataplane.TestFrames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.MemoryHostIsolation;
import io.vrouter.agent.dataplane.io.MemoryPacketIo;
import io.vrouter.agent.dataplane.io.PacketIoException;
import io.vrouter.agent.port.VmPort;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The port plumbing's order and clean-up on in-memory packet I/O (no privileges): the capture is
 * open before the port event returns, the port answers before it is isolated, and whatever path
 * a port takes (removed before its attach ran, isolation failing, its interface appearing late,
 * the dataplane stopping) no capture stays open and no isolation stays installed.
 */
@Timeout(30)
class PortAttachmentsTest {
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor();
    /** Every capture the opener made, in order. */
    private final List<MemoryPacketIo> opened = new CopyOnWriteArrayList<>();
    /** Opens fail while this is positive (counting down): the interface does not exist yet. */
    private final AtomicInteger missingOpens = new AtomicInteger();
    private final RecordingIsolation isolation = new RecordingIsolation();
    private Dataplane dp;
    private PortAttachments ports;

    /** The in-memory isolation, able to fail, recording its batches and whether the port answered first. */
    private final class RecordingIsolation extends MemoryHostIsolation {
        final AtomicInteger failures = new AtomicInteger();
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        volatile boolean portAnsweringWhenIsolated;
        /** When set, an isolation counts this down and then waits for {@link #release} (a slow fork). */
        volatile CountDownLatch inside;
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public java.util.Map<String, RuntimeException> isolateAll(java.util.Collection<String> ifNames) {
            batches.add(ifNames.size());
            CountDownLatch in = inside;
            if (in != null) {
                in.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.isolateAll(ifNames);
        }

        @Override
        public void isolate(String ifName) {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("no such device " + ifName);
            }
            portAnsweringWhenIsolated = !dp.stats().ports().isEmpty();
            super.isolate(ifName);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        dp = new Dataplane(DataplaneConfig.builder((Inet4Address) InetAddress.getByName("198.18.0.5"),
                DataplaneTest.KERNEL_MAC).build(), new MemoryPacketIo("vh-dp"), System::nanoTime);
        dp.start();
        ports = new PortAttachments(control, dp, isolation, ifName -> {
            if (missingOpens.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new PacketIoException("cannot open " + ifName + ": no such device");
            }
            MemoryPacketIo io = new MemoryPacketIo(ifName);
            opened.add(io);
            return io;
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        control.shutdownNow();
        control.awaitTermination(5, TimeUnit.SECONDS);
        ports.close();
        dp.close();
    }

    private static VmPort port(int i) throws Exception {
        return DataplaneTest.port("p" + i, i, 0x02_00_00_00_00_00L | i, ip("10.0.0.0") + i);
    }

    /** The control thread's tasks done, the isolation they queued, and what a failed one sent back. */
    private void awaitIdle() throws Exception {
        control.submit(() -> { }).get(10, TimeUnit.SECONDS);
        control.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertTrue(ports.awaitIsolationIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
        control.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    /** Waits until {@code port} answers in the dataplane. */
    private void awaitAnswering(VmPort port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (dp.stats().ports().stream().noneMatch(s -> s.portId().equals(port.id()))) {
            assertTrue(System.nanoTime() < deadline, port.id() + " not handed to the dataplane");
            Thread.sleep(5);
        }
    }

    /** Holds the control thread until the returned latch is counted down. */
    private CountDownLatch blockControl() {
        CountDownLatch release = new CountDownLatch(1);
        control.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }

    private void assertNothingLeft() {
        assertTrue(ports.attached().isEmpty(), "attached " + ports.attached());
        assertTrue(dp.stats().ports().isEmpty(), "the dataplane still has ports");
        assertTrue(isolation.isolated().isEmpty(), "isolated " + isolation.isolated());
        for (MemoryPacketIo io : opened) {
            assertTrue(io.isClosed(), io + " left open");
        }
    }

    @Test
    void theCaptureShouldBeOpenWhenThePortEventReturnsAndThePortShouldAnswerBeforeItIsIsolated() throws Exception {
        CountDownLatch release = blockControl();
        VmPort p = port(1);
        ports.added(p);
        assertEquals(1, opened.size(), "opened on the event's thread, with the control thread busy");
        assertFalse(opened.get(0).isClosed());
        release.countDown();
        awaitIdle();
        assertEquals(Set.of(p.id()), ports.attached().keySet());
        assertEquals(1, opened.size(), "the control thread used the capture opened for the event");
        assertEquals(Set.of("tapp1"), isolation.isolated());
        assertTrue(isolation.portAnsweringWhenIsolated, "handed to the dataplane before the isolation");
    }

    @Test
    void aPortRemovedBeforeItsAttachRanShouldLeaveNoCaptureOpenAndNothingIsolated() throws Exception {
        CountDownLatch release = blockControl();
        for (int i = 1; i <= 5; i++) {
            VmPort p = port(i);
            ports.added(p);
            ports.removed(p);
        }
        release.countDown();
        awaitIdle();
        assertEquals(5, opened.size());
        assertNothingLeft();
    }

    @Test
    void aPortWhoseInterfaceAppearsLaterShouldBeAttachedByARetry() throws Exception {
        missingOpens.set(2); // at the event and at the control thread's first attempt
        VmPort p = port(1);
        ports.added(p);
        assertTrue(opened.isEmpty());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ports.attached().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(Set.of(p.id()), ports.attached().keySet());
        assertEquals(1, opened.size());
        ports.removed(p);
        awaitIdle();
        assertNothingLeft();
    }

    @Test
    void whenIsolationFailsThePortShouldBeDetachedItsCaptureClosedAndRetried() throws Exception {
        isolation.failures.set(1);
        VmPort p = port(1);
        ports.added(p);
        awaitIdle(); // the first attempt: handed off, isolation failed, taken back
        assertTrue(ports.attached().isEmpty());
        assertTrue(dp.stats().ports().isEmpty(), "not left answering without its isolation");
        assertTrue(opened.get(0).isClosed());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ports.attached().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(Set.of(p.id()), ports.attached().keySet(), "attached by the retry");
        assertEquals(2, opened.size(), "the retry opened the interface again");
        assertFalse(opened.get(1).isClosed());
        ports.removed(p);
        awaitIdle();
        assertNothingLeft();
    }

    @Test
    void closeShouldCloseTheCapturesOfEventsTheControlThreadNeverRan() throws Exception {
        blockControl();
        ports.added(port(1));
        ports.added(port(2));
        control.shutdownNow();
        assertTrue(control.awaitTermination(5, TimeUnit.SECONDS));
        ports.close();
        assertEquals(2, opened.size());
        assertTrue(opened.stream().allMatch(MemoryPacketIo::isClosed));
        ports.added(port(3)); // after close: ignored, nothing opened
        assertEquals(2, opened.size());
    }

    @Test
    void plugsDuringAnotherPortsIsolationShouldAnswerAtOnceAndBeIsolatedTogetherAfterIt() throws Exception {
        isolation.inside = new CountDownLatch(1);
        VmPort first = port(1);
        ports.added(first);
        assertTrue(isolation.inside.await(10, TimeUnit.SECONDS), "the first port's isolation started");
        for (int i = 2; i <= 4; i++) {
            VmPort p = port(i);
            ports.added(p);
            awaitAnswering(p); // while the first port's isolation (a slow fork) is still running
        }
        assertTrue(ports.attached().isEmpty(), "none counts as attached before its isolation");
        isolation.release.countDown();
        awaitIdle();
        assertEquals(4, ports.attached().size());
        assertEquals(List.of(1, 3), isolation.batches, "the three made while the fork ran: in the next one");
    }

    @Test
    void aPortRemovedWhileBeingIsolatedShouldEndReleasedAndNotAttached() throws Exception {
        isolation.inside = new CountDownLatch(1);
        VmPort p = port(1);
        ports.added(p);
        assertTrue(isolation.inside.await(10, TimeUnit.SECONDS));
        ports.removed(p);
        control.submit(() -> { }).get(10, TimeUnit.SECONDS); // its detach ran, its release waits behind the isolation
        assertTrue(dp.stats().ports().isEmpty());
        isolation.release.countDown();
        awaitIdle();
        assertNothingLeft();
    }

    @Test
    void portsHandedOffTogetherShouldBeIsolatedInOneBatch() throws Exception {
        CountDownLatch release = blockControl();
        for (int i = 1; i <= 30; i++) {
            ports.added(port(i)); // one POST /port with 30 ports
        }
        release.countDown();
        awaitIdle();
        assertEquals(30, ports.attached().size());
        assertEquals(List.of(30), isolation.batches, "one isolation for the 30 ports");
        assertEquals(30, isolation.isolated().size());
    }
}
