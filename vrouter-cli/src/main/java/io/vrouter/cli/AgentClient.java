package io.vrouter.cli;

import io.vrouter.introspect.api.Introspect;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * A connection to the agent's Introspect Thrift service (framed transport, binary protocol, the
 * agent's {@code [DEFAULT] thrift_server_port}). One per command run.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><td>connect</td><td>{@value #CONNECT_TIMEOUT_MS} ms</td></tr>
 *   <tr><td>an answer</td><td>{@value #READ_TIMEOUT_MS} ms</td></tr>
 *   <tr><td>an answer's frame</td><td>{@value #MAX_FRAME_BYTES} bytes (a page of 10,000 flows is ~2 MB)</td></tr>
 * </table>
 */
final class AgentClient implements AutoCloseable {
    static final int CONNECT_TIMEOUT_MS = 3000;
    static final int READ_TIMEOUT_MS = 30_000;
    static final int MAX_FRAME_BYTES = 64 * 1024 * 1024;

    private final TFramedTransport transport;
    private final Introspect.Client client;

    private AgentClient(TFramedTransport transport) {
        this.transport = transport;
        this.client = new Introspect.Client(new TBinaryProtocol(transport));
    }

    /**
     * Connects to the agent.
     *
     * @throws AgentUnavailableException naming the address and what to check
     */
    static AgentClient connect(String host, int port) throws AgentUnavailableException {
        TConfiguration conf = TConfiguration.custom().setMaxFrameSize(MAX_FRAME_BYTES)
                .setMaxMessageSize(MAX_FRAME_BYTES).build();
        TSocket socket = null;
        try {
            socket = new TSocket(conf, host, port, READ_TIMEOUT_MS, CONNECT_TIMEOUT_MS);
            TFramedTransport framed = new TFramedTransport(socket, MAX_FRAME_BYTES);
            framed.open();
            return new AgentClient(framed);
        } catch (TTransportException e) {
            if (socket != null) {
                socket.close();
            }
            throw new AgentUnavailableException(host, port, e);
        }
    }

    Introspect.Client agent() {
        return client;
    }

    @Override
    public void close() {
        transport.close();
    }
}
