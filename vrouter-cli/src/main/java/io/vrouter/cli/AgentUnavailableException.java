package io.vrouter.cli;

/** The agent's introspect port could not be reached, or the connection broke. */
final class AgentUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    AgentUnavailableException(String host, int port, Throwable cause) {
        super("cannot reach the vrouter agent's introspect service at " + host + ":" + port + ": "
                + reason(cause) + "\nIs contrail-vrouter-agent running? Its port is [DEFAULT] thrift_server_port in"
                + " agent.conf (default " + AgentOptions.DEFAULT_PORT + "); give another with --port.", cause);
    }

    private static String reason(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
    }
}
