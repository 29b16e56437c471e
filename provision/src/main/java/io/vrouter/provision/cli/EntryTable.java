package io.vrouter.provision.cli;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.util.ArrayList;
import java.util.List;

/** The {@code --oper list} table, with the web UI's columns. */
final class EntryTable {
    static final String EMPTY = "No Link Local Services Found.";
    private static final String[] HEADER = {"Service Name", "Service Address", "Fabric Address"};

    private EntryTable() {
    }

    static String format(LinkLocalServices services) {
        if (services.entries().isEmpty()) {
            return EMPTY + System.lineSeparator();
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (LinkLocalServiceEntry e : services.entries()) {
            String fabric = e.usesDns() ? e.fabricDnsName() : String.join(",", e.fabricIps().stream().map(EntryTable::host).toList());
            rows.add(new String[] {String.valueOf(e.name()), host(e.serviceIp()) + ":" + e.servicePort(),
                    fabric + ":" + e.fabricPort()});
        }
        int[] width = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                sb.append(i == row.length - 1 ? row[i] : String.format("%-" + (width[i] + 2) + "s", row[i]));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static String host(String ip) {
        return ip != null && ip.indexOf(':') >= 0 ? "[" + ip + "]" : String.valueOf(ip);
    }
}
