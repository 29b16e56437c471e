package io.vrouter.cli;

import io.vrouter.introspect.api.Introspect;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * A Thrift server on loopback (port from the OS) answering the CLIs as the agent would, with the
 * answers a test gives per method name; a method without one fails as an agent bug would.
 */
final class FakeAgent implements AutoCloseable {
    /** An answer: the method's arguments in, its result (or a Thrift exception to throw) out. */
    @FunctionalInterface
    interface Answer {
        Object answer(Object[] args) throws Exception;
    }

    private final ServerSocket socket;
    private final TServer server;
    private final Thread thread;

    FakeAgent(Map<String, Answer> answers) throws Exception {
        Introspect.Iface iface = (Introspect.Iface) Proxy.newProxyInstance(Introspect.Iface.class.getClassLoader(),
                new Class<?>[] {Introspect.Iface.class}, (p, m, args) -> {
                    Answer a = answers.get(m.getName());
                    if (a == null) {
                        throw new IllegalStateException("no answer for " + m.getName());
                    }
                    return a.answer(args);
                });
        socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        server = new TThreadPoolServer(new TThreadPoolServer.Args(
                new TServerSocket(new TServerSocket.ServerSocketTransportArgs().serverSocket(socket)))
                .processor(new Introspect.Processor<>(iface))
                .transportFactory(new TFramedTransport.Factory())
                .protocolFactory(new TBinaryProtocol.Factory())
                .stopTimeoutVal(1).stopTimeoutUnit(TimeUnit.SECONDS));
        thread = new Thread(server::serve, "fake-agent");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        socket.close();
        thread.join(5000);
    }
}
