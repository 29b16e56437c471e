package io.vrouter.flow;

import io.vrouter.drop.DropReason;

/**
 * Encoding of the {@code long} results of {@link FlowTable} methods, so the per-packet path
 * returns primitives and never allocates or throws.
 *
 * <ul>
 *   <li>{@code >= 0}: a flow handle, {@code generation << 32 | index} (generation 1..2^31-1).</li>
 *   <li>{@link #NO_FLOW}: lookup miss, or "no reverse flow".</li>
 *   <li>{@link #EXISTS}, {@link #STALE_HANDLE}, {@link #BAD_STATE}, {@link #BAD_KEY}: the
 *       request was refused; nothing changed.</li>
 *   <li>{@code <= -256}: a limit was hit; {@link #dropReason(long)} says which, and the table
 *       counted the drop under that reason.</li>
 * </ul>
 */
public final class FlowResult {
    /** Lookup miss / no partner flow. */
    public static final long NO_FLOW = -1L;
    /** A flow with that key is already installed. */
    public static final long EXISTS = -2L;
    /** The handle does not name a live flow (deleted, reused or never valid). */
    public static final long STALE_HANDLE = -3L;
    /** The flow is not in a state that allows the request (e.g. already paired, or a reverse). */
    public static final long BAD_STATE = -4L;
    /** A key field is out of range (port beyond 16 bits, interface beyond the configured range). */
    public static final long BAD_KEY = -5L;

    private static final long DROP_BASE = -256L;

    private FlowResult() {
    }

    /** Whether a result is a flow handle. */
    public static boolean isHandle(long result) {
        return result >= 0;
    }

    /** Entry index of a handle. */
    public static int index(long handle) {
        return (int) handle;
    }

    /** Generation of a handle. */
    public static int generation(long handle) {
        return (int) (handle >>> 32);
    }

    /** Builds a handle. */
    public static long handle(int generation, int index) {
        return ((long) generation << 32) | (index & 0xFFFF_FFFFL);
    }

    /** The result meaning "refused because of {@code reason}". */
    public static long ofDrop(DropReason reason) {
        return DROP_BASE - reason.code();
    }

    /** The drop reason of a limit result, or {@code null} if the result is not one. */
    public static DropReason dropReason(long result) {
        return result <= DROP_BASE ? DropReason.ofCode((int) (DROP_BASE - result)) : null;
    }

    /** Text for logs and error messages. */
    public static String describe(long result) {
        if (result >= 0) {
            return "flow#" + index(result) + "/gen" + generation(result);
        }
        if (result == NO_FLOW) {
            return "no flow";
        }
        if (result == EXISTS) {
            return "a flow with that key already exists";
        }
        if (result == STALE_HANDLE) {
            return "stale flow handle";
        }
        if (result == BAD_STATE) {
            return "flow is in the wrong state for this request";
        }
        if (result == BAD_KEY) {
            return "flow key field out of range";
        }
        DropReason r = dropReason(result);
        return r != null ? "refused: " + r + " (" + r.description() + ")" : "unknown result " + result;
    }
}
