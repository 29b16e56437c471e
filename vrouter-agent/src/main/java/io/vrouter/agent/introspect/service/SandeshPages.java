package io.vrouter.agent.introspect.service;

import io.vrouter.introspect.FlowMatches;
import io.vrouter.introspect.api.Introspect;
import io.vrouter.introspect.api.InvalidRequest;
import io.vrouter.introspect.api.NodeStatusUVE;
import io.vrouter.introspect.api.NotFound;
import io.vrouter.introspect.api.SandeshUVECacheResp;
import io.vrouter.introspect.sandesh.SandeshXml;
import io.vrouter.introspect.sandesh.XmlText;
import io.vrouter.plumbing.http.Handler;
import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.http.Request;
import io.vrouter.plumbing.http.Response;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.thrift.TException;

/**
 * Contrail's {@code Snh_*} introspect pages on {@code http_server_port}, written by
 * {@link SandeshXml} from the structs {@link Introspect.Iface} answers with, so a page and the
 * Thrift answer the CLIs get are the same data.
 *
 * <table>
 *   <caption>Pages (query parameters as Contrail names them)</caption>
 *   <tr><td>{@code /Snh_ItfReq}</td><td>{@code ItfResp}: every interface</td></tr>
 *   <tr><td>{@code /Snh_KFlowReq?flow_idx=N}</td><td>{@code KFlowResp}: a page of flows from index N
 *       (default 0); {@code flow_handle} links to the next page</td></tr>
 *   <tr><td>{@code /Snh_NextKFlowReq?x=N}</td><td>the same, from the {@code flow_handle} of a page</td></tr>
 *   <tr><td>{@code /Snh_FetchLinkLocalFlowInfo}</td><td>{@code LinkLocalFlowInfoResp}</td></tr>
 *   <tr><td>{@code /Snh_LinkLocalServiceInfo}</td><td>{@code LinkLocalServiceResponse}</td></tr>
 *   <tr><td>{@code /Snh_MetadataInfo}</td><td>{@code MetadataResponse}</td></tr>
 *   <tr><td>{@code /Snh_MetadataTraceReq?vm=X}</td><td>{@code MetadataTraceResp} of a VM (UUID, port
 *       UUID or metadata IP); ours</td></tr>
 *   <tr><td>{@code /Snh_SandeshUVECacheReq?x=NodeStatus}</td><td>the {@code NodeStatusUVE} and a
 *       {@code SandeshUVECacheResp} in one {@code slist} page: what {@code contrail-status} reads; any
 *       other {@code x} answers {@code returned} 0</td></tr>
 *   <tr><td>{@code /index.html}</td><td>these pages as links</td></tr>
 * </table>
 * A bad parameter is a 400, an unknown VM a 404, in the plumbing's one error shape.
 */
public final class SandeshPages {
    static final String XML = "text/xml; charset=utf-8";
    private static final String NODE_STATUS = "NodeStatus";

    private SandeshPages() {
    }

    /** The pages by path, for the introspect server. */
    public static Map<String, Handler> handlers(Introspect.Iface service) {
        Map<String, Handler> h = new LinkedHashMap<>();
        h.put("/Snh_ItfReq", req -> xml(call(() -> SandeshXml.page(service.listInterfaces()))));
        h.put("/Snh_KFlowReq", req -> xml(call(() -> SandeshXml.page(
                service.listFlows(FlowMatches.any(), intParam(req, "flow_idx", 0), 0)))));
        h.put("/Snh_NextKFlowReq", req -> xml(call(() -> SandeshXml.page(
                service.listFlows(FlowMatches.any(), intParam(req, "x", 0), 0)))));
        h.put("/Snh_FetchLinkLocalFlowInfo", req -> xml(call(() -> SandeshXml.page(service.listLinkLocalFlows()))));
        h.put("/Snh_LinkLocalServiceInfo", req -> xml(call(() -> SandeshXml.page(service.linkLocalServices()))));
        h.put("/Snh_MetadataInfo", req -> xml(call(() -> SandeshXml.page(service.metadataInfo()))));
        h.put("/Snh_MetadataTraceReq", req -> xml(call(() -> SandeshXml.page(service.metadataTrace(param(req, "vm"))))));
        h.put("/Snh_SandeshUVECacheReq", req -> xml(call(() -> uveCache(service, param(req, "x")))));
        List<String> pages = List.copyOf(h.keySet());
        h.put("/index.html", req -> new Response(200, Map.of("Content-Type", "text/html; charset=utf-8"),
                index(pages).getBytes(StandardCharsets.UTF_8)));
        return h;
    }

    private static String uveCache(Introspect.Iface service, String type) throws TException {
        if (NODE_STATUS.equals(type)) {
            return SandeshXml.page(List.of(SandeshXml.sandesh(new NodeStatusUVE(service.nodeStatus())),
                    SandeshXml.response(new SandeshUVECacheResp(1), false)));
        }
        return SandeshXml.page(new SandeshUVECacheResp(0));
    }

    private static String index(List<String> pages) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><title>contrail-vrouter-agent introspect"
                + "</title></head><body>\n<h1>contrail-vrouter-agent</h1>\n<ul>\n");
        for (String p : pages) {
            String href = p.equals("/Snh_SandeshUVECacheReq") ? p + "?x=NodeStatus" : p;
            sb.append("<li><a href=\"");
            XmlText.appendAttribute(sb, href);
            sb.append("\">").append(XmlText.text(p.substring(1))).append("</a></li>\n");
        }
        return sb.append("<li><a href=\"/metrics\">metrics</a></li>\n<li><a href=\"/\">JSON pages</a></li>\n")
                .append("</ul>\n</body></html>\n").toString();
    }

    private static Response xml(String page) {
        return new Response(200, Map.of("Content-Type", XML), page.getBytes(StandardCharsets.UTF_8));
    }

    /** A page body that may throw the service's exceptions, answered as 400 / 404. */
    @FunctionalInterface
    private interface Page {
        String get() throws TException, HttpError;
    }

    private static String call(Page page) throws HttpError {
        try {
            return page.get();
        } catch (NotFound e) {
            throw new HttpError(404, e.getMessage());
        } catch (InvalidRequest e) {
            throw new HttpError(400, e.getMessage());
        } catch (TException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String param(Request req, String name) {
        List<String> v = req.query().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static int intParam(Request req, String name, int absent) throws HttpError {
        String v = param(req, name);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new HttpError(400, name + " must be a flow index, got '" + (v.length() > 32 ? v.substring(0, 32) + "..." : v) + "'");
        }
    }
}
