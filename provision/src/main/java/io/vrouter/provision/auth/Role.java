package io.vrouter.provision.auth;

import java.util.Locale;

/** What a config API user may do. */
public enum Role {
    /** Read, watch and write. */
    ADMIN,
    /** Read and watch only; a write is refused with 403. */
    READER;

    public boolean canWrite() {
        return this == ADMIN;
    }

    /** The form used in the credentials file and on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code admin} / {@code reader}; the error lists what is accepted. */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.label().equals(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("role '" + text + "' is not one of admin, reader");
    }
}
