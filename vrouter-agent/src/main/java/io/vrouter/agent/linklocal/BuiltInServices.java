package io.vrouter.agent.linklocal;

import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The default when {@code agent.conf} names no source: the services in {@value #RESOURCE} (metadata → 127.0.0.1:8775). */
public final class BuiltInServices implements LinkLocalSource {
    public static final String RESOURCE = "/io/vrouter/agent/config/linklocal-services.json";

    @Override
    public void start(LinkLocalRegistry registry) throws Exception {
        try (InputStream in = BuiltInServices.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("built-in link-local services " + RESOURCE + " missing from the classpath");
            }
            InitialServices.apply(registry, new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "built-in " + RESOURCE, describe());
        }
    }

    @Override
    public String describe() {
        return "built-in default";
    }

    @Override
    public void close() {
        // nothing follows a resource that cannot change
    }
}
