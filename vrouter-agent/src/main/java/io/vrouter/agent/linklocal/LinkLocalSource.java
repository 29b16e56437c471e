package io.vrouter.agent.linklocal;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.linklocal.registry.LinkLocalRegistry;

/**
 * Where the agent's link-local services come from. The agent starts exactly one source, chosen
 * by {@code agent.conf}'s {@code [LINKLOCAL]} section ({@link #forConfig}):
 *
 * <table>
 *   <caption>Sources</caption>
 *   <tr><th>agent.conf</th><th>source</th><th>start returns once</th></tr>
 *   <tr><td>{@code config_api_url}</td><td>{@link ConfigApiSource}: watch of the config API,
 *       on-disk cache for restarts without the API</td><td>the watch runs (the cache, if any,
 *       is applied by then)</td></tr>
 *   <tr><td>{@code services_file}</td><td>{@link ServicesFileSource}: the file, re-read when it
 *       changes</td><td>the file is in force; an invalid file fails the start</td></tr>
 *   <tr><td>neither</td><td>{@link BuiltInServices}: metadata → 127.0.0.1:8775</td>
 *       <td>the default is in force</td></tr>
 * </table>
 */
public interface LinkLocalSource extends AutoCloseable {

    /** Starts feeding {@code registry}; see the class table for what is in force on return. */
    void start(LinkLocalRegistry registry) throws Exception;

    /** For logs and {@code /stats/linklocal}: {@code built-in default}, {@code file:<path>}, {@code config-api <url>}. */
    String describe();

    /** The source's own counters for {@code /stats/linklocal}, or null when it has none. */
    default Object stats() {
        return null;
    }

    /** Stops following changes; the registry keeps what was applied. */
    @Override
    void close();

    /** The source {@code agent.conf} asks for. */
    static LinkLocalSource forConfig(AgentConfig.LinkLocal ll) {
        if (ll.usesConfigApi()) {
            return new ConfigApiSource(ll);
        }
        if (ll.servicesFile() != null) {
            return new ServicesFileSource(ll.servicesFile());
        }
        return new BuiltInServices();
    }
}
