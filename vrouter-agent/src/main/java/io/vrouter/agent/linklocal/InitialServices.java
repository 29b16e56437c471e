package io.vrouter.agent.linklocal;

import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.registry.LinkLocalFileSource;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The first config of a file-shaped source: parsed strictly (there is no last good one yet), applied, logged. */
final class InitialServices {
    private static final Logger LOG = LoggerFactory.getLogger(InitialServices.class);
    private static final long APPLY_TIMEOUT_S = 10;

    private InitialServices() {
    }

    /**
     * @param what names the document in the error, e.g. {@code [LINKLOCAL] services_file /etc/x.json}
     * @throws IOException naming {@code what} and every bad field when the document is invalid
     */
    static void apply(LinkLocalRegistry registry, String json, String what, String source)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        LinkLocalServices services;
        try {
            services = LinkLocalFileSource.parse(json);
        } catch (ConfigValidationException e) {
            throw new IOException(what + " is invalid: " + e.getMessage(), e);
        }
        registry.apply(services, source).get(APPLY_TIMEOUT_S, TimeUnit.SECONDS);
        for (LinkLocalServiceEntry entry : services.entries()) {
            LOG.info("link-local service {}", entry);
        }
    }
}
