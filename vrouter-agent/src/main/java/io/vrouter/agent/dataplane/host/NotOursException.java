package io.vrouter.agent.dataplane.host;

/**
 * Host state named like the agent's (an interface, an nft table) exists and does not carry the
 * agent's mark ({@link VhostInterface#MARK} as the interface's alias, {@link NftHostIsolation#MARK}
 * as the table's comment): something else on the node made it, and the agent refuses to delete it.
 * Never a reason to fall back to another mechanism: the operator has to choose another name.
 */
public final class NotOursException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NotOursException(String message) {
        super(message);
    }
}
