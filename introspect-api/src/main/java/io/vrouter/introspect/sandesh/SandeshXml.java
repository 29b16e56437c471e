package io.vrouter.introspect.sandesh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.transport.TIOStreamTransport;

/**
 * Sandesh introspect pages from Thrift structs, through {@link SandeshXmlProtocol}.
 *
 * <p>A page is what Contrail's {@code SandeshHttp} sends for {@code /Snh_<Request>}
 * (tf-sandesh library/cpp/sandesh_http.cc): the stylesheet instruction
 * {@code <?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>}, then one sandesh; when a
 * request is answered by several sandeshes (a UVE cache listing, a paged response) they are wrapped
 * in {@code <__<First>_list type="slist">…</__<First>_list>}, named after the first one. Contrail
 * writes no {@code <?xml …?>} declaration; neither does this (UTF-8 is XML's default).
 */
public final class SandeshXml {

    /** The processing instruction that opens every page. */
    public static final String STYLESHEET = "<?xml-stylesheet type=\"text/xsl\" href=\"/universal_parse.xsl\"?>";

    /**
     * The Sandesh IDL annotations of Contrail's agent for the fields introspect.thrift shares with
     * it (tf-controller oper/agent.sandesh, kstate/kstate.sandesh): the introspect stylesheet
     * renders {@code link} attributes as links to that request; {@code type} gives back the
     * unsigned type name Contrail declares.
     */
    public static final Map<String, Map<String, String>> CONTRAIL_FIELD_ATTRIBUTES = Map.ofEntries(
            Map.entry("ItfSandeshData.vn_name", Map.of("link", "VnListReq")),
            Map.entry("ItfSandeshData.vm_uuid", Map.of("link", "VmListReq")),
            Map.entry("KFlowResp.flow_handle", Map.of("link", "NextKFlowReq")),
            // Contrail's unsigned types (pkt/pkt.sandesh, sandesh_uve.sandesh); Thrift has none
            Map.entry("LinkLocalFlowInfo.flow_index", Map.of("type", "u32")),
            Map.entry("LinkLocalFlowInfo.protocol", Map.of("type", "u32")),
            Map.entry("LinkLocalFlowInfo.source_port", Map.of("type", "u16")),
            Map.entry("LinkLocalFlowInfo.dest_port", Map.of("type", "u16")),
            Map.entry("SandeshUVECacheResp.returned", Map.of("type", "u32")));

    private SandeshXml() {
    }

    /**
     * A {@code response sandesh}: the struct as the root, closed by Contrail's
     * {@code <more type="bool" identifier="0">} field.
     *
     * @param more true when further sandeshes of the same answer follow on the page
     */
    public static String response(TBase<?, ?> response, boolean more) {
        return write(response, more);
    }

    /** A sandesh without {@code more}: a UVE such as {@code NodeStatusUVE}, or a request echo. */
    public static String sandesh(TBase<?, ?> sandesh) {
        return write(sandesh, null);
    }

    /** A whole page of one response: stylesheet instruction and the sandesh. */
    public static String page(TBase<?, ?> response) {
        return page(List.of(response(response, false)));
    }

    /**
     * A whole page from sandeshes already written by {@link #response} / {@link #sandesh}: one is
     * sent as is, several are wrapped in an {@code slist} named after the first one's element.
     */
    public static String page(List<String> sandeshes) {
        if (sandeshes.isEmpty()) {
            throw new IllegalArgumentException("a page needs at least one sandesh");
        }
        StringBuilder page = new StringBuilder(STYLESHEET);
        if (sandeshes.size() == 1) {
            return page.append(sandeshes.get(0)).toString();
        }
        String first = sandeshes.get(0);
        int end = first.indexOf(' ');
        if (!first.startsWith("<") || end < 2) {
            throw new IllegalArgumentException("not a sandesh element: " + first);
        }
        String listName = "__" + first.substring(1, end) + "_list";
        page.append('<').append(listName).append(" type=\"slist\">");
        sandeshes.forEach(page::append);
        return page.append("</").append(listName).append('>').toString();
    }

    private static String write(TBase<?, ?> struct, Boolean more) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (TIOStreamTransport transport = new TIOStreamTransport(bytes)) {
            SandeshXmlProtocol protocol = new SandeshXmlProtocol(transport, CONTRAIL_FIELD_ATTRIBUTES);
            if (more != null) {
                protocol.setResponseMore(more);
            }
            struct.write(protocol);
        } catch (TException e) {
            // Writing into memory fails only on a struct the generated code refuses (validate()).
            throw new IllegalArgumentException("cannot write " + struct.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
