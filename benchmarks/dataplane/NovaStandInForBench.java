import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.StandInInstance;
import java.io.File;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * The nova stand-in (linklocal test sources) for benchmarks/dataplane/run.sh, run as a
 * single-file program: {@code java -cp <stand-in classpath> NovaStandInForBench.java PORT SECRET
 * INSTANCES_JSON}. It is NovaMetadataStandInMain plus one thing: the stand-in records every
 * request (for tests), which a benchmark's millions of requests would turn into an
 * OutOfMemoryError, so the record is cleared every second.
 */
public final class NovaStandInForBench {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: NovaStandInForBench PORT SECRET INSTANCES_JSON");
            System.exit(2);
        }
        NovaMetadataStandIn nova = new NovaMetadataStandIn(args[1]);
        for (JsonNode n : new ObjectMapper().readTree(new File(args[2]))) {
            nova.addInstance(StandInInstance.of(n.get("uuid").asText(), n.get("project_id").asText(),
                    n.get("hostname").asText()));
        }
        System.out.println("nova metadata stand-in (bench) listening on "
                + nova.start(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
        Runtime.getRuntime().addShutdownHook(new Thread(nova::close));
        while (true) {
            TimeUnit.SECONDS.sleep(1);
            nova.clearRequests();
        }
    }
}
