package io.vrouter.agent.dataplane.io;

/** An interface could not be opened for packet I/O; the message names the interface and why. */
public class PacketIoException extends RuntimeException {
    public PacketIoException(String message, Throwable cause) {
        super(message, cause);
    }

    public PacketIoException(String message) {
        super(message);
    }
}
