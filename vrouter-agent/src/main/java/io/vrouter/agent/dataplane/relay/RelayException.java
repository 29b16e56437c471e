package io.vrouter.agent.dataplane.relay;

/** A relay could not be started (its address cannot be bound); the message says which and why. */
public class RelayException extends RuntimeException {
    public RelayException(String message, Throwable cause) {
        super(message, cause);
    }
}
