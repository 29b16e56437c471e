package io.vrouter.agent.introspect.service;

import io.vrouter.introspect.api.Introspect;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code Introspect} service on a local TCP port, framed transport, binary protocol: what the
 * vif/flow/dropstats/linklocal/mdtrace CLIs call ({@code [DEFAULT] thrift_server_port}).
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>what</th><th>value</th><th>beyond it</th></tr>
 *   <tr><td>request frame</td><td>{@value #MAX_FRAME_BYTES} bytes (requests are a few bytes)</td>
 *       <td>the connection is closed</td></tr>
 *   <tr><td>connections served at once</td><td>{@value #MAX_WORKERS}</td><td>refused (closed)</td></tr>
 *   <tr><td>a client silent for</td><td>{@value #CLIENT_TIMEOUT_MS} ms</td><td>its connection is closed</td></tr>
 * </table>
 * Threads: {@code introspect-thrift} accepts, {@code introspect-thrift-N} serve one connection each.
 */
public final class IntrospectThriftServer implements AutoCloseable {
    public static final int MAX_FRAME_BYTES = 64 * 1024;
    public static final int MAX_WORKERS = 4;
    public static final int CLIENT_TIMEOUT_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(IntrospectThriftServer.class);

    private final TServer server;
    private final ServerSocket socket;
    private final Thread acceptor;

    private IntrospectThriftServer(TServer server, ServerSocket socket) {
        this.server = server;
        this.socket = socket;
        this.acceptor = new Thread(server::serve, "introspect-thrift");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds {@code bind} (port 0: any free port) and starts serving {@code service}.
     *
     * @throws IOException when the address cannot be bound
     */
    public static IntrospectThriftServer start(InetSocketAddress bind, Introspect.Iface service) throws IOException {
        ServerSocket ss = new ServerSocket();
        try {
            ss.setReuseAddress(true);
            ss.bind(bind, 16);
        } catch (IOException e) {
            ss.close();
            throw new IOException("introspect Thrift port cannot listen on " + bind + ": " + e.getMessage(), e);
        }
        TServerSocket transport;
        try {
            transport = new TServerSocket(new TServerSocket.ServerSocketTransportArgs().serverSocket(ss)
                    .clientTimeout(CLIENT_TIMEOUT_MS));
        } catch (TTransportException e) {
            ss.close();
            throw new IOException(e.getMessage(), e);
        }
        AtomicInteger seq = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(0, MAX_WORKERS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "introspect-thrift-" + seq.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        TServer server = new TThreadPoolServer(new TThreadPoolServer.Args(transport)
                .processor(new Introspect.Processor<>(service))
                .transportFactory(new TFramedTransport.Factory(MAX_FRAME_BYTES))
                .protocolFactory(new TBinaryProtocol.Factory())
                .executorService(workers)
                .stopTimeoutVal(2)
                .stopTimeoutUnit(TimeUnit.SECONDS));
        IntrospectThriftServer s = new IntrospectThriftServer(server, ss);
        s.acceptor.start();
        LOG.info("introspect Thrift service on {}", s.localAddress());
        return s;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Stops accepting, waits (bounded) for connections being served. Idempotent. */
    @Override
    public void close() {
        server.stop();
        try {
            socket.close();
            acceptor.join(5000);
        } catch (IOException e) {
            LOG.debug("closing the introspect Thrift socket: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
