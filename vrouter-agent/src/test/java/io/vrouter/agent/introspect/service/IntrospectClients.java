package io.vrouter.agent.introspect.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.introspect.api.Introspect;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.thrift.TBase;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.junit.jupiter.api.Assumptions;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import picocli.CommandLine;

/**
 * What the introspect tests share: a Thrift client as the CLIs connect, HTTP GETs of the
 * introspect pages, Sandesh XML parsed with the JDK's parser (so "well-formed" means what any XML
 * tool means), field-by-field comparison of a page's struct with the Thrift answer, the CLIs run
 * in-process with their output captured, and the Prometheus text parsed by the Prometheus
 * project's own parser (python3-prometheus-client).
 */
public final class IntrospectClients {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PYTHON = "/usr/bin/python3";

    private IntrospectClients() {
    }

    /** A connected client; the caller closes the transport through {@link Client#close()}. */
    public record Client(Introspect.Client agent, TFramedTransport transport) implements AutoCloseable {
        @Override
        public void close() {
            transport.close();
        }
    }

    public static Client thrift(InetSocketAddress at) throws Exception {
        TFramedTransport t = new TFramedTransport(new TSocket(at.getHostString(), at.getPort(), 10_000), 64 << 20);
        t.open();
        return new Client(new Introspect.Client(new TBinaryProtocol(t)), t);
    }

    public static HttpResponse<String> get(InetSocketAddress at, String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A Snh_ page: 200, XML content type, the stylesheet instruction, well-formed; its root element. */
    public static Element page(InetSocketAddress at, String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(at, pathAndQuery);
        assertEquals(200, r.statusCode(), pathAndQuery + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/xml"), pathAndQuery);
        assertTrue(r.body().startsWith("<?xml-stylesheet type=\"text/xsl\" href=\"/universal_parse.xsl\"?>"), r.body());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
        return d.getDocumentElement();
    }

    /** Child elements of {@code e} named {@code name}. */
    public static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                out.add(c);
            }
        }
        return out;
    }

    public static Element child(Element e, String name) {
        List<Element> c = children(e, name);
        assertEquals(1, c.size(), "one <" + name + "> in <" + e.getTagName() + ">");
        return c.get(0);
    }

    /** The struct elements of a list field: {@code <field><list type="struct" size=N><S>…}. */
    public static List<Element> listed(Element parent, String field, String struct) {
        Element list = child(child(parent, field), "list");
        List<Element> items = children(list, struct);
        assertEquals(Integer.parseInt(list.getAttribute("size")), items.size(), field + " size attribute");
        return items;
    }

    /**
     * Every field the Thrift struct has set with a scalar value is an element of {@code el} with
     * the same text, its {@code identifier} the Thrift field id: the page and the Thrift answer say
     * the same thing, field by field.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void assertSameScalars(Element el, TBase struct) {
        assertEquals(struct.getClass().getSimpleName(), el.getTagName());
        int compared = 0;
        for (TFieldIdEnum f : (Iterable<TFieldIdEnum>) fields(struct)) {
            if (!struct.isSet(f)) {
                continue;
            }
            Object v = struct.getFieldValue(f);
            if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                Element e = child(el, f.getFieldName());
                assertEquals(Short.toString(f.getThriftFieldId()), e.getAttribute("identifier"), f.getFieldName());
                assertEquals(String.valueOf(v), e.getTextContent(), struct.getClass().getSimpleName() + "." + f.getFieldName());
                compared++;
            }
        }
        assertTrue(compared > 0, "compared no field of " + struct.getClass().getSimpleName());
    }

    private static Iterable<? extends TFieldIdEnum> fields(TBase<?, ?> struct) {
        try {
            Class<?> fieldsEnum = Class.forName(struct.getClass().getName() + "$_Fields");
            List<TFieldIdEnum> out = new ArrayList<>();
            for (Object o : fieldsEnum.getEnumConstants()) {
                out.add((TFieldIdEnum) o);
            }
            return out;
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** Output, errors and exit status of a CLI run in-process. */
    public record CliRun(int status, String out, String err) {
    }

    public static CliRun cli(Object command, InetSocketAddress thrift, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--port", Integer.toString(thrift.getPort())));
        return new CliRun(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    /** One sample of a Prometheus exposition as the Prometheus client's text parser reads it. */
    public record Sample(String name, java.util.Map<String, String> labels, double value) {
    }

    /**
     * Parses {@code text} with {@code prometheus_client.parser.text_string_to_metric_families}
     * (Debian's python3-prometheus-client, installed by scripts/install-deps.sh); skips the test
     * with a WARNING where that parser is not installed.
     */
    public static List<Sample> parsePrometheus(String text, Path dir) throws Exception {
        String script = """
                import json, sys
                from prometheus_client.parser import text_string_to_metric_families
                out = []
                for fam in text_string_to_metric_families(sys.stdin.read()):
                    for s in fam.samples:
                        out.append([s.name, s.labels, s.value])
                print(json.dumps(out))
                """;
        Path py = Files.writeString(dir.resolve("parse_metrics.py"), script);
        if (!Files.isExecutable(Path.of(PYTHON))) {
            System.err.println("WARNING: " + PYTHON + " missing: Prometheus text-format parse skipped");
            Assumptions.abort("no " + PYTHON);
        }
        Process p = new ProcessBuilder(PYTHON, py.toString()).redirectErrorStream(false).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] stdout = p.getInputStream().readAllBytes();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        if (p.exitValue() != 0 && stderr.contains("No module named 'prometheus_client'")) {
            System.err.println("WARNING: python3-prometheus-client missing: Prometheus text-format parse skipped");
            Assumptions.abort("python3-prometheus-client not installed");
        }
        assertEquals(0, p.exitValue(), "the Prometheus parser refused the exposition: " + stderr + "\n" + text);
        List<Sample> out = new ArrayList<>();
        com.fasterxml.jackson.databind.JsonNode arr = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stdout);
        for (com.fasterxml.jackson.databind.JsonNode s : arr) {
            java.util.Map<String, String> labels = new java.util.TreeMap<>();
            s.get(1).fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.add(new Sample(s.get(0).asText(), labels, s.get(2).asDouble()));
        }
        assertNotNull(out);
        return out;
    }

    /** The value of the one sample named {@code name} with exactly these labels. */
    public static double value(List<Sample> samples, String name, String... labelPairs) {
        java.util.Map<String, String> want = new java.util.TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            want.put(labelPairs[i], labelPairs[i + 1]);
        }
        List<Sample> hit = samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(want)).toList();
        assertEquals(1, hit.size(), name + want + " in " + samples);
        return hit.get(0).value();
    }
}
