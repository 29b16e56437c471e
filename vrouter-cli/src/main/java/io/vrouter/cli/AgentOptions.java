package io.vrouter.cli;

import picocli.CommandLine.Option;

/** Where the agent is: the options every CLI shares. */
final class AgentOptions {
    /** The agent's default {@code [DEFAULT] thrift_server_port}. */
    static final int DEFAULT_PORT = 8098;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address of the agent's introspect Thrift service (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + DEFAULT_PORT,
            description = "Its port: agent.conf [DEFAULT] thrift_server_port (default: ${DEFAULT-VALUE}).")
    int port;
}
