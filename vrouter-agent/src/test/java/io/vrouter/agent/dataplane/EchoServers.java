package io.vrouter.agent.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP and a UDP echo server on the same port of one address (a link-local service entry
 * names one fabric port for both protocols). Replies are prefixed with {@code tag} so a test
 * can tell which server answered.
 */
public final class EchoServers implements AutoCloseable {
    final ServerSocket tcp;
    final DatagramSocket udp;
    public final AtomicInteger tcpConnections = new AtomicInteger();
    final AtomicInteger udpDatagrams = new AtomicInteger();
    private final String tag;

    public EchoServers(InetAddress address, String tag) throws IOException {
        this.tag = tag;
        ServerSocket t = null;
        DatagramSocket u = null;
        for (int i = 0; i < 50 && u == null; i++) {
            t = new ServerSocket();
            t.bind(new InetSocketAddress(address, 0));
            try {
                u = new DatagramSocket(new InetSocketAddress(address, t.getLocalPort()));
            } catch (SocketException taken) {
                t.close();
            }
        }
        if (u == null) {
            throw new IOException("no port free for both TCP and UDP");
        }
        tcp = t;
        udp = u;
        Thread ta = new Thread(this::acceptLoop, "echo-tcp-" + tag);
        ta.setDaemon(true);
        ta.start();
        Thread tu = new Thread(this::udpLoop, "echo-udp-" + tag);
        tu.setDaemon(true);
        tu.start();
    }

    public int port() {
        return tcp.getLocalPort();
    }

    /** The address both servers listen on. */
    public InetAddress address() {
        return tcp.getInetAddress();
    }

    private void acceptLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                tcpConnections.incrementAndGet();
                Thread h = new Thread(() -> echo(s), "echo-conn");
                h.setDaemon(true);
                h.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            out.write((tag + ":").getBytes());
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // connection ended
        }
    }

    private void udpLoop() {
        byte[] buf = new byte[2048];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udpDatagrams.incrementAndGet();
                byte[] prefix = (tag + ":").getBytes();
                byte[] out = new byte[prefix.length + p.getLength()];
                System.arraycopy(prefix, 0, out, 0, prefix.length);
                System.arraycopy(p.getData(), 0, out, prefix.length, p.getLength());
                udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        udp.close();
    }
}
