package io.vrouter.provision.cli;

import java.util.Locale;

/**
 * What {@code provision_linklocal} does. Contrail treats every value other than {@code add} as a
 * delete; here an unknown value is a usage error.
 */
enum Oper {
    ADD, DEL, LIST;

    /** @param origin where the value came from, for the message ("--oper" or a conf-file key) */
    static Oper parse(String text, String origin) throws UsageException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "add" -> ADD;
            case "del", "delete" -> DEL;
            case "list" -> LIST;
            default -> throw new UsageException(origin + " '" + text + "' is not one of add, del, list");
        };
    }
}
