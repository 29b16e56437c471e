package io.vrouter.linklocal.novastandin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrouter.plumbing.config.ServerTlsOptions;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the nova stand-in standalone (demo, benchmarks):
 * {@code --listen 127.0.0.1 --port 8775 --secret s --instances vms.json}, where vms.json is a
 * list of {@code {"uuid": ..., "project_id": ..., "hostname": ...}}.
 */
@Command(name = "nova-metadata-standin", mixinStandardHelpOptions = true,
        description = "A stand-in for nova's metadata API in proxy mode.")
public final class NovaMetadataStandInMain implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "127.0.0.1", description = "address to listen on")
    String listen;
    @Option(names = "--port", defaultValue = "8775", description = "port (default ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--secret", required = true, description = "metadata_proxy_shared_secret")
    String secret;
    @Option(names = "--instances", required = true, description = "JSON list of {uuid, project_id, hostname}")
    File instances;
    @Mixin
    ServerTlsOptions tls;
    @Option(names = "--gzip", description = "gzip responses when the client accepts gzip")
    boolean gzip;

    public static void main(String[] args) {
        System.exit(new CommandLine(new NovaMetadataStandInMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try {
            tls.check();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        JsonNode list = new ObjectMapper().readTree(instances);
        if (!list.isArray()) {
            throw new IllegalArgumentException(instances + ": expected a JSON list of instances");
        }
        NovaMetadataStandIn nova = tls.enabled() ? NovaMetadataStandIn.withTls(secret, tls.cert().toFile(), tls.key().toFile())
                : new NovaMetadataStandIn(secret);
        for (JsonNode n : list) {
            if (!n.hasNonNull("uuid") || !n.hasNonNull("project_id") || !n.hasNonNull("hostname")) {
                throw new IllegalArgumentException(instances + ": each instance needs uuid, project_id, hostname: " + n);
            }
            nova.addInstance(StandInInstance.of(n.get("uuid").asText(), n.get("project_id").asText(),
                    n.get("hostname").asText()));
        }
        nova.gzip(gzip);
        InetSocketAddress bound = nova.start(InetAddress.getByName(listen), port);
        System.out.println("nova metadata stand-in listening on " + bound);
        Runtime.getRuntime().addShutdownHook(new Thread(nova::close));
        new CountDownLatch(1).await();
        return 0;
    }
}
