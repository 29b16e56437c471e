package io.vrouter.introspect.sandesh;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TTransport;

/**
 * Writes a Thrift struct as Sandesh's introspect XML: the bytes Contrail's {@code Snh_*} pages
 * carry, so operators' scripts that scrape them keep working. Write-only: every {@code read*}
 * method throws {@link UnsupportedOperationException} (nothing parses Sandesh XML back into
 * structs; the CLIs use the binary protocol).
 *
 * <p>The shape is that of tf-sandesh's C++ {@code TXMLProtocol} (library/cpp/protocol) driven by
 * the Sandesh compiler's generated {@code Write} (compiler/generate/t_cpp_generator.cc), unindented
 * as Contrail serves it:
 * <pre>
 * &lt;ItfResp type="sandesh"&gt;                                  the struct written first (the root)
 *   &lt;itf_list type="list" identifier="1"&gt;                    a field: name, type, id [, attributes]
 *     &lt;list type="struct" size="1"&gt;                          a list: element type and size
 *       &lt;ItfSandeshData&gt;                                    a struct element: its name
 *         &lt;index type="i32" identifier="1"&gt;3&lt;/index&gt;          a scalar field: the value
 *         &lt;fixed_ip4_list type="list" identifier="50"&gt;
 *           &lt;list type="string" size="1"&gt;&lt;element&gt;10.0.0.3&lt;/element&gt;&lt;/list&gt;   scalar elements
 *         &lt;/fixed_ip4_list&gt;
 *       &lt;/ItfSandeshData&gt;
 *     &lt;/list&gt;
 *   &lt;/itf_list&gt;
 *   &lt;more type="bool" identifier="0"&gt;false&lt;/more&gt;              only for a response, see below
 * &lt;/ItfResp&gt;
 * </pre>
 * A map is {@code <map key="string" value="i64" size="N">} followed by key, value, key, value …,
 * each scalar in {@code <element>}, a struct as itself; a set is {@code <set type=".." size="N">}.
 * A struct-typed field holds the struct's element: {@code <data type="struct" identifier="1"><NodeStatus>…}.
 *
 * <table>
 *   <caption>Values</caption>
 *   <tr><th>Thrift type</th><th>type attribute</th><th>text</th></tr>
 *   <tr><td>bool</td><td>bool</td><td>{@code true} / {@code false}</td></tr>
 *   <tr><td>byte, i16, i32, i64</td><td>byte, i16, i32, i64</td><td>decimal</td></tr>
 *   <tr><td>enum</td><td>i32 (generated code writes enums as i32)</td><td>decimal</td></tr>
 *   <tr><td>double</td><td>double</td><td>{@link Double#toString(double)}</td></tr>
 *   <tr><td>string</td><td>string</td><td>escaped by {@link XmlText}</td></tr>
 *   <tr><td>binary</td><td>string</td><td>lower-case hex (Sandesh writes the raw bytes, which
 *       need not be text)</td></tr>
 * </table>
 *
 * <p><b>The root.</b> The first struct written on a fresh protocol is the sandesh itself: its
 * element carries {@code type="sandesh"}. Contrail's compiler appends a {@code bool more} field with
 * id 0 to every {@code response sandesh}; a Thrift struct has no such field, so a caller writing a
 * response calls {@link #setResponseMore(boolean)} first and the protocol writes {@code more} as
 * the root's last field. A UVE ({@code NodeStatusUVE}) has no {@code more}: leave it unset. After
 * the root ends the protocol is ready for the next root (several sandeshes in one page).
 *
 * <p><b>Field attributes.</b> Sandesh IDL annotations such as {@code (link="VnListReq")} or
 * {@code (key="ObjectVRouter")} appear as extra attributes of the field's element, which the
 * introspect stylesheet turns into links. Thrift's Java generator drops annotations, so they are
 * given to the constructor as {@code "Struct.field" -> {attribute -> value}}; see
 * {@link SandeshXml#CONTRAIL_FIELD_ATTRIBUTES}. A {@code type} entry replaces the field's type
 * attribute: Thrift has no unsigned types, so a field Contrail declares {@code u16}/{@code u32}/{@code u64}
 * keeps that name on the page. Attributes are written in the map's iteration order.
 *
 * <p>Not thread-safe; cheap to create, one per page. Output is UTF-8; nothing is sent to the
 * transport before a root struct ends (or {@link #flush()}).
 */
public final class SandeshXmlProtocol extends TProtocol {

    private static final String READ_UNSUPPORTED =
            "SandeshXmlProtocol only writes Sandesh XML; read structs with the binary or compact protocol";

    /** What an open element is, so a scalar knows whether it is a container element. */
    private enum Frame { STRUCT, FIELD, CONTAINER }

    private final Map<String, Map<String, String>> fieldAttributes;
    private final StringBuilder out = new StringBuilder(4096);
    /** Element names to close, parallel to {@link #frames}. */
    private final ArrayDeque<String> names = new ArrayDeque<>();
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private Boolean more;

    /** A protocol writing to {@code transport}, with no field attributes. */
    public SandeshXmlProtocol(TTransport transport) {
        this(transport, Map.of());
    }

    /**
     * @param fieldAttributes extra attributes per field, keyed {@code "Struct.field"} (Sandesh IDL
     *                        annotations); names must be XML names, values are escaped
     */
    public SandeshXmlProtocol(TTransport transport, Map<String, Map<String, String>> fieldAttributes) {
        super(transport);
        this.fieldAttributes = Map.copyOf(fieldAttributes);
    }

    /**
     * Makes the next root a {@code response sandesh}: a {@code <more type="bool" identifier="0">}
     * field with this value closes it. Applies to one root only.
     */
    public void setResponseMore(boolean more) {
        this.more = more;
    }

    /** The Sandesh type name of a Thrift type, as the {@code type}, {@code key}, {@code value} attributes carry it. */
    public static String typeName(byte type) {
        return switch (type) {
            case TType.BOOL -> "bool";
            case TType.BYTE -> "byte";
            case TType.I16 -> "i16";
            case TType.I32, TType.ENUM -> "i32";
            case TType.I64 -> "i64";
            case TType.DOUBLE -> "double";
            case TType.STRING -> "string";
            case TType.STRUCT -> "struct";
            case TType.MAP -> "map";
            case TType.SET -> "set";
            case TType.LIST -> "list";
            default -> throw new IllegalArgumentException("no Sandesh type for Thrift type " + type);
        };
    }

    // --- messages: Sandesh XML has no envelope (its TXMLProtocol writes nothing either) ---

    @Override
    public void writeMessageBegin(TMessage message) {
    }

    @Override
    public void writeMessageEnd() {
    }

    // --- structs and fields ---

    @Override
    public void writeStructBegin(TStruct struct) {
        out.append('<').append(struct.name);
        if (frames.isEmpty()) {
            out.append(" type=\"sandesh\"");
        }
        out.append('>');
        push(Frame.STRUCT, struct.name);
    }

    @Override
    public void writeStructEnd() throws TException {
        String name = pop(Frame.STRUCT);
        if (frames.isEmpty() && more != null) {
            out.append("<more type=\"bool\" identifier=\"0\">").append(more).append("</more>");
            more = null;
        }
        out.append("</").append(name).append('>');
        if (frames.isEmpty()) {
            flush();
        }
    }

    @Override
    public void writeFieldBegin(TField field) {
        Map<String, String> attributes = fieldAttributes.getOrDefault(names.peek() + "." + field.name, Map.of());
        out.append('<').append(field.name).append(" type=\"");
        XmlText.appendAttribute(out, attributes.getOrDefault("type", typeName(field.type)));
        out.append("\" identifier=\"").append(field.id).append('"');
        attributes.forEach((k, v) -> {
            if (!k.equals("type")) {
                out.append(' ').append(k).append("=\"");
                XmlText.appendAttribute(out, v);
                out.append('"');
            }
        });
        out.append('>');
        push(Frame.FIELD, field.name);
    }

    @Override
    public void writeFieldEnd() {
        out.append("</").append(pop(Frame.FIELD)).append('>');
    }

    @Override
    public void writeFieldStop() {
    }

    // --- containers ---

    @Override
    public void writeMapBegin(TMap map) {
        out.append("<map key=\"").append(typeName(map.keyType))
                .append("\" value=\"").append(typeName(map.valueType))
                .append("\" size=\"").append(map.size).append("\">");
        push(Frame.CONTAINER, "map");
    }

    @Override
    public void writeMapEnd() {
        closeContainer();
    }

    @Override
    public void writeListBegin(TList list) {
        openContainer("list", list.elemType, list.size);
    }

    @Override
    public void writeListEnd() {
        closeContainer();
    }

    @Override
    public void writeSetBegin(TSet set) {
        openContainer("set", set.elemType, set.size);
    }

    @Override
    public void writeSetEnd() {
        closeContainer();
    }

    /** {@code <list type="struct" size="2">}: Sandesh's element header for lists and sets. */
    private void openContainer(String tag, byte elemType, int size) {
        out.append('<').append(tag).append(" type=\"").append(typeName(elemType))
                .append("\" size=\"").append(size).append("\">");
        push(Frame.CONTAINER, tag);
    }

    private void closeContainer() {
        out.append("</").append(pop(Frame.CONTAINER)).append('>');
    }

    // --- scalars: plain text in a field, wrapped in <element> inside a container ---

    @Override
    public void writeBool(boolean b) {
        scalar(b ? "true" : "false");
    }

    @Override
    public void writeByte(byte b) {
        scalar(Byte.toString(b));
    }

    @Override
    public void writeI16(short i16) {
        scalar(Short.toString(i16));
    }

    @Override
    public void writeI32(int i32) {
        scalar(Integer.toString(i32));
    }

    @Override
    public void writeI64(long i64) {
        scalar(Long.toString(i64));
    }

    @Override
    public void writeDouble(double dub) {
        scalar(Double.toString(dub));
    }

    @Override
    public void writeString(String str) {
        boolean element = beginScalar();
        XmlText.appendText(out, str);
        endScalar(element);
    }

    @Override
    public void writeBinary(ByteBuffer buf) {
        StringBuilder hex = new StringBuilder(buf.remaining() * 2);
        for (int i = buf.position(); i < buf.limit(); i++) {
            hex.append(Character.forDigit((buf.get(i) >> 4) & 0xf, 16)).append(Character.forDigit(buf.get(i) & 0xf, 16));
        }
        scalar(hex.toString());
    }

    /** Sends what was written so far to the transport. */
    public void flush() throws TException {
        if (out.length() > 0) {
            byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
            out.setLength(0);
            getTransport().write(bytes);
        }
        getTransport().flush();
    }

    private void scalar(String text) {
        boolean element = beginScalar();
        out.append(text);
        endScalar(element);
    }

    private boolean beginScalar() {
        Frame top = frames.peek();
        if (top == null || top == Frame.STRUCT) {
            throw new IllegalStateException("a value written outside a field or container: " + names);
        }
        if (top == Frame.CONTAINER) {
            out.append("<element>");
            return true;
        }
        return false;
    }

    private void endScalar(boolean element) {
        if (element) {
            out.append("</element>");
        }
    }

    private void push(Frame frame, String name) {
        frames.push(frame);
        names.push(name);
    }

    private String pop(Frame expected) {
        Frame frame = frames.poll();
        if (frame != expected) {
            throw new IllegalStateException("end of " + expected + " while in " + frame + " " + names);
        }
        return names.pop();
    }

    // --- reading: not supported ---

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public TMessage readMessageBegin() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public void readMessageEnd() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public TStruct readStructBegin() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public void readStructEnd() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public TField readFieldBegin() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public void readFieldEnd() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public TMap readMapBegin() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public void readMapEnd() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public TList readListBegin() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public void readListEnd() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public TSet readSetBegin() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public void readSetEnd() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public boolean readBool() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public byte readByte() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public short readI16() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public int readI32() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public long readI64() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public double readDouble() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public String readString() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public ByteBuffer readBinary() {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }

    /** @throws UnsupportedOperationException always: this protocol only writes */
    @Override
    public int getMinSerializedSize(byte type) {
        throw new UnsupportedOperationException(READ_UNSUPPORTED);
    }
}
