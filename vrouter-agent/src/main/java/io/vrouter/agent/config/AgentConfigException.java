package io.vrouter.agent.config;

import java.util.List;

/**
 * {@code agent.conf} was refused. Carries every problem found, each naming section, key and
 * value and saying what is expected, e.g.
 * {@code [METADATA] metadata_proxy_port = "80x": expected an integer 1-65535}.
 */
public final class AgentConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public AgentConfigException(String source, List<String> problems) {
        super(source + ": " + problems.size() + " error(s):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
