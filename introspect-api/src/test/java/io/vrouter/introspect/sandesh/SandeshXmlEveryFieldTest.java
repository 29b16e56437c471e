package io.vrouter.introspect.sandesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.introspect.api.DropStatsResp;
import io.vrouter.introspect.api.FlowMatch;
import io.vrouter.introspect.api.InvalidRequest;
import io.vrouter.introspect.api.ItfResp;
import io.vrouter.introspect.api.KFlowResp;
import io.vrouter.introspect.api.LinkLocalFlowInfoResp;
import io.vrouter.introspect.api.LinkLocalServiceResponse;
import io.vrouter.introspect.api.MetadataResponse;
import io.vrouter.introspect.api.MetadataTraceResp;
import io.vrouter.introspect.api.NodeStatusUVE;
import io.vrouter.introspect.api.NotFound;
import io.vrouter.introspect.api.SandeshUVECacheResp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.thrift.TBase;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.meta_data.FieldMetaData;
import org.apache.thrift.meta_data.FieldValueMetaData;
import org.apache.thrift.meta_data.ListMetaData;
import org.apache.thrift.meta_data.MapMetaData;
import org.apache.thrift.meta_data.SetMetaData;
import org.apache.thrift.meta_data.StructMetaData;
import org.apache.thrift.protocol.TType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;

/**
 * Every struct of introspect.thrift, every field set (driven by the generated metadata, so a field
 * added to the IDL is covered without touching this test), written as Sandesh XML, parsed by a real
 * parser and compared field by field: element name, {@code type}, {@code identifier}, value;
 * nested structs, lists and maps recursively.
 */
class SandeshXmlEveryFieldTest {

    static Stream<Class<? extends TBase<?, ?>>> roots() {
        return Stream.of(ItfResp.class, KFlowResp.class, LinkLocalFlowInfoResp.class, DropStatsResp.class,
                LinkLocalServiceResponse.class, MetadataResponse.class, MetadataTraceResp.class,
                NodeStatusUVE.class, SandeshUVECacheResp.class, FlowMatch.class, NotFound.class, InvalidRequest.class);
    }

    @ParameterizedTest
    @MethodSource("roots")
    void everyFieldShouldBeWrittenWithItsTypeIdAndValue(Class<? extends TBase<?, ?>> type) throws Exception {
        TBase<?, ?> root = newFilled(type, new int[] {1});
        String xml = SandeshXml.response(root, false);

        Element element = Xml.parse(xml).getDocumentElement();

        assertEquals("sandesh", element.getAttribute("type"));
        Element more = Xml.only(element, "more");
        assertEquals("bool", more.getAttribute("type"));
        assertEquals("0", more.getAttribute("identifier"));
        assertEquals("false", more.getTextContent());
        assertStruct(element, root, true);
    }

    // --- filling ---

    @SuppressWarnings({"unchecked", "rawtypes"})
    static TBase<?, ?> newFilled(Class<?> type, int[] counter) throws Exception {
        TBase struct = (TBase) type.getDeclaredConstructor().newInstance();
        for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> e : metaData(type).entrySet()) {
            struct.setFieldValue(e.getKey(), value(e.getValue().valueMetaData, counter));
        }
        return struct;
    }

    static Map<? extends TFieldIdEnum, FieldMetaData> metaData(Class<?> type) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<? extends TFieldIdEnum, FieldMetaData> map = FieldMetaData.getStructMetaDataMap((Class) type);
        return map;
    }

    static Object value(FieldValueMetaData meta, int[] counter) throws Exception {
        int n = counter[0]++;
        switch (meta.type) {
            case TType.BOOL:
                return n % 2 == 0;
            case TType.BYTE:
                return (byte) (n % 100);
            case TType.I16:
                return (short) -n;
            case TType.I32:
                return n * 1000 + 1;
            case TType.I64:
                return n * 10_000_000_000L + 7;
            case TType.DOUBLE:
                return n + 0.5;
            case TType.STRING:
                return "v" + n + " <&'\">";
            case TType.STRUCT:
                return newFilled(((StructMetaData) meta).structClass, counter);
            case TType.LIST: {
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    list.add(value(((ListMetaData) meta).elemMetaData, counter));
                }
                return list;
            }
            case TType.SET: {
                LinkedHashSet<Object> set = new LinkedHashSet<>();
                for (int i = 0; i < 2; i++) {
                    set.add(value(((SetMetaData) meta).elemMetaData, counter));
                }
                return set;
            }
            case TType.MAP: {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < 2; i++) {
                    map.put(value(((MapMetaData) meta).keyMetaData, counter), value(((MapMetaData) meta).valueMetaData, counter));
                }
                return map;
            }
            default:
                throw new AssertionError("no filler for type " + meta.type);
        }
    }

    // --- checking ---

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void assertStruct(Element element, TBase struct, boolean root) {
        assertEquals(struct.getClass().getSimpleName(), element.getTagName());
        Map<? extends TFieldIdEnum, FieldMetaData> meta = metaData(struct.getClass());
        // every child is a field of the struct (plus the root's more), in field-id order
        assertEquals(meta.size() + (root ? 1 : 0), Xml.children(element).size(), "fields of " + element.getTagName());
        for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> e : meta.entrySet()) {
            TFieldIdEnum id = e.getKey();
            Element field = Xml.only(element, id.getFieldName());
            FieldValueMetaData value = e.getValue().valueMetaData;
            String contrailType = SandeshXml.CONTRAIL_FIELD_ATTRIBUTES
                    .getOrDefault(element.getTagName() + "." + id.getFieldName(), Map.of()).get("type");
            assertEquals(contrailType != null ? contrailType : SandeshXmlProtocol.typeName(value.type),
                    field.getAttribute("type"), id.getFieldName());
            assertEquals(Short.toString(id.getThriftFieldId()), field.getAttribute("identifier"), id.getFieldName());
            assertValue(field, value, struct.getFieldValue(id));
        }
    }

    static void assertValue(Element holder, FieldValueMetaData meta, Object value) {
        switch (meta.type) {
            case TType.STRUCT -> {
                List<Element> children = Xml.children(holder);
                assertEquals(1, children.size());
                assertStruct(children.get(0), (TBase<?, ?>) value, false);
            }
            case TType.LIST, TType.SET -> {
                FieldValueMetaData elem = meta.type == TType.LIST
                        ? ((ListMetaData) meta).elemMetaData : ((SetMetaData) meta).elemMetaData;
                String tag = meta.type == TType.LIST ? "list" : "set";
                Element container = Xml.only(holder, tag);
                Iterable<?> values = (Iterable<?>) value;
                List<Element> items = Xml.children(container);
                assertEquals(Integer.toString(items.size()), container.getAttribute("size"));
                assertEquals(SandeshXmlProtocol.typeName(elem.type), container.getAttribute("type"));
                Iterator<Element> it = items.iterator();
                for (Object v : values) {
                    assertItem(it.next(), elem, v);
                }
                assertTrue(!it.hasNext());
            }
            case TType.MAP -> {
                MapMetaData map = (MapMetaData) meta;
                Element container = Xml.only(holder, "map");
                assertEquals(SandeshXmlProtocol.typeName(map.keyMetaData.type), container.getAttribute("key"));
                assertEquals(SandeshXmlProtocol.typeName(map.valueMetaData.type), container.getAttribute("value"));
                Map<?, ?> values = (Map<?, ?>) value;
                assertEquals(Integer.toString(values.size()), container.getAttribute("size"));
                List<Element> items = Xml.children(container);
                assertEquals(2 * values.size(), items.size());
                int i = 0;
                for (Map.Entry<?, ?> e : values.entrySet()) {
                    assertItem(items.get(i++), map.keyMetaData, e.getKey());
                    assertItem(items.get(i++), map.valueMetaData, e.getValue());
                }
            }
            default -> {
                assertTrue(Xml.children(holder).isEmpty(), "a scalar has no child elements");
                assertEquals(String.valueOf(value), holder.getTextContent());
            }
        }
    }

    /** A container item: a scalar inside {@code <element>}, a struct or container as itself. */
    static void assertItem(Element item, FieldValueMetaData meta, Object value) {
        switch (meta.type) {
            case TType.STRUCT -> assertStruct(item, (TBase<?, ?>) value, false);
            case TType.LIST, TType.SET, TType.MAP -> throw new AssertionError("nested containers are not in the IDL");
            default -> {
                assertEquals("element", item.getTagName());
                assertValue(item, meta, value);
            }
        }
    }
}
