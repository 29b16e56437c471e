/**
 * Why a packet was dropped: the one list of drop reasons (vrouter's {@code vr_drop_stats}), with
 * stable codes. Below both {@code io.vrouter.packet} (parse drops) and {@code io.vrouter.flow}
 * (flow-table drops), so neither depends on the other for it.
 */
package io.vrouter.drop;
