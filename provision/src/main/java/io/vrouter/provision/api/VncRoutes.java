package io.vrouter.provision.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.linklocal.config.VersionedConfig;
import io.vrouter.plumbing.config.ConfigValues;
import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.http.Request;
import io.vrouter.plumbing.http.Response;
import io.vrouter.provision.auth.Principal;
import io.vrouter.provision.store.ConfigStore;
import io.vrouter.provision.store.StoreException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes an existing VNC API client ({@code vnc_api}, Contrail's scripts and UI) needs
 * besides read and update: the home page it reads at connect, the list with its query
 * parameters, create, and the two name/id actions. Shapes follow Contrail's api-server:
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>GET /</td><td>{@code {"href": root, "links": [{"link": {"rel", "href", "name", "method"}}]}}:
 *       collection {@code /global-vrouter-configs}, resource-base {@code /global-vrouter-config},
 *       actions {@code name-to-id} ({@code /fqname-to-id}) and {@code id-to-name} ({@code /id-to-fqname});
 *       {@code vnc_api} strips {@code href} from each link to get its URIs</td></tr>
 *   <tr><td>GET /global-vrouter-configs</td><td>{@code detail}, {@code count} (Python's {@code True}/{@code False}
 *       or any of the plumbing's booleans), filters {@code obj_uuids}, {@code fq_names}, {@code parent_fq_name_str}, {@code back_ref_id}; other parameters ({@code fields}, {@code shared},
 *       {@code exclude_hrefs}) change nothing for this object</td></tr>
 *   <tr><td>POST /global-vrouter-configs</td><td>creates the object when the store holds none; the one
 *       object already existing is 409, as in Contrail (whose api-server also creates it at start),
 *       which {@code provision_linklocal.py} answers with read and update</td></tr>
 *   <tr><td>POST /id-to-fqname</td><td>{@code {"uuid"}} → {@code {"fq_name", "type"}}; 404 when unknown</td></tr>
 * </table>
 */
final class VncRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(VncRoutes.class);
    static final String ID_TO_FQNAME_PATH = "/id-to-fqname";
    private static final String TYPE = ConfigApiHandler.TYPE;
    private static final String PARENT_TYPE = "global-system-config";

    /** The object in force (and the hub told), or a StoreException. */
    interface Current {
        VersionedConfig get() throws StoreException;
    }

    private final ConfigStore store;
    private final Current current;
    private final Function<Request, String> root;

    VncRoutes(ConfigStore store, Current current, Function<Request, String> root) {
        this.store = store;
        this.current = current;
        this.root = root;
    }

    Response home(Request req) {
        String base = root.apply(req);
        ObjectNode body = ConfigApiHandler.JSON.createObjectNode();
        body.put("href", base);
        ArrayNode links = body.putArray("links");
        link(links, "collection", base, ConfigApiHandler.LIST_PATH, TYPE, null);
        link(links, "resource-base", base, "/" + TYPE, TYPE, null);
        link(links, "action", base, ConfigApiHandler.FQNAME_PATH, "name-to-id", "POST");
        link(links, "action", base, ID_TO_FQNAME_PATH, "id-to-name", "POST");
        return Response.ok(body);
    }

    private static void link(ArrayNode links, String rel, String base, String uri, String name, String method) {
        ObjectNode l = links.addObject().putObject("link");
        l.put("rel", rel);
        l.put("href", base + uri);
        l.put("name", name);
        if (method == null) {
            l.putNull("method");
        } else {
            l.put("method", method);
        }
    }

    Response list(Request req) throws HttpError, StoreException {
        VersionedConfig v = current.get();
        GlobalVrouterConfig c = v.config();
        boolean detail = flag(req, "detail");
        boolean count = flag(req, "count");
        boolean match = listed(req, "obj_uuids", c.uuid())
                && listed(req, "back_ref_id", "")
                && listed(req, "fq_names", String.join(":", c.fqName()))
                && listed(req, "parent_fq_name_str", c.fqName().get(0));
        ObjectNode body = ConfigApiHandler.JSON.createObjectNode();
        if (count) {
            body.putObject(TYPE + "s").put("count", match ? 1 : 0);
            return Response.ok(body);
        }
        ArrayNode items = body.putArray(TYPE + "s");
        if (!match) {
            return Response.ok(body);
        }
        String href = root.apply(req) + ConfigApiHandler.OBJECT_PREFIX + c.uuid();
        if (detail) {
            ObjectNode obj = LinkLocalJson.mapper().valueToTree(c);
            obj.put("href", href);
            items.addObject().set(TYPE, obj);
        } else {
            ObjectNode item = items.addObject();
            item.put("href", href);
            item.set("fq_name", ConfigApiHandler.JSON.valueToTree(c.fqName()));
            item.put("uuid", c.uuid());
        }
        return Response.ok(body);
    }

    /**
     * A filter parameter: absent passes; else the comma list must contain {@code value}
     * ({@code parent_id} is not checked: the one parent is the global-system-config, which this
     * API does not serve).
     */
    private static boolean listed(Request req, String name, String value) {
        List<String> given = req.query().get(name);
        if (given == null || given.isEmpty()) {
            return true;
        }
        return given.stream().flatMap(s -> Arrays.stream(s.split(","))).anyMatch(value::equals);
    }

    private static boolean flag(Request req, String name) throws HttpError {
        List<String> given = req.query().get(name);
        if (given == null || given.isEmpty()) {
            return false;
        }
        try {
            return ConfigValues.bool("parameter " + name, given.get(given.size() - 1));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage()).field(name, "is not a boolean");
        }
    }

    Response create(Request req) throws HttpError, StoreException {
        Principal who = ConfigApiHandler.requireWriter(req);
        ObjectNode obj = ConfigApiHandler.objectBody(req);
        JsonNode parent = obj.remove("parent_type");
        if (parent != null && !(parent.isTextual() && parent.asText().equals(PARENT_TYPE))) {
            throw HttpError.badField("parent_type", "must be " + PARENT_TYPE + ", got " + parent);
        }
        obj.remove("parent_uuid");
        obj.remove("name");
        JsonNode fq = obj.get("fq_name");
        if (fq != null && !fq.equals(ConfigApiHandler.JSON.valueToTree(GlobalVrouterConfig.DEFAULT_FQ_NAME))) {
            throw HttpError.badField("fq_name", "this API serves the one " + TYPE + " "
                    + GlobalVrouterConfig.DEFAULT_FQ_NAME + ", not " + fq);
        }
        if (!obj.hasNonNull("uuid")) {
            obj.put("uuid", UUID.randomUUID().toString());
        }
        GlobalVrouterConfig wanted = ConfigApiHandler.parse(obj);
        VersionedConfig stored = store.createIfAbsent(wanted);
        GlobalVrouterConfig c = stored.config();
        if (!c.uuid().equals(wanted.uuid())) {
            throw new HttpError(409, TYPE + " " + c.fqName() + " already exists with uuid " + c.uuid()
                    + "; read it and update it (PUT " + ConfigApiHandler.OBJECT_PREFIX + c.uuid() + ")");
        }
        current.get();
        LOG.info("create by {} from {}: {} {} at revision {}", who.user(), req.remoteAddress(), TYPE, c.uuid(),
                stored.revision());
        ObjectNode inner = ConfigApiHandler.JSON.createObjectNode();
        inner.set("fq_name", ConfigApiHandler.JSON.valueToTree(c.fqName()));
        inner.put("uuid", c.uuid());
        inner.put("parent_type", PARENT_TYPE);
        inner.put("name", c.fqName().get(c.fqName().size() - 1));
        inner.put("href", root.apply(req) + ConfigApiHandler.OBJECT_PREFIX + c.uuid());
        ObjectNode out = ConfigApiHandler.JSON.createObjectNode();
        out.set(TYPE, inner);
        return Response.ok(out).withHeader("ETag", ConfigApiHandler.etag(stored.revision()));
    }

    Response idToFqname(Request req) throws HttpError, StoreException {
        JsonNode id = req.jsonObject().get("uuid");
        if (id == null || !id.isTextual()) {
            throw HttpError.badField("uuid", "is required and must be a string");
        }
        VersionedConfig v = current.get();
        if (!v.config().uuid().equals(id.asText())) {
            throw new HttpError(404, "no object with uuid " + id.asText());
        }
        ObjectNode out = ConfigApiHandler.JSON.createObjectNode();
        out.set("fq_name", ConfigApiHandler.JSON.valueToTree(v.config().fqName()));
        out.put("type", TYPE);
        return Response.ok(out);
    }
}
